import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createEngine, type CommitReport, type Cookieman } from './core.js'
import { CHROME_UA, Jar, SECRET } from './test-support/jar.js'

// An adapter for a plain Node.js server, written against the public core entry only: this is all
// a framework needs (headers in, Set-Cookie lines out), the size an adapter should have.
function nodeHeaders(req: IncomingMessage): Headers {
  const headers = new Headers()
  for (const [name, value] of Object.entries(req.headers)) {
    if (typeof value === 'string') headers.set(name, value)
    else if (Array.isArray(value)) headers.set(name, value.join(name === 'cookie' ? '; ' : ', '))
  }
  return headers
}

function nodeAdapter<T extends object>(engine: Cookieman<T>) {
  return {
    getSession: (req: IncomingMessage) => engine.decodeSession(nodeHeaders(req)),
    async commitSession(
      session: Awaited<ReturnType<Cookieman<T>['decodeSession']>>,
      req: IncomingMessage,
      res: ServerResponse,
    ): Promise<CommitReport> {
      const { setCookie, report } = await engine.encodeSession(session, nodeHeaders(req))
      const previous = res.getHeader('set-cookie')
      const existing = previous === undefined ? [] : Array.isArray(previous) ? previous : [String(previous)]
      res.setHeader('set-cookie', [...existing, ...setCookie])
      return report
    },
  }
}

type Cart = { cart: string[] }
// A plain Node server reached directly: its own 16 KiB head limit is the only front.
const engine = createEngine<Cart>({
  secret: SECRET,
  cookie: { secure: false },
  defaults: () => ({ cart: [] }),
  limits: { fronts: ['node'] },
})
engine.register('cart', (data) => {
  data.cart?.shift()
  return data
})
const sessions = nodeAdapter(engine)

let server: Server
let base: string

beforeAll(async () => {
  server = createServer(async (req, res) => {
    const session = await sessions.getSession(req)
    if (req.method === 'POST') {
      const add = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('add') ?? '1')
      for (let i = 0; i < add; i++) session.data.cart.push(`sku-${String(session.data.cart.length).padStart(40, '0')}`)
      res.setHeader('set-cookie', 'theme=dark; Path=/')
      const report = await sessions.commitSession(session, req, res)
      res.end(JSON.stringify({ cart: session.data.cart.length, chunks: report.chunks, shrunk: report.shrunk }))
      return
    }
    res.end(
      JSON.stringify({ cart: session.data.cart.length, isNew: session.isNew, error: session.error?.code ?? null }),
    )
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve))
})

async function send(
  jar: Jar,
  method: string,
  path: string,
): Promise<{ status: number; body: unknown; setCookie: string[] }> {
  const res = await fetch(base + path, { method, headers: jar.headers() })
  const setCookie = res.headers.getSetCookie()
  jar.apply(setCookie)
  return { status: res.status, body: await res.json(), setCookie }
}

describe('an adapter over next-cookieman/core (a plain Node server)', () => {
  it('round-trips a session over HTTP, appending to the Set-Cookie already on the response', async () => {
    const jar = new Jar(CHROME_UA)
    expect((await send(jar, 'GET', '/')).body).toEqual({ cart: 0, isNew: true, error: null })
    const post = await send(jar, 'POST', '/?add=3')
    expect(post.body).toEqual({ cart: 3, chunks: 1, shrunk: false })
    expect(post.setCookie.map((c) => c.slice(0, c.indexOf('=')))).toEqual(['theme', 'session'])
    expect((await send(jar, 'GET', '/')).body).toEqual({ cart: 3, isNew: false, error: null })
  })

  it('splits over chunks and shrinks with the same budget as the Next layer', async () => {
    const jar = new Jar(CHROME_UA)
    const grown = await send(jar, 'POST', '/?add=120')
    expect(grown.body).toEqual({ cart: 120, chunks: 2, shrunk: false })
    expect(jar.names().sort()).toEqual(['session', 'session.1', 'theme'])
    // The shrinker drops the oldest items until the session fits Node's 16 KiB head again: less
    // 2,048 for the rest of the request, one full cookie of headroom, `Cookie: ` and CRLF.
    const shrunk = await send(jar, 'POST', '/?add=200')
    expect(shrunk.body).toEqual({ cart: 161, chunks: 3, shrunk: true })
    expect(jar.header().length).toBeLessThanOrEqual(16384 - 2048 - 4097 - 'Cookie: \r\n'.length)
    expect((await send(jar, 'GET', '/')).body).toEqual({ cart: 161, isNew: false, error: null })
  })

  it('gives a tampered cookie an empty session and its code, never a 500', async () => {
    const jar = new Jar(CHROME_UA, { session: 'v1.1.not-a-token' })
    expect(await send(jar, 'GET', '/')).toMatchObject({
      status: 200,
      body: { cart: 0, isNew: true, error: 'ERR_SESSION_MALFORMED' },
    })
  })
})
