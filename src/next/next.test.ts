import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { PROFILE_HEADER } from '../browsers/profile-header.js'
import { createCookieman } from '../create.js'
import { CHROME_UA, FIREFOX_UA, IE11_UA, Jar, SECRET } from '../test-support/jar.js'

// A stand-in for next/headers: one cookie store and one headers object per "request".
const request = vi.hoisted(() => ({
  cookies: new Map<string, string>(),
  headers: new Headers(),
  readOnly: false,
  sets: [] as Array<{ name: string; value: string; options: Record<string, unknown> }>,
  store: undefined as object | undefined,
  cookiesCalls: 0,
}))

vi.mock('next/headers.js', () => ({
  cookies: async () => {
    request.cookiesCalls++
    return request.store
  },
  headers: async () => request.headers,
}))

function startRequest(jar: Jar, extra: Record<string, string> = {}, readOnly = false) {
  request.cookies = new Map(jar.cookies)
  request.headers = jar.headers(extra)
  request.readOnly = readOnly
  request.sets = []
  request.cookiesCalls = 0
  request.store = {
    getAll: () => [...request.cookies].map(([name, value]) => ({ name, value })),
    set: (name: string, value: string, options: Record<string, unknown>) => {
      if (request.readOnly) throw new Error('Cookies can only be modified in a Server Action or Route Handler.')
      request.sets.push({ name, value, options })
      if (options['maxAge'] === 0) request.cookies.delete(name)
      else request.cookies.set(name, value)
    },
  }
}

type Cart = { cart: string[]; recent: string[] }
const NOW = new Date('2026-11-26T12:00:00Z')

function make(extra: Partial<Parameters<typeof createCookieman<Cart>>[0]> = {}) {
  const errors: string[] = []
  const cm = createCookieman<Cart>({
    secret: SECRET,
    defaults: () => ({ cart: [], recent: [] }),
    onError: (e) => errors.push(e.code),
    ...extra,
  })
  return { cm, errors }
}

/** One request that adds `sku` to the cart and commits; the browser applies the response. */
async function storeCart(cm: ReturnType<typeof make>['cm'], jar: Jar, sku: string) {
  startRequest(jar)
  const s = await cm.getSession()
  s.data.cart.push(sku)
  await cm.commitSession(s)
  respond(jar)
}

/** Applies what the mock store received to the browser jar, as Next's response would. */
function respond(jar: Jar) {
  for (const { name, value, options } of request.sets) {
    if (options['maxAge'] === 0) jar.cookies.delete(name)
    else jar.cookies.set(name, value)
  }
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] })
  vi.setSystemTime(NOW)
})
afterEach(() => vi.useRealTimers())

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

  it('when a proxy set cookies through its response, reads through the store that merges them', async () => {
    const { cm, errors } = make()
    const jar = new Jar(CHROME_UA)
    startRequest(jar)
    const s = await cm.getSession()
    s.data.cart.push('a')
    await cm.commitSession(s)
    respond(jar)
    // A user proxy deleted our cookie through response.cookies: Next's store no longer has it.
    startRequest(jar, { 'x-middleware-set-cookie': 'session=; Path=/; Max-Age=0' })
    request.store = { getAll: () => [], set: () => {} }
    const after = await cm.getSession()
    expect(after.isNew).toBe(true)
    expect(after.error).toBeUndefined()
    expect(request.cookiesCalls).toBe(1)
    // Without that header the request's own Cookie header is read, and cookies() is not called.
    startRequest(jar)
    const plain = await cm.getSession()
    expect(plain.data.cart).toEqual(['a'])
    expect(request.cookiesCalls).toBe(0)
    expect(errors).toEqual([])
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

describe('middleware', () => {
  const forwardedHeader = (res: Response, name: string) => res.headers.get(`x-middleware-request-${name}`)

  it('forwards the profile parsed from the User-Agent, replacing a client-sent one', async () => {
    const { cm } = make()
    const req = new Request('http://127.0.0.1/', {
      headers: { 'user-agent': FIREFOX_UA, [PROFILE_HEADER]: 'trident;IE;11.0;Trident' },
    })
    const res = await cm.middleware(req)
    expect(res.headers.get('x-middleware-next')).toBe('1')
    expect(forwardedHeader(res, PROFILE_HEADER)).toBe('gecko;Firefox;153.0;Gecko')
    expect(res.headers.get('x-middleware-override-headers')?.split(',')).toContain(PROFILE_HEADER)
    expect(forwardedHeader(res, 'user-agent')).toBe(FIREFOX_UA)
  })

  it('ignores the event argument Next passes as the second parameter', async () => {
    const { cm } = make()
    const req = new Request('http://127.0.0.1/', { headers: { 'user-agent': IE11_UA } })
    const res = await cm.middleware(req, { waitUntil: () => {} })
    expect(forwardedHeader(res, PROFILE_HEADER)).toBe('trident;IE;11.0;Trident')
  })

  it('deletes a planted stale chunk, in the response and in the forwarded request cookies', async () => {
    const { cm } = make()
    const jar = new Jar(CHROME_UA)
    await storeCart(cm, jar, 'a')
    jar.cookies.set('session.7', 'planted')
    jar.cookies.set('theme', 'dark')
    const res = await cm.middleware(new Request('http://127.0.0.1/', { headers: jar.headers() }))
    expect(res.headers.getSetCookie()).toEqual([
      'session.7=; Max-Age=0; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; Secure; SameSite=Lax',
    ])
    const forwardedCookie = forwardedHeader(res, 'cookie')!
    expect(forwardedCookie).not.toContain('session.7')
    expect(forwardedCookie).toContain('theme=dark')
    expect(forwardedCookie).toContain(`session=${jar.cookies.get('session')}`)
  })

  it('deletes orphan chunks when NAME is missing, and leaves look-alikes alone', async () => {
    const { cm } = make()
    const jar = new Jar(CHROME_UA, { 'session.1': 'x', 'session.2': 'y', 'session-id': 'keep', 'session.x': 'keep' })
    const res = await cm.middleware(new Request('http://127.0.0.1/', { headers: jar.headers() }))
    expect(res.headers.getSetCookie().map((c) => c.split('=')[0])).toEqual(['session.1', 'session.2'])
  })

  it('writes nothing when there is nothing stale', async () => {
    const { cm } = make()
    const jar = new Jar(CHROME_UA, { other: '1' })
    const res = await cm.middleware(new Request('http://127.0.0.1/', { headers: jar.headers() }))
    expect(res.headers.getSetCookie()).toEqual([])
    expect(forwardedHeader(res, 'cookie')).toBe('other=1')
  })

  it('with rolling, re-issues the session after half of maxAge, to the response and the request', async () => {
    const { cm } = make({ rolling: true, maxAge: 1000 })
    const jar = new Jar(CHROME_UA)
    await storeCart(cm, jar, 'a')
    const before = jar.cookies.get('session')!

    vi.setSystemTime(NOW.getTime() + 400_000)
    let res = await cm.middleware(new Request('http://127.0.0.1/', { headers: jar.headers() }))
    expect(res.headers.getSetCookie()).toEqual([])

    vi.setSystemTime(NOW.getTime() + 501_000)
    res = await cm.middleware(new Request('http://127.0.0.1/', { headers: jar.headers() }))
    const lines = res.headers.getSetCookie()
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatch(/^session=v1\.1\..*; Max-Age=1000; Path=\/; HttpOnly; Secure; SameSite=Lax$/)
    const after = lines[0]!.slice('session='.length, lines[0]!.indexOf(';'))
    expect(after).not.toBe(before)
    expect(Number.parseInt(after.split('.')[4]!, 36)).toBe(NOW.getTime() / 1000 + 501 + 1000)
    expect(forwardedHeader(res, 'cookie')).toBe(`session=${after}`)
  })

  it('composing: headers an earlier proxy removed stay removed (every unlisted one)', async () => {
    const { cm } = make()
    const req = new Request('http://127.0.0.1/', {
      headers: { 'user-agent': CHROME_UA, 'x-user-id': '1', 'x-user-role': 'superuser', 'x-a': 'a', 'x-b': 'b' },
    })
    const existing = new Response(null, {
      headers: {
        'x-middleware-next': '1',
        'x-middleware-override-headers': 'user-agent, x-a',
        'x-middleware-request-user-agent': CHROME_UA,
        'x-middleware-request-x-a': 'a',
      },
    })
    const res = await cm.middleware(req, existing)
    expect(res.headers.get('x-middleware-override-headers')!.split(',').sort()).toEqual(
      ['user-agent', 'x-a', PROFILE_HEADER].sort(),
    )
    for (const removed of ['x-user-id', 'x-user-role', 'x-b']) expect(forwardedHeader(res, removed)).toBeNull()
  })

  it('composing: stale deletion starts from the cookie header an earlier proxy forwarded', async () => {
    const { cm } = make()
    const req = new Request('http://127.0.0.1/', {
      headers: { 'user-agent': CHROME_UA, cookie: 'tracking=1; flag; a=1; a=2; session.3=x' },
    })
    const existing = new Response(null, {
      headers: {
        'x-middleware-next': '1',
        'x-middleware-override-headers': 'user-agent,cookie',
        'x-middleware-request-user-agent': CHROME_UA,
        'x-middleware-request-cookie': 'flag; a=1; a=2; session.3=x',
      },
    })
    const res = await cm.middleware(req, existing)
    expect(res.headers.getSetCookie().map((c) => c.split('=')[0])).toEqual(['session.3'])
    // tracking stays removed; duplicates and value-less cookies pass through as sent.
    expect(forwardedHeader(res, 'cookie')).toBe('flag; a=1; a=2')
  })

  it('composing with a redirect (immutable headers) returns a redirect carrying our cookies', async () => {
    const { cm } = make()
    const req = new Request('http://127.0.0.1/', { headers: { 'user-agent': CHROME_UA, cookie: 'session.2=x' } })
    const res = await cm.middleware(req, Response.redirect('http://127.0.0.1/login', 307))
    expect(res.status).toBe(307)
    expect(res.headers.get('location')).toBe('http://127.0.0.1/login')
    expect(res.headers.getSetCookie().map((c) => c.split('=')[0])).toEqual(['session.2'])
  })

  it('composes with an existing response, keeping its own request overrides', async () => {
    const { cm } = make()
    const existing = new Response(null, {
      headers: {
        'x-middleware-next': '1',
        'x-middleware-override-headers': 'x-tenant',
        'x-middleware-request-x-tenant': 'acme',
        'x-custom': 'kept',
      },
    })
    const req = new Request('http://127.0.0.1/', { headers: { 'user-agent': CHROME_UA, 'x-tenant': 'spoofed' } })
    const res = await cm.middleware(req, existing)
    expect(res).toBe(existing)
    expect(res.headers.get('x-custom')).toBe('kept')
    expect(forwardedHeader(res, 'x-tenant')).toBe('acme')
    expect(forwardedHeader(res, PROFILE_HEADER)).toBe('blink;Chrome%20Headless;156.0.0.0;Blink')
    // The earlier override list is the whole forwarded request (Next drops headers not listed): ours join it.
    expect(res.headers.get('x-middleware-override-headers')!.split(',').sort()).toEqual(
      ['x-tenant', PROFILE_HEADER].sort(),
    )
  })
})
