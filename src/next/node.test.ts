import { AsyncLocalStorage } from 'node:async_hooks'
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { describe, expect, it, vi } from 'vitest'
import { freezeClock } from '../test-support/clock.js'
import { CHROME_UA, Jar } from '../test-support/jar.js'
import { make, NOW, request, startRequest } from '../test-support/next.js'
import { SessionError } from '../errors.js'
import { loadWorkUnits, nextNow } from './work-units.js'

// Next's work-unit store is an AsyncLocalStorage that Next's server provides globally at startup.
;(globalThis as { AsyncLocalStorage?: unknown }).AsyncLocalStorage = AsyncLocalStorage
const { workUnitAsyncStorage } = await import('next/dist/server/app-render/work-unit-async-storage.external.js')

// The Pages Router and plain Node servers: getSession(req) / commitSession(session, res) with
// Node's IncomingMessage and ServerResponse, which never touch next/headers.
const calls = { headers: 0, throwOutsideScope: false }
vi.mock('next/headers.js', async () => {
  const { nextHeadersMock } = await import('../test-support/next.js')
  return {
    ...nextHeadersMock,
    headers: async () => {
      calls.headers++
      if (calls.throwOutsideScope) throw new Error('`headers` was called outside a request scope.')
      return nextHeadersMock.headers()
    },
  }
})

freezeClock(NOW)

/** A Node request and response as far as the package reads them (as Node's own objects behave). */
function nodePair(jar: Jar, extra: Record<string, string | string[]> = {}) {
  const req = {
    headers: { 'user-agent': jar.userAgent, cookie: jar.header(), ...extra } as Record<string, string | string[]>,
  }
  const headers = new Map<string, string | readonly string[]>()
  const res = {
    req,
    headersSent: false,
    getHeader: (name: string) => headers.get(name.toLowerCase()),
    setHeader: (name: string, value: string | readonly string[]) => void headers.set(name.toLowerCase(), value),
    lines: (): string[] => {
      const v = headers.get('set-cookie')
      return v === undefined ? [] : typeof v === 'string' ? [v] : [...v]
    },
    headers,
  }
  return { req, res }
}

const names = (lines: readonly string[]) => lines.map((l) => l.slice(0, l.indexOf('=')))

describe('getSession(req) / commitSession(session, res)', () => {
  it('reads a Node request, decodes once per request, and never calls next/headers', async () => {
    const { cm, errors } = make()
    calls.headers = 0
    const { req } = nodePair(new Jar(CHROME_UA, { session: 'garbage' }))
    const a = await cm.getSession(req)
    expect(await cm.getSession(req)).toBe(a)
    expect(a.isNew).toBe(true)
    expect(errors).toEqual(['ERR_SESSION_MALFORMED'])
    expect(await cm.getSession(nodePair(new Jar(CHROME_UA)).req)).not.toBe(a)
    expect(calls.headers).toBe(0)
  })

  it('appends after the Set-Cookie lines already on res, marks it private, and reads back', async () => {
    const { cm } = make()
    const jar = new Jar(CHROME_UA)
    const { req, res } = nodePair(jar)
    res.setHeader('Set-Cookie', 'theme=dark; Path=/')
    const s = await cm.getSession(req)
    s.data.cart.push('x'.repeat(5000))
    const report = await cm.commitSession(s, res)
    expect(report.chunks).toBe(2)
    expect(names(res.lines())).toEqual(['theme', 'session', 'session.1'])
    expect(res.lines()[0]).toBe('theme=dark; Path=/')
    expect(res.headers.get('cache-control')).toBe('private, no-store')
    // The budget as the browser will hold it after this response: our two chunks, 'theme' not yet sent.
    expect((await cm.getBudget(req)).chunks.map((c) => c.name)).toEqual(['session', 'session.1'])
    jar.apply(res.lines())
    const back = await cm.getSession(nodePair(jar).req)
    expect(back.data.cart).toEqual(['x'.repeat(5000)])
    expect(calls.headers).toBe(0)
  })

  it('a second commit in the same request replaces only the first’s lines, and sees its chunks', async () => {
    const { cm } = make()
    const jar = new Jar(CHROME_UA)
    const { req, res } = nodePair(jar)
    res.setHeader('set-cookie', ['a=1; Path=/', 'b=2; Path=/'])
    const s = await cm.getSession(req)
    s.data.cart.push('y'.repeat(5000))
    await cm.commitSession(s, res)
    expect(names(res.lines())).toEqual(['a', 'b', 'session', 'session.1'])
    // Unchanged: nothing written, the first commit's lines stay.
    expect((await cm.commitSession(s, res)).unchanged).toBe(true)
    expect(names(res.lines())).toEqual(['a', 'b', 'session', 'session.1'])
    // Destroyed: the chunks the first commit wrote are deleted, not left to the browser.
    s.destroy()
    await cm.commitSession(s, res)
    expect(names(res.lines())).toEqual(['a', 'b', 'session', 'session.1'])
    expect(
      res
        .lines()
        .slice(2)
        .every((l) => l.includes('Max-Age=0')),
    ).toBe(true)
  })

  it('commits that shrink the session in one request keep every deletion the earlier ones sent', async () => {
    const { cm } = make({ limits: { maxCookieHeaderBytes: 16384 } })
    const jar = new Jar(CHROME_UA)
    // Three chunks in the browser.
    const first = nodePair(jar)
    const grown = await cm.getSession(first.req)
    grown.data.cart.push('z'.repeat(6500))
    await cm.commitSession(grown, first.res)
    jar.apply(first.res.lines())
    expect([...jar.cookies.keys()]).toEqual(['session', 'session.1', 'session.2'])
    // One request, two commits: to two chunks (deletes session.2), then to one (deletes session.1).
    const { req, res } = nodePair(jar)
    const s = await cm.getSession(req)
    s.data.cart = ['z'.repeat(3000)]
    await cm.commitSession(s, res)
    s.data.cart = ['z']
    await cm.commitSession(s, res)
    const byName = new Map(res.lines().map((l) => [l.slice(0, l.indexOf('=')), l]))
    expect([...byName.keys()].sort()).toEqual(['session', 'session.1', 'session.2'])
    expect(byName.get('session.1')).toContain('Max-Age=0')
    expect(byName.get('session.2')).toContain('Max-Age=0')
    expect(res.lines()).toHaveLength(3)
    jar.apply(res.lines())
    expect([...jar.cookies.keys()]).toEqual(['session'])
    expect((await cm.getSession(nodePair(jar).req)).data.cart).toEqual(['z'])
  })

  it('a session whose read fails rejects for the caller only (no unhandled rejection)', async () => {
    let calls = 0
    const { cm } = make({
      defaults: () => {
        if (++calls > 1) throw new Error('defaults failed')
        return { cart: [], recent: [] }
      },
    })
    await expect(cm.getSession(nodePair(new Jar(CHROME_UA)).req)).rejects.toThrow('defaults failed')
    // vitest fails the run on an unhandled rejection; give one the chance to surface.
    await new Promise((r) => setTimeout(r, 20))
  })

  it('refuses after the headers were sent (ERR_SESSION_READ_ONLY), and without a request (ERR_SESSION_CONTEXT)', async () => {
    const { cm } = make()
    const { req, res } = nodePair(new Jar(CHROME_UA))
    const s = await cm.getSession(req)
    s.data.cart.push('a')
    await expect(cm.commitSession(s, { ...res, headersSent: true })).rejects.toMatchObject({
      code: 'ERR_SESSION_READ_ONLY',
    })
    const orphan = await cm.decodeSession(new Headers())
    orphan.data.cart.push('b')
    await expect(cm.commitSession(orphan, { ...res, req: undefined })).rejects.toMatchObject({
      code: 'ERR_SESSION_CONTEXT',
    })
    // A session read elsewhere commits against res.req (Node sets it on every ServerResponse).
    expect((await cm.commitSession(orphan, res)).chunks).toBe(1)
  })

  it('works with Node’s own IncomingMessage and ServerResponse over HTTP', async () => {
    const { cm } = make()
    const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
      const session = await cm.getSession(req)
      if (req.method === 'POST') session.data.cart.push(`item-${session.data.cart.length}`)
      res.setHeader('set-cookie', 'seen=1; Path=/')
      await cm.commitSession(session, res)
      res.end(JSON.stringify(session.data.cart))
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    const port = (server.address() as AddressInfo).port
    const send = (method: string, cookie: string) =>
      new Promise<{ body: string; setCookie: string[] }>((resolve, reject) => {
        const r = httpRequest(
          { host: '127.0.0.1', port, method, headers: { cookie, 'user-agent': CHROME_UA } },
          (res) => {
            let body = ''
            res.on('data', (d: Buffer) => (body += d.toString()))
            res.on('end', () => resolve({ body, setCookie: res.headers['set-cookie'] ?? [] }))
          },
        )
        r.on('error', reject)
        r.end()
      })
    try {
      const jar = new Jar(CHROME_UA)
      for (let i = 0; i < 3; i++) jar.apply((await send('POST', jar.header())).setCookie)
      const last = await send('GET', jar.header())
      expect(JSON.parse(last.body)).toEqual(['item-0', 'item-1', 'item-2'])
      expect(last.setCookie).toEqual(['seen=1; Path=/'])
    } finally {
      await new Promise((r) => server.close(r))
    }
  })

  it('getSession() without a request outside the App Router says to pass req (ERR_SESSION_CONTEXT)', async () => {
    const { cm } = make()
    calls.throwOutsideScope = true
    try {
      const error = await cm.getSession().catch((e: unknown) => e)
      expect(error).toBeInstanceOf(SessionError)
      expect(error).toMatchObject({ code: 'ERR_SESSION_CONTEXT' })
      expect((error as Error).message).toContain('getSession(req)')
      // Inside a Next work unit the same failure is Next's: passed through untouched.
      const inside = await workUnitAsyncStorage
        .run({ type: 'request' } as never, () => cm.getSession())
        .catch((e: unknown) => e)
      expect((inside as Error).message).toBe('`headers` was called outside a request scope.')
    } finally {
      calls.throwOutsideScope = false
    }
  })

  it("inside 'use cache' the read is refused with ERR_SESSION_CONTEXT before next/headers is asked", async () => {
    const { cm } = make()
    startRequest(new Jar(CHROME_UA))
    calls.headers = 0
    const error = await workUnitAsyncStorage
      .run({ type: 'cache' } as never, () => cm.getSession())
      .catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'ERR_SESSION_CONTEXT' })
    expect((error as Error).message).toContain("'use cache: private'")
    expect(calls.headers).toBe(0)
    expect(request.cookiesCalls).toBe(0)
  })

  it('the clock: Date.now() everywhere (fake timers move it), read outside Next’s work unit', async () => {
    await loadWorkUnits()
    expect(nextNow()).toBe(NOW.getTime())
    // Next's patched Date.now() looks at the work-unit store: inside a prerender it must see none.
    const seen: unknown[] = []
    const now = Date.now
    Date.now = () => {
      seen.push(workUnitAsyncStorage.getStore())
      return now()
    }
    try {
      const inside = workUnitAsyncStorage.run({ type: 'prerender-runtime' } as never, () => nextNow())
      expect(inside).toBe(NOW.getTime())
      expect(seen).toEqual([undefined])
    } finally {
      Date.now = now
    }
  })
})

describe('one realm, several copies of the package (webpack evaluates it once per layer)', () => {
  it('share the request’s session, its commit state and SessionError', async () => {
    vi.resetModules()
    const copyA = await import('../test-support/next.js')
    vi.resetModules()
    const copyB = await import('../test-support/next.js')
    const errorsB = await import('../errors.js')
    expect(copyA.make).not.toBe(copyB.make)
    const a = copyA.make().cm
    const b = copyB.make().cm
    const jar = new Jar(CHROME_UA)
    copyA.startRequest(jar)
    copyB.request.headers = copyA.request.headers
    // The action (copy A) commits; the page rendered after it (copy B) gets the committed session.
    const s = await a.getSession()
    s.data.cart.push('sku-1')
    await a.commitSession(s, new Headers())
    const rendered = await b.getSession()
    expect(rendered).toBe(s)
    expect(rendered.data.cart).toEqual(['sku-1'])
    // Copy B sees that it was just committed: nothing to write.
    expect((await b.commitSession(rendered, new Headers())).unchanged).toBe(true)
    expect(new SessionError('ERR_SESSION_CONFIG', 'x')).toBeInstanceOf(errorsB.SessionError)
    expect(errorsB.isSessionError(new SessionError('ERR_SESSION_CONFIG', 'x'))).toBe(true)
    expect(new Error('x')).not.toBeInstanceOf(errorsB.SessionError)
    // A subclass keeps the ordinary check; a branded non-error is no SessionError.
    class AppError extends SessionError {}
    expect(new SessionError('ERR_SESSION_CONFIG', 'x')).not.toBeInstanceOf(AppError)
    expect(new AppError('ERR_SESSION_CONFIG', 'x')).toBeInstanceOf(AppError)
    expect(new AppError('ERR_SESSION_CONFIG', 'x')).toBeInstanceOf(errorsB.SessionError)
    expect({ [Symbol.for('next-cookieman.SessionError')]: true }).not.toBeInstanceOf(SessionError)
  })
})
