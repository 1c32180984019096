import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createEngine, PROFILE_HEADER, SPENT_HEADER, type Cookieman } from './core.js'
import { CHROME_UA, FIREFOX_UA, Jar, SECRET } from './test-support/jar.js'

// The proxy's decision is plain data: no framework, no Response. These tests drive it through the
// core entry the way any adapter would.

type Cart = { cart: string[] }
const NOW = new Date('2026-11-26T12:00:00Z')
const DELETE_ATTRIBUTES = 'Max-Age=0; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; Secure; SameSite=Lax'

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
    })
    expect(await engine.planProxy(headers)).toEqual({
      requestHeaders: { [PROFILE_HEADER]: 'gecko;Firefox;153.0;Gecko', [SPENT_HEADER]: '0' },
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
    expect(decision.setCookie).toEqual([`session.7=; ${DELETE_ATTRIBUTES}`])
    expect(decision.cookies.map((c) => [c.name, c.value, c.options.maxAge])).toEqual([['session.7', '', 0]])
    expect(decision.requestHeaders['cookie']).toBe(`session=${jar.cookies.get('session')}; theme=dark`)
    // No shared cache stores it; the commits of the same request know what the response already carries.
    expect(decision.responseHeaders).toEqual({ 'cache-control': 'private, no-store' })
    expect(decision.requestHeaders[SPENT_HEADER]).toBe(
      String('Set-Cookie: '.length + decision.setCookie[0]!.length + 2),
    )
  })

  it('reads the Cookie header it is given instead of the request one (an earlier proxy rewrote it)', async () => {
    const engine = createEngine<Cart>({ secret: SECRET, defaults: () => ({ cart: [] }) })
    const headers = new Headers({ 'user-agent': CHROME_UA, cookie: 'session.1=x' })
    const decision = await engine.planProxy(headers, 'theme=dark; session.2=y')
    expect(decision.setCookie).toEqual([`session.2=; ${DELETE_ATTRIBUTES}`])
    expect(decision.requestHeaders['cookie']).toBe('theme=dark')
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

  it('with rolling, leaves a bad session to the readers (they report it) and deletes only what is stale', async () => {
    const errors: string[] = []
    const engine = createEngine<Cart>({
      secret: SECRET,
      rolling: true,
      defaults: () => ({ cart: [] }),
      onError: (e) => errors.push(e.code),
    })
    const headers = new Headers({ 'user-agent': CHROME_UA, cookie: 'session=v1.1.garbage; session.3=x' })
    const decision = await engine.planProxy(headers)
    expect(decision.setCookie).toEqual([`session.3=; ${DELETE_ATTRIBUTES}`])
    expect(decision.requestHeaders['cookie']).toBe('session=v1.1.garbage')
    expect(errors).toEqual(['ERR_SESSION_MALFORMED'])
  })
})
