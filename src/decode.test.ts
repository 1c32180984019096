import { describe, expect, it, vi } from 'vitest'
import { freezeClock } from './test-support/clock.js'
import { createCookieman } from './create.js'
import type { SessionErrorCode } from './errors.js'
import { CHROME_UA, Jar, SECRET, SECRET2 } from './test-support/jar.js'
import { type Cart, commit, make, NOW, skus } from './test-support/engine.js'

// The read path (decode.ts): which cookies are ours, what a bad one gives, and which keys open a token.

freezeClock(NOW)

describe('look-alike cookie names are never ours', () => {
  it('ignores session-id, session.x, session.01, sessions, xsession and never deletes them', async () => {
    const { cm, errors } = make()
    const others = {
      'session-id': 'abc',
      'session.x': 'def',
      'session.01': 'ghi',
      'session.0': 'jkl',
      sessions: 'mno',
      xsession: 'pqr',
      'session.1.2': 'stu',
    }
    const jar = new Jar(CHROME_UA, others)
    const s = await cm.decodeSession(jar.headers())
    expect(s.isNew).toBe(true)
    expect(s.error).toBeUndefined()
    s.data.cart.push('a')
    const { setCookie, report } = await cm.encodeSession(s, jar.headers())
    expect(setCookie.map((c) => c.split('=')[0])).toEqual(['session'])
    expect(report.deleted).toEqual([])
    jar.apply(setCookie)
    for (const [name, value] of Object.entries(others)) expect(jar.cookies.get(name)).toBe(value)
    expect((await cm.decodeSession(jar.headers())).data.cart).toEqual(['a'])
    expect(errors).toEqual([])
  })

  it('counts look-alikes as other cookies in the budget', async () => {
    const { cm } = make()
    const jar = new Jar(CHROME_UA, { 'session-id': 'a'.repeat(1000) })
    const s = await cm.decodeSession(jar.headers())
    const { report } = await cm.encodeSession(s, jar.headers())
    expect(report.budget.available).toBe(8192 - 512 - 10 - ('session-id='.length + 1000 + 2))
  })
})

describe('bad cookies give a new session, a code and one onError call', () => {
  async function twoChunkJar() {
    const { cm, errors } = make({ limits: { maxCookieHeaderBytes: 32768 } })
    const jar = new Jar(CHROME_UA)
    await commit(cm, jar, (d) => (d.cart = skus(250)))
    expect(jar.cookies.size).toBe(3)
    return { cm, errors, jar }
  }

  async function expectRejected(
    cm: ReturnType<typeof make>['cm'],
    errors: SessionErrorCode[],
    cookieHeader: string,
    code: SessionErrorCode,
  ) {
    const s = await cm.decodeSession(new Headers({ cookie: cookieHeader }))
    expect(s.isNew).toBe(true)
    expect(s.error?.code).toBe(code)
    expect(s.error?.name).toBe('SessionError')
    expect(s.data).toEqual({ cart: [], recent: [] })
    expect(errors).toEqual([code])
  }

  it('ERR_SESSION_TAMPERED: one character changed in a middle chunk', async () => {
    const { cm, errors, jar } = await twoChunkJar()
    const v = jar.cookies.get('session.1')!
    jar.cookies.set('session.1', v.slice(0, 100) + (v[100] === 'A' ? 'B' : 'A') + v.slice(101))
    await expectRejected(cm, errors, jar.header(), 'ERR_SESSION_TAMPERED')
  })

  it('ERR_SESSION_TAMPERED: chunks reordered', async () => {
    const { cm, errors, jar } = await twoChunkJar()
    const one = jar.cookies.get('session.1')!
    jar.cookies.set('session.1', jar.cookies.get('session.2')!)
    jar.cookies.set('session.2', one)
    await expectRejected(cm, errors, jar.header(), 'ERR_SESSION_TAMPERED')
  })

  it('ERR_SESSION_TAMPERED: a chunk truncated', async () => {
    const { cm, errors, jar } = await twoChunkJar()
    jar.cookies.set('session.2', jar.cookies.get('session.2')!.slice(0, -1))
    await expectRejected(cm, errors, jar.header(), 'ERR_SESSION_TAMPERED')
  })

  it('ERR_SESSION_TAMPERED: chunks mixed from two sessions of the same secret', async () => {
    const a = await twoChunkJar()
    const b = new Jar(CHROME_UA)
    await commit(a.cm, b, (d) => (d.cart = skus(250).reverse()))
    a.errors.length = 0
    a.jar.cookies.set('session.1', b.cookies.get('session.1')!)
    await expectRejected(a.cm, a.errors, a.jar.header(), 'ERR_SESSION_TAMPERED')
  })

  it('ERR_SESSION_TAMPERED: the kid or exp in the first chunk changed', async () => {
    const { cm, errors, jar } = await twoChunkJar()
    const v = jar.cookies.get('session')!
    const parts = v.split('.')
    parts[4] = (Number.parseInt(parts[4]!, 36) + 86400).toString(36)
    jar.cookies.set('session', parts.join('.'))
    await expectRejected(cm, errors, jar.header(), 'ERR_SESSION_TAMPERED')
  })

  it('ERR_SESSION_TAMPERED: a session sealed with a secret we do not hold', async () => {
    const { cm: other } = make({ secret: SECRET2 })
    const jar = new Jar(CHROME_UA)
    await commit(other, jar, (d) => d.cart.push('forged'))
    const { cm, errors } = make()
    await expectRejected(cm, errors, jar.header(), 'ERR_SESSION_TAMPERED')
  })

  it('ERR_SESSION_TAMPERED: a sign-mode token opened in encrypt mode', async () => {
    const { cm: signer } = make({ mode: 'sign' })
    const jar = new Jar(CHROME_UA)
    await commit(signer, jar, (d) => d.cart.push('x'))
    const { cm, errors } = make()
    await expectRejected(cm, errors, jar.header(), 'ERR_SESSION_TAMPERED')
  })

  it('ERR_SESSION_CHUNK_MISSING: the header names more chunks than arrived', async () => {
    const { cm, errors, jar } = await twoChunkJar()
    jar.cookies.delete('session.2')
    await expectRejected(cm, errors, jar.header(), 'ERR_SESSION_CHUNK_MISSING')
  })

  it('ERR_SESSION_CHUNK_MISSING: NAME.k without NAME', async () => {
    const { cm, errors, jar } = await twoChunkJar()
    jar.cookies.delete('session')
    await expectRejected(cm, errors, jar.header(), 'ERR_SESSION_CHUNK_MISSING')
  })

  it('ERR_SESSION_CHUNK_MISSING: a forged count of 9999 costs nothing', async () => {
    const { cm, errors } = make()
    await expectRejected(cm, errors, 'session=v1.9999.abc; session.1=x', 'ERR_SESSION_CHUNK_MISSING')
  })

  it.each([
    ['garbage', 'session=hello'],
    ['an iron-session seal', 'session=Fe26.2**abc*def'],
    ['a JWT', 'session=eyJhbGciOiJIUzI1NiJ9.e30.abc'],
    ['an unknown version', 'session=v2.1.abcd.1.2.0..x.y.z'],
    ['a zero count', 'session=v1.0.abcd'],
    ['a leading-zero count', 'session=v1.01.abcd'],
    ['empty', 'session='],
  ])('ERR_SESSION_MALFORMED: %s', async (_name, header) => {
    const { cm, errors } = make()
    await expectRejected(cm, errors, header, 'ERR_SESSION_MALFORMED')
  })

  it.each([
    ['meta not in our format', 'session=v1.1.not-our-meta'],
    ['nothing after the header', 'session=v1.1.'],
    ['a non-canonical number', 'session=v1.1.abcd.0tp4hdz.tpuepz.0..a.b.c'],
  ])('ERR_SESSION_MALFORMED: header fine but %s', async (_name, header) => {
    const { cm, errors } = make()
    await expectRejected(cm, errors, header, 'ERR_SESSION_MALFORMED')
  })

  it('ERR_SESSION_TAMPERED: whitespace inside a value (decoders skip it, we do not)', async () => {
    const { cm, errors, jar } = await twoChunkJar()
    const v = jar.cookies.get('session.1')!
    jar.cookies.set('session.1', v.slice(0, 50) + ' ' + v.slice(50))
    await expectRejected(cm, errors, jar.header(), 'ERR_SESSION_TAMPERED')
  })

  it('ERR_SESSION_TAMPERED: the unused bits of the tag’s last character changed', async () => {
    const { cm, errors } = make()
    const jar = new Jar(CHROME_UA)
    await commit(cm, jar, (d) => d.cart.push('a'))
    const v = jar.cookies.get('session')!
    // The 16-byte tag is 22 characters: the last one carries 2 bits and 4 unused ones.
    const last = v.at(-1)!
    const sibling = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
    const index = sibling.indexOf(last)
    const altered = v.slice(0, -1) + sibling[index + 1]
    expect(index % 16).toBe(0)
    jar.cookies.set('session', altered)
    errors.length = 0
    await expectRejected(cm, errors, jar.header(), 'ERR_SESSION_TAMPERED')
  })

  it('ERR_SESSION_EXPIRED: a token older than a lowered maxAge', async () => {
    const { cm: long } = make({ maxAge: 30 * 86400 })
    const jar = new Jar(CHROME_UA)
    await commit(long, jar, (d) => d.cart.push('a'))
    vi.setSystemTime(NOW.getTime() + 120_000)
    const { cm: short, errors } = make({ maxAge: 60 })
    await expectRejected(short, errors, jar.header(), 'ERR_SESSION_EXPIRED')
  })

  it('ERR_SESSION_EXPIRED: read at exp exactly, with no clock tolerance', async () => {
    const { cm, errors } = make({ maxAge: 60 })
    const jar = new Jar(CHROME_UA)
    await commit(cm, jar, (d) => d.cart.push('a'))
    vi.setSystemTime(NOW.getTime() + 59_999)
    expect((await cm.decodeSession(jar.headers())).data.cart).toEqual(['a'])
    vi.setSystemTime(NOW.getTime() + 60_000)
    await expectRejected(cm, errors, jar.header(), 'ERR_SESSION_EXPIRED')
  })

  it('ERR_SESSION_EXPIRED: a token issued more than 60 s in the future (a server whose clock runs fast)', async () => {
    const { cm, errors } = make({ maxAge: 86400 })
    const jar = new Jar(CHROME_UA)
    vi.setSystemTime(NOW.getTime() + 61_000)
    await commit(cm, jar, (d) => d.cart.push('a'))
    vi.setSystemTime(NOW)
    await expectRejected(cm, errors, jar.header(), 'ERR_SESSION_EXPIRED')
    // Within the skew it is read.
    const ahead = new Jar(CHROME_UA)
    vi.setSystemTime(NOW.getTime() + 60_000)
    await commit(cm, ahead, (d) => d.cart.push('b'))
    vi.setSystemTime(NOW)
    expect((await cm.decodeSession(ahead.headers())).data.cart).toEqual(['b'])
  })

  it('a throwing onError hook does not make decode throw', async () => {
    const cm = createCookieman<Cart>({
      secret: SECRET,
      defaults: () => ({ cart: [], recent: [] }),
      onError: () => {
        throw new Error('hook bug')
      },
    })
    const spy = vi.spyOn(console, 'error').mockImplementation(() => {})
    const s = await cm.decodeSession(new Headers({ cookie: 'session=garbage' }))
    expect(s.error?.code).toBe('ERR_SESSION_MALFORMED')
    expect(spy).toHaveBeenCalledTimes(1)
    spy.mockRestore()
  })

  it('the next commit of a rejected session deletes the bad chunks', async () => {
    const { cm, jar } = await twoChunkJar()
    jar.cookies.set('session.1', 'tampered')
    const s = await cm.decodeSession(jar.headers())
    const { setCookie, report } = await cm.encodeSession(s, jar.headers())
    expect(report.deleted).toEqual(['session', 'session.1', 'session.2'])
    jar.apply(setCookie)
    expect(jar.names()).toEqual([])
  })
})

describe('secret rotation', () => {
  it('the first secret seals, all open, kid picks the key', async () => {
    const { cm: old } = make({ secret: SECRET })
    const jar = new Jar(CHROME_UA)
    await commit(old, jar, (d) => d.cart.push('from-old'))
    const { cm: rotated, errors } = make({ secret: [SECRET2, SECRET] })
    const s = await rotated.decodeSession(jar.headers())
    expect(s.error).toBeUndefined()
    expect(s.data.cart).toEqual(['from-old'])
    s.data.cart.push('from-new')
    jar.apply((await rotated.encodeSession(s, jar.headers())).setCookie)
    // Sealed with SECRET2 now: the old instance cannot open it, a SECRET2-only one can.
    expect((await old.decodeSession(jar.headers())).error?.code).toBe('ERR_SESSION_TAMPERED')
    const { cm: next } = make({ secret: SECRET2 })
    expect((await next.decodeSession(jar.headers())).data.cart).toEqual(['from-old', 'from-new'])
    expect(errors).toEqual([])
  })

  it('the kid differs per secret and per cookie name, and is stable', async () => {
    const kidOf = async (secret: string, cookieName = 'session') => {
      const { cm } = make({ secret, cookieName })
      const jar = new Jar(CHROME_UA)
      await commit(cm, jar, (d) => d.cart.push('a'))
      return jar.cookies.get(cookieName)!.split('.')[2]
    }
    const a = await kidOf(SECRET)
    expect(await kidOf(SECRET)).toBe(a)
    expect(await kidOf(SECRET2)).not.toBe(a)
    expect(await kidOf(SECRET, 'sid')).not.toBe(a)
  })
})
