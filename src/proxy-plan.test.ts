import { METHOD_HEADER } from './cross-site.js'
import { FLASH_HEADER } from './flash.js'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createEngine, PROFILE_HEADER, REJECTED_HEADER, SPENT_HEADER, type Cookieman } from './core.js'
import { CHROME_UA, FIREFOX_UA, Jar, SECRET } from './test-support/jar.js'

// The proxy's decision is plain data: no framework, no Response. These tests drive it through the
// core entry the way any adapter would.

type Cart = { cart: string[] }
const NOW = new Date('2026-11-26T12:00:00Z')
const DELETE_ATTRIBUTES = 'Max-Age=0; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; Secure; SameSite=Lax'
// The marker of the stale chunks the proxy deleted (see the test of deletions that cannot work).
const MARKER = /^session\.gone=[0-9a-z]+; Max-Age=86400; Path=\/; HttpOnly; Secure; SameSite=Lax$/
const markerPair = (setCookie: string[]) => setCookie.at(-1)!.split(';')[0]!

beforeEach(() => {
  vi.useFakeTimers()
  vi.setSystemTime(NOW)
})
afterEach(() => {
  vi.useRealTimers()
})

async function stored(engine: Cookieman<Cart>, jar: Jar, cart: string[]): Promise<void> {
  const session = await engine.decodeSession(jar.headers())
  session.data.cart = cart
  jar.apply((await engine.encodeSession(session, jar.headers())).setCookie)
}

/** The request headers the rest of the request sees once the adapter applied the decision. */
function forwarded(headers: Headers, changes: Record<string, string>): Headers {
  const out = new Headers(headers)
  for (const [key, value] of Object.entries(changes)) out.set(key, value)
  return out
}

describe('planProxy', () => {
  it('forwards the profile parsed from the User-Agent, replacing a client-sent one, and writes nothing else', async () => {
    const engine = createEngine<Cart>({ secret: SECRET, defaults: () => ({ cart: [] }) })
    const headers = new Headers({
      'user-agent': FIREFOX_UA,
      [PROFILE_HEADER]: 'trident;IE;11.0;Trident',
      [SPENT_HEADER]: '99999',
      [METHOD_HEADER]: 'GET',
      [FLASH_HEADER]: 'forged',
    })
    expect(await engine.planProxy(headers, undefined, 'POST')).toEqual({
      requestHeaders: {
        [PROFILE_HEADER]: 'gecko;Firefox;153.0;Gecko',
        [SPENT_HEADER]: '0',
        [REJECTED_HEADER]: '',
        [METHOD_HEADER]: 'POST',
        [FLASH_HEADER]: '',
      },
      setCookie: [],
      cookies: [],
      responseHeaders: {},
    })
  })

  it('deletes stale chunks and gives the Cookie header the rest of the request must see', async () => {
    const engine = createEngine<Cart>({ secret: SECRET, defaults: () => ({ cart: [] }) })
    const jar = new Jar(CHROME_UA)
    await stored(engine, jar, ['a'])
    jar.cookies.set('session.7', 'planted')
    jar.cookies.set('theme', 'dark')
    const decision = await engine.planProxy(jar.headers())
    expect(decision.setCookie).toEqual([`session.7=; ${DELETE_ATTRIBUTES}`, expect.stringMatching(MARKER)])
    expect(decision.cookies.map((c) => [c.name, c.options.maxAge])).toEqual([
      ['session.7', 0],
      ['session.gone', 86400],
    ])
    expect(decision.requestHeaders['cookie']).toBe(
      `session=${jar.cookies.get('session')}; theme=dark; ${markerPair(decision.setCookie)}`,
    )
    // No shared cache stores it; the commits of the same request know what the response already carries.
    expect(decision.responseHeaders).toEqual({ 'cache-control': 'private, no-store' })
    expect(decision.requestHeaders[SPENT_HEADER]).toBe(
      String(decision.setCookie.reduce((n, line) => n + 'Set-Cookie: '.length + line.length + 2, 0)),
    )
  })

  it('reads the Cookie header it is given instead of the request one (an earlier proxy rewrote it)', async () => {
    const engine = createEngine<Cart>({ secret: SECRET, defaults: () => ({ cart: [] }) })
    const headers = new Headers({ 'user-agent': CHROME_UA, cookie: 'session.1=x' })
    const decision = await engine.planProxy(headers, 'theme=dark; session.2=y')
    expect(decision.setCookie).toEqual([`session.2=; ${DELETE_ATTRIBUTES}`, expect.stringMatching(MARKER)])
    expect(decision.requestHeaders['cookie']).toBe(`theme=dark; ${markerPair(decision.setCookie)}`)
  })

  it('with rolling, re-issues a session past half of maxAge; the rest of the request reads the new one', async () => {
    const engine = createEngine<Cart>({ secret: SECRET, rolling: true, maxAge: 3600, defaults: () => ({ cart: [] }) })
    const jar = new Jar(CHROME_UA, { theme: 'dark' })
    await stored(engine, jar, ['a', 'b'])
    const before = jar.cookies.get('session')
    expect((await engine.planProxy(jar.headers())).setCookie).toEqual([]) // not due yet

    vi.setSystemTime(NOW.getTime() + 1801 * 1000)
    const decision = await engine.planProxy(jar.headers())
    expect(decision.cookies.map((c) => [c.name, c.options.maxAge])).toEqual([['session', 3600]])
    const reissued = decision.cookies[0]!.value
    expect(reissued).not.toBe(before)
    expect(decision.requestHeaders['cookie']).toBe(`theme=dark; session=${reissued}`)
    const rest = await engine.decodeSession(forwarded(jar.headers(), decision.requestHeaders))
    expect([rest.isNew, rest.data]).toEqual([false, { cart: ['a', 'b'] }])
  })

  it('with rolling, a session the proxy rejects reaches onError once: deleted, and the readers told why', async () => {
    const errors: string[] = []
    const engine = createEngine<Cart>({
      secret: SECRET,
      rolling: true,
      defaults: () => ({ cart: [] }),
      onError: (e) => errors.push(e.code),
    })
    const headers = new Headers({ 'user-agent': CHROME_UA, cookie: 'theme=dark; session=v1.1.garbage; session.3=x' })
    const decision = await engine.planProxy(headers)
    expect(decision.setCookie.sort()).toEqual([`session.3=; ${DELETE_ATTRIBUTES}`, `session=; ${DELETE_ATTRIBUTES}`])
    expect(decision.requestHeaders['cookie']).toBe('theme=dark')
    expect(decision.requestHeaders['x-next-cookieman-rejected']).toBe('ERR_SESSION_MALFORMED')
    expect(errors).toEqual(['ERR_SESSION_MALFORMED'])
    // The reader (getSession) sees why the session is new, and does not report it a second time.
    const read = await engine.decodeSession(forwarded(headers, decision.requestHeaders))
    expect(read.isNew).toBe(true)
    expect(read.error?.code).toBe('ERR_SESSION_MALFORMED')
    expect(errors).toEqual(['ERR_SESSION_MALFORMED'])
    // A client cannot use the header through the proxy: it is overwritten; a valid cookie reads as valid.
    const forged = await engine.planProxy(new Headers({ 'x-next-cookieman-rejected': 'ERR_SESSION_TAMPERED' }))
    expect(forged.requestHeaders['x-next-cookieman-rejected']).toBe('')
  })

  const lineBytes = (lines: readonly string[]) =>
    lines.reduce((n, line) => n + 'Set-Cookie: '.length + line.length + 2, 0)
  const items = (n: number) => Array.from({ length: n }, (_, i) => `sku-${String(i).padStart(30, '0')}`)

  it('re-fits a session that no longer fits: a cookie of a narrower path appeared, the next request shrinks it', async () => {
    const engine = createEngine<Cart>({ secret: SECRET, defaults: () => ({ cart: [] }) })
    engine.register('cart', (data) => {
      data.cart?.shift()
      return data
    })
    const jar = new Jar(CHROME_UA)
    await stored(engine, jar, items(60))
    const fitted = jar.cookies.get('session')!
    expect((await engine.planProxy(jar.headers())).setCookie).toEqual([]) // fits: nothing to do
    // A 3,000-byte cookie scoped to /api: the commits on / never saw it.
    jar.cookies.set('api', 'a'.repeat(2996))
    const decision = await engine.planProxy(jar.headers())
    expect(decision.cookies.map((c) => c.name)).toEqual(['session'])
    const refit = decision.cookies[0]!.value
    expect(refit.length).toBeLessThan(fitted.length)
    expect(decision.responseHeaders).toEqual({ 'cache-control': 'private, no-store' })
    // The rest of the request reads the re-fitted session; the next Cookie header fits the budget again.
    const rest = await engine.decodeSession(forwarded(jar.headers(), decision.requestHeaders))
    expect(rest.error).toBeUndefined()
    expect(rest.data.cart.length).toBeLessThan(60)
    expect(rest.data.cart.at(-1)).toBe(items(60).at(-1))
    jar.apply(decision.setCookie)
    expect('Cookie: \r\n'.length + jar.header().length).toBeLessThanOrEqual(8192 - 4097)
    expect(lineBytes(decision.setCookie)).toBeLessThanOrEqual(4095 - 1024)
  })

  it('bounds its deletions by the response head: 40 tossed session.N cookies get as many deletions as 3,071 bytes hold', async () => {
    const engine = createEngine<Cart>({ secret: SECRET, defaults: () => ({ cart: [] }) })
    const jar = new Jar(CHROME_UA)
    await stored(engine, jar, ['a'])
    for (let k = 1; k <= 40; k++) jar.cookies.set(`session.${k}`, 'x')
    const decision = await engine.planProxy(jar.headers())
    const one = 'Set-Cookie: '.length + `session.10=; ${DELETE_ATTRIBUTES}`.length + 2
    expect(decision.setCookie).toHaveLength(Math.floor((4095 - 1024) / one))
    expect(lineBytes(decision.setCookie)).toBeLessThanOrEqual(4095 - 1024)
    // The commit of the same request knows what the proxy already spent of the response.
    expect(decision.requestHeaders[SPENT_HEADER]).toBe(String(lineBytes(decision.setCookie)))
    const headers = forwarded(jar.headers(), decision.requestHeaders)
    const session = await engine.decodeSession(headers)
    session.data.cart.push('b')
    const { setCookie, report } = await engine.encodeSession(session, headers)
    expect(report.budget.responseAvailable).toBe(Math.max(0, 4095 - 1024 - lineBytes(decision.setCookie)))
    expect(lineBytes(decision.setCookie) + lineBytes(setCookie)).toBeLessThanOrEqual(4095 - 1024)
  })

  it('with rolling, skips a re-issue that would have to trim the session: what is stored stays readable', async () => {
    const big = createEngine<Cart>({
      secret: SECRET,
      maxAge: 3600,
      defaults: () => ({ cart: [] }),
      limits: { fronts: ['node'] },
    })
    const jar = new Jar(CHROME_UA)
    await stored(big, jar, items(100)) // two chunks, written when the app was reached directly
    expect(jar.names()).toEqual(['session', 'session.1'])
    // Now behind a stock nginx, rolling: the stored session is over its 4 KiB response head.
    const engine = createEngine<Cart>({
      secret: SECRET,
      maxAge: 3600,
      rolling: true,
      defaults: () => ({ cart: [] }),
      limits: { reserveBytes: 0 },
    })
    engine.register('cart', (data) => {
      data.cart?.shift()
      return data
    })
    vi.setSystemTime(NOW.getTime() + 1801 * 1000)
    const decision = await engine.planProxy(jar.headers())
    expect(decision.setCookie).toEqual([])
    const rest = await engine.decodeSession(forwarded(jar.headers(), decision.requestHeaders))
    expect(rest.data.cart).toEqual(items(100))
  })

  it('does not re-send deletions that evidently cannot work: the same stale chunks came back after it deleted them', async () => {
    const engine = createEngine<Cart>({ secret: SECRET, defaults: () => ({ cart: [] }) })
    const jar = new Jar(CHROME_UA)
    await stored(engine, jar, ['a'])
    // Set by a sibling with another Domain (or Path): our deletions never remove them.
    const plant = (n: number) => {
      for (let k = 1; k <= n; k++) jar.cookies.set(`session.${k}`, 'x')
    }
    plant(3)
    const first = await engine.planProxy(jar.headers())
    const marker = first.cookies.find((c) => c.name === 'session.gone')!
    expect(first.cookies.map((c) => [c.name, c.options.maxAge])).toEqual([
      ['session.1', 0],
      ['session.2', 0],
      ['session.3', 0],
      ['session.gone', 86400],
    ])
    jar.apply(first.setCookie)
    plant(3) // they came back
    expect(jar.cookies.get('session.gone')).toBe(marker.value)
    expect((await engine.planProxy(jar.headers())).setCookie).toEqual([])
    // A commit does not send them again either, and counts them as cookies that stay.
    const session = await engine.decodeSession(jar.headers())
    session.data.cart.push('b')
    const commit = await engine.encodeSession(session, jar.headers())
    expect(commit.cookies.map((c) => c.name)).toEqual(['session'])
    const others = ['session.1', 'session.2', 'session.3', 'session.gone'].reduce(
      (n, name) => n + name.length + 1 + jar.cookies.get(name)!.length + 2,
      0,
    )
    expect(commit.report.budget.available).toBe(8192 - 4097 - 10 - others)
    // Another set: tried again, with a new tag.
    plant(4)
    const again = await engine.planProxy(jar.headers())
    expect(again.cookies.map((c) => c.name)).toEqual([
      'session.1',
      'session.2',
      'session.3',
      'session.4',
      'session.gone',
    ])
    expect(again.cookies.at(-1)!.value).not.toBe(marker.value)
    // Once they are gone, the marker goes too.
    jar.apply(again.setCookie)
    expect(jar.names()).toEqual(['session', 'session.gone'])
    const done = await engine.planProxy(jar.headers())
    expect(done.setCookie).toEqual([`session.gone=; ${DELETE_ATTRIBUTES}`])
    jar.apply(done.setCookie)
    expect(jar.names()).toEqual(['session'])
  })

  it('drops a session that no longer fits at all, so that the other cookies still get through (ERR_SESSION_TOO_LARGE)', async () => {
    const errors: string[] = []
    const engine = createEngine<Cart>({
      secret: SECRET,
      defaults: () => ({ cart: [] }),
      onError: (e) => errors.push(e.code),
    })
    const jar = new Jar(CHROME_UA)
    await stored(engine, jar, ['a', 'b'])
    // Other cookies past the budget (8,192 less one cookie of headroom), still under nginx's 8,192:
    // with the session they leave no room for one more cookie; without it, 3.9 KB.
    jar.cookies.set('big', 'b'.repeat(4200))
    const decision = await engine.planProxy(jar.headers())
    expect(decision.setCookie).toEqual([`session=; ${DELETE_ATTRIBUTES}`])
    expect(errors).toEqual(['ERR_SESSION_TOO_LARGE'])
    const rest = await engine.decodeSession(forwarded(jar.headers(), decision.requestHeaders))
    expect([rest.isNew, rest.data]).toEqual([true, { cart: [] }])
  })

  it('a logout works whatever the proxy spent of the response: NAME is always deleted', async () => {
    const engine = createEngine<Cart>({ secret: SECRET, defaults: () => ({ cart: [] }) })
    const jar = new Jar(CHROME_UA)
    await stored(engine, jar, ['a'])
    const headers = new Headers(jar.headers())
    headers.set(SPENT_HEADER, String(4095 - 1024)) // the whole response used by the proxy
    const session = await engine.decodeSession(headers)
    session.destroy()
    const { setCookie, report } = await engine.encodeSession(session, headers)
    expect(setCookie).toEqual([`session=; ${DELETE_ATTRIBUTES}`])
    expect(report.deleted).toEqual(['session'])
  })

  it('with rolling, re-issues on GET and HEAD only, never on a server action or another method', async () => {
    const engine = createEngine<Cart>({ secret: SECRET, rolling: true, maxAge: 3600, defaults: () => ({ cart: [] }) })
    const jar = new Jar(CHROME_UA)
    await stored(engine, jar, ['a'])
    vi.setSystemTime(NOW.getTime() + 1801 * 1000)
    expect((await engine.planProxy(jar.headers(), undefined, 'POST')).setCookie).toEqual([])
    const action = new Headers(jar.headers())
    action.set('next-action', 'abc123')
    expect((await engine.planProxy(action)).setCookie).toEqual([])
    expect((await engine.planProxy(jar.headers(), undefined, 'GET')).cookies.map((c) => c.name)).toEqual(['session'])
  })

  it('a session with a chunk missing is left to the readers: no decode, no onError, in the proxy', async () => {
    const errors: string[] = []
    const engine = createEngine<Cart>({
      secret: SECRET,
      defaults: () => ({ cart: [] }),
      onError: (e) => errors.push(e.code),
      limits: { fronts: ['node'] },
    })
    const jar = new Jar(CHROME_UA)
    await stored(
      engine,
      jar,
      Array.from({ length: 150 }, (_, i) => `sku-${String(i).padStart(30, '0')}`),
    )
    expect(jar.names()).toEqual(['session', 'session.1'])
    jar.cookies.delete('session.1')
    const decision = await engine.planProxy(jar.headers())
    expect(errors).toEqual([])
    expect(decision.setCookie).toEqual([])
    // The readers do report it, once.
    await engine.decodeSession(jar.headers())
    expect(errors).toEqual(['ERR_SESSION_CHUNK_MISSING'])
  })
})
