import { describe, expect, it, vi } from 'vitest'
import { webBackend } from './backend.js'
import { deriveKey } from './keys.js'
import { resolveOptions } from './options/index.js'
import { BUILTIN_BROWSERS } from './browsers/database.js'
import { seal } from './seal.js'
import { freezeClock } from './test-support/clock.js'
import { type Cart, commit, make, NOW } from './test-support/engine.js'
import { CHROME_UA, Jar, SECRET } from './test-support/jar.js'

// Issue 13 item 3: with `rolling`, a session re-issued before each expiry lived for ever, a stolen
// copy too. Every token carries, authenticated, when its session was first issued; older than
// `absoluteMaxAge`, it is expired whatever its `exp`.

freezeClock(NOW)

const DAY = 86_400
const at = (seconds: number) => vi.setSystemTime(NOW.getTime() + seconds * 1000)
const nowS = NOW.getTime() / 1000
/** The wire fields after the chunk header: kid, iat, exp, flags, age. */
const fields = (jar: Jar) => jar.cookies.get('session')!.split('.').slice(2, 7)

describe('absoluteMaxAge', () => {
  it('a copy replayed every 31 minutes with maxAge 1 h and rolling dies 30 days after its first issue', async () => {
    const { cm, errors } = make({ rolling: true, maxAge: 3600 })
    const stolen = new Jar(CHROME_UA)
    await commit(cm, stolen, (d) => d.cart.push('a'))
    let t = 0
    let reissued = 0
    // Each replay goes through the proxy, which re-issues it past half of maxAge.
    while (t + 31 * 60 < 30 * DAY) {
      t += 31 * 60
      at(t)
      const decision = await cm.planProxy(stolen.headers(), undefined, 'GET')
      expect(decision.requestHeaders['x-next-cookieman-rejected']).toBe('')
      if (decision.setCookie.length > 0) reissued++
      stolen.apply(decision.setCookie)
      expect((await cm.decodeSession(stolen.headers())).data.cart).toEqual(['a'])
    }
    expect(reissued).toBe(Math.floor((30 * DAY - 1) / (31 * 60)))
    expect(errors).toEqual([])
    // Every re-issue kept the first issue time: the age field grew with iat.
    const [, iat36, , flags, age36] = fields(stolen)
    expect(flags).toBe('2')
    expect(Number.parseInt(iat36!, 36) - Number.parseInt(age36!, 36)).toBe(nowS)
    at(30 * DAY)
    const late = await cm.decodeSession(stolen.headers())
    expect(late.isNew).toBe(true)
    expect(late.error?.code).toBe('ERR_SESSION_EXPIRED')
    // The last re-issue's exp already stopped at the limit (so its Max-Age did for the browser).
    expect(Number.parseInt(fields(stolen)[2]!, 36)).toBe(nowS + 30 * DAY)
    expect(errors).toEqual(['ERR_SESSION_EXPIRED'])
  })

  it('commits of changed data keep the first issue time too, and the last one expires with it', async () => {
    const { cm } = make({ maxAge: 7 * DAY, absoluteMaxAge: 10 * DAY })
    const jar = new Jar(CHROME_UA)
    await commit(cm, jar, (d) => d.cart.push('a'))
    at(6 * DAY)
    await commit(cm, jar, (d) => d.cart.push('b'))
    // exp and the cookie's Max-Age stop at the absolute limit, not at 6 + 7 days.
    at(9 * DAY)
    const { setCookie } = await commit(cm, jar, (d) => d.cart.push('c'))
    const [, iat36, exp36] = fields(jar)
    expect(Number.parseInt(iat36!, 36)).toBe(nowS + 9 * DAY)
    expect(Number.parseInt(exp36!, 36)).toBe(nowS + 10 * DAY)
    expect(setCookie[0]).toContain(`; Max-Age=${DAY};`)
    at(10 * DAY - 1)
    expect((await cm.decodeSession(jar.headers())).data.cart).toEqual(['a', 'b', 'c'])
    at(10 * DAY)
    expect((await cm.decodeSession(jar.headers())).error?.code).toBe('ERR_SESSION_EXPIRED')
  })

  it('the first issue time is authenticated: a younger age fails verification', async () => {
    const { cm, errors } = make({ rolling: true })
    const jar = new Jar(CHROME_UA)
    await commit(cm, jar, (d) => d.cart.push('a'))
    at(DAY)
    await commit(cm, jar, (d) => d.cart.push('b'))
    const value = jar.cookies.get('session')!
    const parts = value.split('.')
    expect(parts[6]).toBe(DAY.toString(36))
    parts[6] = '0'
    jar.cookies.set('session', parts.join('.'))
    const s = await cm.decodeSession(jar.headers())
    expect(s.error?.code).toBe('ERR_SESSION_TAMPERED')
    expect(errors).toEqual(['ERR_SESSION_TAMPERED'])
  })

  it('session.createdAt: undefined until stored, then the first issue, kept; a destroyed session starts over', async () => {
    const { cm } = make()
    const jar = new Jar(CHROME_UA)
    const s = await cm.decodeSession(jar.headers())
    expect(s.createdAt).toBeUndefined()
    s.data.cart.push('a')
    jar.apply((await cm.encodeSession(s, jar.headers())).setCookie)
    expect(s.createdAt).toEqual(NOW)
    at(3600)
    const again = await cm.decodeSession(jar.headers())
    expect(again.createdAt).toEqual(NOW)
    again.data.cart.push('b')
    jar.apply((await cm.encodeSession(again, jar.headers())).setCookie)
    expect(again.createdAt).toEqual(NOW)
    again.destroy()
    jar.apply((await cm.encodeSession(again, jar.headers())).setCookie)
    expect(again.createdAt).toBeUndefined()
    at(7200)
    again.data = { cart: ['c'], recent: [] }
    jar.apply((await cm.encodeSession(again, jar.headers())).setCookie)
    expect(again.createdAt).toEqual(new Date(NOW.getTime() + 7_200_000))
    expect((await cm.decodeSession(jar.headers())).createdAt).toEqual(new Date(NOW.getTime() + 7_200_000))
  })

  it('a token of the first version (no age field) still opens, counted from its own issue', async () => {
    const { cm, errors } = make()
    const key = await deriveKey(SECRET, 'session', 'encrypt', webBackend)
    const iat = nowS - 2 * DAY
    const wire = await seal(
      'encrypt',
      key,
      { kid: key.kid, iat, exp: iat + 14 * DAY, created: undefined, compressed: false },
      new TextEncoder().encode('{"cart":["old"],"recent":[]}'),
    )
    expect(wire.split('.')[3]).toBe('0')
    expect(wire.split('.')[4]).toBe('')
    const jar = new Jar(CHROME_UA, { session: `v1.1.${wire}` })
    const s = await cm.decodeSession(jar.headers())
    expect(s.error).toBeUndefined()
    expect(s.data.cart).toEqual(['old'])
    expect(s.createdAt).toEqual(new Date(iat * 1000))
    // Its next commit writes the current form, keeping that time.
    s.data.cart.push('new')
    jar.apply((await cm.encodeSession(s, jar.headers())).setCookie)
    const [, iat36, , flags, age36] = fields(jar)
    expect(flags).toBe('2')
    expect(Number.parseInt(iat36!, 36) - Number.parseInt(age36!, 36)).toBe(iat)
    // A first-version token counts from its own iat, which maxAge already bounds.
    const old = nowS - 15 * DAY
    const ancient = await seal(
      'encrypt',
      key,
      { kid: key.kid, iat: old, exp: nowS + DAY, created: undefined, compressed: false },
      new TextEncoder().encode('{"cart":[],"recent":[]}'),
    )
    const r = await cm.decodeSession(new Jar(CHROME_UA, { session: `v1.1.${ancient}` }).headers())
    expect(r.error?.code).toBe('ERR_SESSION_EXPIRED')
    expect(errors).toEqual(['ERR_SESSION_EXPIRED'])
  })

  it('a lower absoluteMaxAge applies to sessions issued under a higher one', async () => {
    const before = make({ maxAge: 14 * DAY })
    const jar = new Jar(CHROME_UA)
    await commit(before.cm, jar, (d) => d.cart.push('a'))
    at(12 * DAY)
    await commit(before.cm, jar, (d) => d.cart.push('b'))
    at(16 * DAY)
    const after = make({ maxAge: 14 * DAY, absoluteMaxAge: 15 * DAY })
    const s = await after.cm.decodeSession(jar.headers())
    expect(s.error?.code).toBe('ERR_SESSION_EXPIRED')
    expect(s.error?.message).toBe('session cookie session was first issued more than absoluteMaxAge (1296000 s) ago')
    expect((await before.cm.decodeSession(jar.headers())).data.cart).toEqual(['a', 'b'])
  })

  it('options: default 30 days (or maxAge when longer), at least maxAge, at most 400 days', () => {
    const resolve = (o: Record<string, unknown>) =>
      resolveOptions<Cart>({ secret: SECRET, ...o } as Parameters<typeof resolveOptions<Cart>>[0], BUILTIN_BROWSERS)
    expect(resolve({}).absoluteMaxAge).toBe(30 * DAY)
    expect(resolve({ maxAge: 90 * DAY }).absoluteMaxAge).toBe(90 * DAY)
    expect(resolve({ maxAge: 3600, absoluteMaxAge: 3600 }).absoluteMaxAge).toBe(3600)
    expect(() => resolve({ maxAge: 7200, absoluteMaxAge: 3600 })).toThrow(
      'option absoluteMaxAge (3600 s) must be at least maxAge (7200 s)',
    )
    expect(() => resolve({ absoluteMaxAge: 400 * DAY + 1 })).toThrow(
      'option absoluteMaxAge is 34560001 s; at most 400 days (34560000 s)',
    )
    expect(() => resolve({ absoluteMaxAge: 0 })).toThrow('option absoluteMaxAge must be an integer >= 1, got 0')
  })
})
