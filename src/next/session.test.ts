import { describe, expect, it, vi } from 'vitest'
import { freezeClock } from '../test-support/clock.js'
import { PROFILE_HEADER } from '../browsers/profile-header.js'
import { CHROME_UA, Jar } from '../test-support/jar.js'
import { make, NOW, request, respond, startRequest, storeCart } from '../test-support/next.js'

vi.mock('next/headers.js', async () => {
  const { nextHeadersMock } = await import('../test-support/next.js')
  return nextHeadersMock
})

freezeClock(NOW)

describe('getSession / commitSession', () => {
  it('decodes once per request, however many times it is called', async () => {
    const { cm, errors } = make()
    const jar = new Jar(CHROME_UA, { session: 'garbage' })
    startRequest(jar)
    const a = await cm.getSession()
    const b = await cm.getSession()
    expect(a).toBe(b)
    expect(errors).toEqual(['ERR_SESSION_MALFORMED']) // one decode, one onError call
    startRequest(jar)
    expect(await cm.getSession()).not.toBe(a)
    expect(errors).toEqual(['ERR_SESSION_MALFORMED', 'ERR_SESSION_MALFORMED'])
  })

  it('reading and committing onto a Response never calls cookies() (Next copies the whole jar on the first call)', async () => {
    const { cm } = make()
    const jar = new Jar(CHROME_UA)
    startRequest(jar)
    const s = await cm.getSession()
    s.data.cart.push('a')
    const headers = new Headers()
    await cm.commitSession(s, headers)
    expect(headers.getSetCookie()).toHaveLength(1)
    expect(request.cookiesCalls).toBe(0)
    // Unchanged since that commit: nothing to write, still no cookies().
    expect((await cm.commitSession(s)).unchanged).toBe(true)
    expect(request.cookiesCalls).toBe(0)
    s.data.cart.push('b')
    await cm.commitSession(s)
    expect(request.cookiesCalls).toBe(1)
    expect(request.sets.map((w) => w.name)).toEqual(['session'])
  })

  it('when a proxy set cookies through its response, lays them over the Cookie header, without cookies()', async () => {
    const { cm, errors } = make()
    const jar = new Jar(CHROME_UA)
    startRequest(jar)
    const s = await cm.getSession()
    s.data.cart.push('a')
    await cm.commitSession(s)
    respond(jar)
    // A user proxy deleted our cookie through response.cookies (Next's delete: empty, epoch Expires).
    startRequest(jar, {
      'x-middleware-set-cookie':
        'theme=dark; Path=/; Expires=Thu, 01 Jan 2099 00:00:00 GMT,session=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT',
    })
    const after = await cm.getSession()
    expect(after.isNew).toBe(true)
    expect(after.error).toBeUndefined()
    expect(request.cookiesCalls).toBe(0)
    // Without that header the request's own Cookie header is read.
    startRequest(jar)
    const plain = await cm.getSession()
    expect(plain.data.cart).toEqual(['a'])
    expect(request.cookiesCalls).toBe(0)
    expect(errors).toEqual([])
  })

  it('readers agree with and without x-middleware-set-cookie: first of two same-name cookies, bytes as sent', async () => {
    // Issue 13 item 5. Next's cookies() store keeps the last of two same-name cookies and
    // percent-decodes values; before, getSession read through it when a proxy had set a cookie.
    const { cm, errors } = make()
    const first = new Jar(CHROME_UA)
    await storeCart(cm, first, 'first')
    const second = new Jar(CHROME_UA)
    await storeCart(cm, second, 'second')
    const a = first.cookies.get('session')!
    const b = second.cookies.get('session')!
    const encoded = (v: string) => v.replace('.', '%2E') // the same bytes once decoded
    const nextStore = (header: string, proxySet: Record<string, string>) => ({
      getAll: () => {
        const byName = new Map<string, string>()
        for (const pair of header.split('; ')) {
          const eq = pair.indexOf('=')
          byName.set(pair.slice(0, eq), decodeURIComponent(pair.slice(eq + 1))) // last wins
        }
        for (const [name, value] of Object.entries(proxySet)) byName.set(name, value)
        return [...byName].map(([name, value]) => ({ name, value }))
      },
      set: () => {},
    })
    const read = async (cookie: string, viaProxy: boolean) => {
      startRequest(new Jar(CHROME_UA))
      request.headers = new Headers({ 'user-agent': CHROME_UA, cookie })
      if (viaProxy) request.headers.set('x-middleware-set-cookie', 'theme=dark; Path=/')
      request.store = nextStore(cookie, viaProxy ? { theme: 'dark' } : {})
      const session = await cm.getSession()
      return { cart: session.data.cart, error: session.error?.code }
    }
    for (const cookie of [`session=${a}; session=${encoded(b)}`, `session=${a}; session=${b}`]) {
      expect(await read(cookie, false)).toEqual({ cart: ['first'], error: undefined })
      expect(await read(cookie, true)).toEqual({ cart: ['first'], error: undefined })
    }
    // A percent-encoded spelling of our value is not ours, whichever path reads it.
    expect(await read(`session=${encoded(a)}`, false)).toEqual({ cart: [], error: 'ERR_SESSION_MALFORMED' })
    expect(await read(`session=${encoded(a)}`, true)).toEqual({ cart: [], error: 'ERR_SESSION_MALFORMED' })
    expect(errors).toEqual(['ERR_SESSION_MALFORMED', 'ERR_SESSION_MALFORMED'])
    expect(request.cookiesCalls).toBe(0)
  })

  it('commits through cookies().set with the documented attributes, and reads back', async () => {
    const { cm } = make()
    const jar = new Jar(CHROME_UA)
    startRequest(jar)
    const session = await cm.getSession()
    session.data.cart.push('sku-1')
    const report = await cm.commitSession(session)
    expect(report).toMatchObject({ chunks: 1, unchanged: false })
    expect(request.sets).toHaveLength(1)
    expect(request.sets[0]!.name).toBe('session')
    expect(request.sets[0]!.options).toEqual({
      maxAge: 1_209_600,
      path: '/',
      httpOnly: true,
      secure: true,
      sameSite: 'lax',
      partitioned: false,
    })
    respond(jar)
    startRequest(jar)
    expect((await cm.getSession()).data.cart).toEqual(['sku-1'])
  })

  it('deletes stale chunks through cookies().set with maxAge 0 and an epoch expires', async () => {
    const { cm } = make()
    const jar = new Jar(CHROME_UA)
    await storeCart(cm, jar, 'a')
    jar.cookies.set('session.3', 'stale')
    startRequest(jar)
    const report = await cm.commitSession(await cm.getSession())
    expect(report.deleted).toEqual(['session.3'])
    expect(request.sets).toEqual([
      {
        name: 'session.3',
        value: '',
        options: {
          maxAge: 0,
          expires: new Date(0),
          path: '/',
          httpOnly: true,
          secure: true,
          sameSite: 'lax',
          partitioned: false,
        },
      },
    ])
  })

  it('a server component commit throws ERR_SESSION_READ_ONLY with Next’s error as cause', async () => {
    const { cm } = make()
    const jar = new Jar(CHROME_UA)
    startRequest(jar, {}, true)
    const s = await cm.getSession()
    s.data.cart.push('x')
    const err = await cm.commitSession(s).catch((e: unknown) => e)
    expect(err).toMatchObject({ name: 'SessionError', code: 'ERR_SESSION_READ_ONLY' })
    expect((err as Error).message).toContain('server action or a route handler')
    expect((err as Error).cause).toBeInstanceOf(Error)
    expect(request.sets).toEqual([])
  })

  it('a commit that failed leaves the session as it was: still new, still changed, still to be written', async () => {
    const { cm } = make()
    const jar = new Jar(CHROME_UA)
    startRequest(jar, {}, true)
    const s = await cm.getSession()
    s.data.cart.push('x')
    await expect(cm.commitSession(s)).rejects.toMatchObject({ code: 'ERR_SESSION_READ_ONLY' })
    expect(s.isNew).toBe(true)
    expect(s.data.cart).toEqual(['x'])
    // Where writes are allowed, the same session object is written, not reported unchanged.
    request.readOnly = false
    const report = await cm.commitSession(s)
    expect(report.unchanged).toBe(false)
    expect(request.sets.map((w) => w.name)).toEqual(['session'])
    expect(s.isNew).toBe(false)
  })

  it('with a Response, appends raw Set-Cookie lines to it instead of cookies().set', async () => {
    const { cm } = make()
    const jar = new Jar(CHROME_UA)
    startRequest(jar)
    const s = await cm.getSession()
    s.data.cart.push('x')
    const response = new Response('ok')
    await cm.commitSession(s, response)
    expect(request.sets).toEqual([])
    expect(response.headers.getSetCookie()).toHaveLength(1)
    expect(response.headers.getSetCookie()[0]).toMatch(/^session=v1\.1\./)
  })

  it('after a commit, the same request reads the stored (trimmed) session', async () => {
    const { cm } = make()
    cm.register('recent', (d) => {
      d.recent?.pop()
      return d
    })
    const jar = new Jar(CHROME_UA)
    startRequest(jar)
    const s = await cm.getSession()
    s.data.recent = Array.from({ length: 600 }, (_, i) => `recently-viewed-${i}`)
    const report = await cm.commitSession(s)
    expect(report.trimmedKeys).toEqual(['recent'])
    const again = await cm.getSession()
    expect(again.data.recent.length).toBe(600 - report.shrinkSteps)
  })

  it('after a server action destroyed the session, the same response renders a new session, no error', async () => {
    const { cm, errors } = make({ limits: { maxCookieHeaderBytes: 32768 } })
    const jar = new Jar(CHROME_UA)
    startRequest(jar)
    let s = await cm.getSession()
    s.data.recent = Array.from({ length: 400 }, (_, i) => `/products/${i}`)
    await cm.commitSession(s)
    respond(jar)
    const names = jar.names()
    expect(names.length).toBeGreaterThanOrEqual(2)
    // The action: destroy and commit. Next then renders with a store holding the deletions as ''.
    startRequest(jar)
    s = await cm.getSession()
    s.destroy()
    await cm.commitSession(s)
    expect(request.sets.map((w) => w.name)).toEqual(names)
    request.store = { getAll: () => names.map((name) => ({ name, value: '' })), set: () => {} }
    const after = await cm.getSession()
    expect(after.isNew).toBe(true)
    expect(after.error).toBeUndefined()
    expect(errors).toEqual([])
    expect((await cm.getBudget()).chunks).toEqual([])
  })

  it('reads the request’s own Cookie header, not the store’s decoded values, when our chunks are unchanged', async () => {
    const { cm, errors } = make()
    const jar = new Jar(CHROME_UA)
    startRequest(jar)
    const s = await cm.getSession()
    s.data.cart.push('kept')
    await cm.commitSession(s)
    respond(jar)
    // An unrelated cookie whose value decodes to '; session=junk' in Next's store.
    jar.cookies.set('ga', 'x%3B%20session%3Djunk')
    startRequest(jar)
    request.store = {
      getAll: () => [
        { name: 'session', value: jar.cookies.get('session')! },
        { name: 'ga', value: 'x; session=junk' },
      ],
      set: () => {},
    }
    const read = await cm.getSession()
    expect(read.data.cart).toEqual(['kept'])
    expect(errors).toEqual([])
  })

  it('getSession, commitSession and getBudget trust one Cookie header: the store only once this request wrote through it', async () => {
    const { cm } = make()
    const jar = new Jar(CHROME_UA, { theme: 'dark' })
    await storeCart(cm, jar, 'a')
    const before = jar.cookies.get('session')!
    startRequest(jar)
    expect((await cm.getBudget()).chunks).toEqual([{ name: 'session', bytes: 'session='.length + before.length }])
    expect(request.cookiesCalls).toBe(0)
    const s = await cm.getSession()
    s.data.cart.push('x'.repeat(4000))
    expect((await cm.commitSession(s)).chunks).toBe(2)
    const written = request.sets.map((w) => [w.name, w.value.length])
    // A second session object destroyed in the same request deletes the two chunks the first
    // commit wrote, not only the single chunk the request carried (no orphan is left behind).
    const other = await cm.decodeSession(request.headers)
    other.destroy()
    expect((await cm.commitSession(other)).deleted).toEqual(['session', 'session.1'])
    expect((await cm.getBudget()).chunks).toEqual([])
    // Before that second commit, the budget view showed what the first one wrote.
    startRequest(jar)
    const again = await cm.getSession()
    again.data.cart.push('x'.repeat(4000))
    await cm.commitSession(again)
    expect((await cm.getBudget()).chunks.map((c) => [c.name, c.bytes - c.name.length - 1])).toEqual(written)
  })

  it('uses the profile forwarded by the proxy; without it, parses the User-Agent', async () => {
    const { cm } = make()
    const jar = new Jar(CHROME_UA)
    startRequest(jar, { [PROFILE_HEADER]: 'trident;IE;11.0;Trident' })
    let s = await cm.getSession()
    s.data.cart.push('a')
    expect((await cm.commitSession(s)).budget.source).toBe('trident')
    startRequest(jar)
    s = await cm.getSession()
    s.data.cart.push('b')
    expect((await cm.commitSession(s)).budget.source).toBe('blink')
  })
})
