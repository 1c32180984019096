// Security defaults and the app's verify() hook.
import { describe, expect, it } from 'vitest'
import { freezeClock } from './test-support/clock.js'
import { createCookieman } from './create.js'
import type { NextCookieman } from './next/index.js'
import type { SessionErrorCode } from './errors.js'
import { CHROME_UA, Jar, SECRET, SECRET2 } from './test-support/jar.js'

type User = { userId?: string; version?: number; note?: string }
const NOW = new Date('2026-11-26T12:00:00Z')

freezeClock(NOW)

async function store(cm: NextCookieman<User>, jar: Jar, data: User) {
  const s = await cm.decodeSession(jar.headers())
  Object.assign(s.data, data)
  const out = await cm.encodeSession(s, jar.headers())
  jar.apply(out.setCookie)
  return out
}

describe('defaults', () => {
  it('live chunks: HttpOnly, Secure, SameSite=Lax, Path=/, Max-Age 14 days; no Domain, no Expires', async () => {
    const cm = createCookieman<User>({ secret: SECRET })
    const { setCookie } = await store(cm, new Jar(CHROME_UA), { note: 'x' })
    expect(setCookie).toHaveLength(1)
    expect(setCookie[0]!.replace(/^session=[^;]+/, 'session=…')).toBe(
      'session=…; Max-Age=1209600; Path=/; HttpOnly; Secure; SameSite=Lax',
    )
  })

  it('Max-Age at the 400-day cap is accepted, one second more is refused', async () => {
    const cm = createCookieman<User>({ secret: SECRET, maxAge: 34_560_000 })
    const { setCookie } = await store(cm, new Jar(CHROME_UA), { note: 'x' })
    expect(setCookie[0]).toContain('; Max-Age=34560000;')
    expect(() => createCookieman<User>({ secret: SECRET, maxAge: 34_560_001 })).toThrowError(
      expect.objectContaining({ code: 'ERR_SESSION_CONFIG' }) as Error,
    )
  })

  it('deletion: Max-Age=0 and an epoch Expires, same attributes', async () => {
    const cm = createCookieman<User>({ secret: SECRET })
    const jar = new Jar(CHROME_UA)
    await store(cm, jar, { note: 'x' })
    const s = await cm.decodeSession(jar.headers())
    s.destroy()
    const { setCookie } = await cm.encodeSession(s, jar.headers())
    expect(setCookie).toEqual([
      'session=; Max-Age=0; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; Secure; SameSite=Lax',
    ])
  })

  it.each([['short'], ['x'.repeat(31)], [''], [['x'.repeat(32), 'tooshort']]])(
    'refuses the weak secret %j',
    (secret) => {
      expect(() => createCookieman({ secret: secret as string })).toThrowError(
        expect.objectContaining({ code: 'ERR_SESSION_CONFIG' }) as Error,
      )
    },
  )

  it('rotation: a session sealed with the old secret opens while both are configured, not after', async () => {
    const jar = new Jar(CHROME_UA)
    await store(createCookieman<User>({ secret: SECRET }), jar, { userId: 'u1' })
    const both = createCookieman<User>({ secret: [SECRET2, SECRET] })
    expect((await both.decodeSession(jar.headers())).data.userId).toBe('u1')
    const newOnly = createCookieman<User>({ secret: SECRET2 })
    expect((await newOnly.decodeSession(jar.headers())).error?.code).toBe('ERR_SESSION_TAMPERED')
  })
})

describe('verify(data)', () => {
  function make(verify: (data: Partial<User>) => boolean | Promise<boolean>) {
    const errors: SessionErrorCode[] = []
    const cm = createCookieman<User>({ secret: SECRET, verify, onError: (e) => errors.push(e.code) })
    return { cm, errors }
  }

  it('accepts what it returns true for, and sees the stored data (before defaults)', async () => {
    const seen: Array<Partial<User>> = []
    const { cm, errors } = make((data) => {
      seen.push(data)
      return true
    })
    const jar = new Jar(CHROME_UA)
    await store(cm, jar, { userId: 'u1', version: 3 })
    const s = await cm.decodeSession(jar.headers())
    expect(s.data).toEqual({ userId: 'u1', version: 3 })
    expect(seen).toEqual([{ userId: 'u1', version: 3 }])
    expect(errors).toEqual([])
  })

  it('a session-version mismatch rejects the session: new, ERR_SESSION_EXPIRED, one onError call', async () => {
    const current = new Map([['u1', 4]])
    const { cm, errors } = make(async (data) => data.userId === undefined || current.get(data.userId) === data.version)
    const jar = new Jar(CHROME_UA)
    await store(cm, jar, { userId: 'u1', version: 3 })
    const s = await cm.decodeSession(jar.headers())
    expect(s.isNew).toBe(true)
    expect(s.data).toEqual({})
    expect(s.error?.code).toBe('ERR_SESSION_EXPIRED')
    expect(s.error?.message).toContain('rejected by verify()')
    expect(errors).toEqual(['ERR_SESSION_EXPIRED'])
  })

  it('a throwing verify() rejects the session instead of throwing', async () => {
    const { cm, errors } = make(() => {
      throw new Error('db down')
    })
    const jar = new Jar(CHROME_UA)
    await store(cm, jar, { userId: 'u1' })
    const s = await cm.decodeSession(jar.headers())
    expect(s.error?.code).toBe('ERR_SESSION_EXPIRED')
    expect((s.error?.cause as Error).message).toBe('db down')
    expect(errors).toEqual(['ERR_SESSION_EXPIRED'])
  })

  it('is never called for a cookie that failed verification', async () => {
    let calls = 0
    const { cm } = make(() => {
      calls++
      return true
    })
    await cm.decodeSession(new Headers({ cookie: 'session=v1.1.abcd.1.2.0..a.b.c' }))
    expect(calls).toBe(0)
  })
})

describe('SessionError', () => {
  it('serializes with its code and message (a report in Response.json keeps them)', async () => {
    const cm = createCookieman<User>({ secret: SECRET, onError: () => {} })
    const s = await cm.decodeSession(new Headers({ cookie: 'session=garbage' }))
    expect(JSON.parse(JSON.stringify({ error: s.error }))).toEqual({
      error: {
        name: 'SessionError',
        code: 'ERR_SESSION_MALFORMED',
        message: 'session cookie session is not in the next-cookieman format',
      },
    })
  })
})

describe('what is authenticated: the joined token, not where it is cut', () => {
  it('the same token re-sliced across the same chunks reads back; a changed byte or count does not', async () => {
    const errors: SessionErrorCode[] = []
    const cm = createCookieman<User>({
      secret: SECRET,
      onError: (e) => errors.push(e.code),
      limits: { fronts: ['node'], maxCookieHeaderBytes: 16384, reserveBytes: 512 },
    })
    const jar = new Jar(CHROME_UA)
    await store(cm, jar, { note: 'n'.repeat(5000) })
    const first = jar.cookies.get('session')!
    const second = jar.cookies.get('session.1')!
    expect([...jar.cookies.keys()]).toEqual(['session', 'session.1'])
    // Move 40 token characters from the end of `session` to the start of `session.1`.
    const moved = new Jar(CHROME_UA, { session: first.slice(0, -40), 'session.1': first.slice(-40) + second })
    expect((await cm.decodeSession(moved.headers())).data.note).toBe('n'.repeat(5000))
    expect(errors).toEqual([])
    const altered = second.slice(0, 20) + (second[20] === 'A' ? 'B' : 'A') + second.slice(21)
    const changed = new Jar(CHROME_UA, { session: first, 'session.1': altered })
    expect((await cm.decodeSession(changed.headers())).isNew).toBe(true)
    expect(errors).toEqual(['ERR_SESSION_TAMPERED'])
  })
})
