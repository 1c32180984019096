import { base64url } from 'jose'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { encodeProfile, PROFILE_HEADER } from './browsers/profile-header.js'
import type { CommitReport } from './report.js'
import { sealsPerformed } from './seal.js'
import { createCookieman } from './create.js'
import type { SessionError, SessionErrorCode } from './errors.js'
import { CHROME_UA, FIREFOX_UA, IE11_UA, Jar, SECRET, SECRET2 } from './test-support/jar.js'
import { profileFor } from './browsers/user-agent.js'

type Cart = { userId?: string; cart: string[]; recent: string[]; note?: string }

const NOW = new Date('2026-11-26T12:00:00Z')

function make(extra: Partial<Parameters<typeof createCookieman<Cart>>[0]> = {}) {
  const errors: SessionErrorCode[] = []
  const cm = createCookieman<Cart>({
    secret: SECRET,
    defaults: () => ({ cart: [], recent: [] }),
    onError: (e: SessionError) => errors.push(e.code),
    ...extra,
  })
  return { cm, errors }
}

async function commit(cm: ReturnType<typeof make>['cm'], jar: Jar, mutate: (d: Cart) => void) {
  const s = await cm.decodeSession(jar.headers())
  mutate(s.data)
  const out = await cm.encodeSession(s, jar.headers())
  jar.apply(out.setCookie)
  return { ...out, session: s }
}

function skus(n: number, width = 24): string[] {
  return Array.from({ length: n }, (_, i) => `sku-${String(i).padStart(width - 4, '0')}`)
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] })
  vi.setSystemTime(NOW)
})
afterEach(() => {
  vi.useRealTimers()
})

describe('round trip', () => {
  it('a new session has the defaults, no error, and writes nothing when unchanged', async () => {
    const { cm, errors } = make()
    const jar = new Jar(CHROME_UA)
    const s = await cm.decodeSession(jar.headers())
    expect(s.isNew).toBe(true)
    expect(s.error).toBeUndefined()
    expect(s.data).toEqual({ cart: [], recent: [] })
    const { setCookie, report } = await cm.encodeSession(s, jar.headers())
    expect(setCookie).toEqual([])
    expect(report.unchanged).toBe(true)
    expect(report.chunks).toBe(0)
    expect(report.budget).toEqual({
      perCookie: 4096,
      cookies: 180,
      headerBytes: 8192,
      available: 7670,
      source: 'blink',
    })
    expect(report.browser).toEqual({ name: 'Chrome Headless', version: '156.0.0.0', engine: 'Blink' })
    expect(errors).toEqual([])
  })

  it('a small session is one plain cookie with the documented attributes', async () => {
    const { cm } = make()
    const jar = new Jar(CHROME_UA)
    const { setCookie, report, session } = await commit(cm, jar, (d) => d.cart.push('sku-1'))
    expect(setCookie).toHaveLength(1)
    expect(setCookie[0]).toMatch(
      /^session=v1\.1\.[A-Za-z0-9_-]{4}\.[0-9a-z]+\.[0-9a-z]+\.0\.\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+; Max-Age=1209600; Path=\/; HttpOnly; Secure; SameSite=Lax$/,
    )
    expect(report).toMatchObject({ chunks: 1, unchanged: false, shrunk: false, shrinkSteps: 0, deleted: [] })
    expect(report.bytes).toBe(jar.header().length)
    expect(session.isNew).toBe(false)
    const back = await cm.decodeSession(jar.headers())
    expect(back.isNew).toBe(false)
    expect(back.data).toEqual({ cart: ['sku-1'], recent: [] })
  })

  it('iat and exp ride in the token: exp = now + maxAge', async () => {
    const { cm } = make({ maxAge: 3600 })
    const jar = new Jar(CHROME_UA)
    await commit(cm, jar, (d) => d.cart.push('x'))
    const value = jar.cookies.get('session')!
    const [, , , iat, exp] = value.split('.')
    const now = NOW.getTime() / 1000
    expect(Number.parseInt(iat!, 36)).toBe(now)
    expect(Number.parseInt(exp!, 36)).toBe(now + 3600)
  })

  it('splits a 21.6 KB session over NAME, NAME.1, … NAME.7 in order and reads it back', async () => {
    const { cm } = make({ limits: { maxCookieHeaderBytes: 32768 } })
    const jar = new Jar(CHROME_UA)
    const cart = skus(800)
    const { report, setCookie } = await commit(cm, jar, (d) => (d.cart = cart))
    // JSON: 21,622 bytes; base64url: 28,830; sealed: + 21 (kid.iat.exp.z.) + 41 (JWE iv, tag, dots) = 28,892;
    // with the 5-byte header 28,897 > 4089 + 6 × 4087 = 28,611, so 8 chunks.
    expect(JSON.stringify({ cart, recent: [] }).length).toBe(21_622)
    expect(report.shrunk).toBe(false)
    expect(report.chunks).toBe(8)
    expect(report.bytes).toBe(28_897 + 'session'.length + 7 * 'session.1'.length + 8)
    expect(setCookie.map((c) => c.split('=')[0])).toEqual([
      'session',
      'session.1',
      'session.2',
      'session.3',
      'session.4',
      'session.5',
      'session.6',
      'session.7',
    ])
    // Fewer, fuller chunks: every chunk but the last is filled to the byte.
    for (const name of ['session', 'session.1', 'session.2', 'session.3', 'session.4', 'session.5', 'session.6']) {
      expect(name.length + jar.cookies.get(name)!.length).toBe(4096)
    }
    expect('session.7'.length + jar.cookies.get('session.7')!.length).toBe(28_897 - 28_611 + 9)
    expect(jar.cookies.get('session')!.startsWith('v1.8.')).toBe(true)
    const back = await cm.decodeSession(jar.headers())
    expect(back.data.cart).toEqual(cart)
  })

  it('keeps non-ASCII data byte-exact', async () => {
    const { cm } = make()
    const jar = new Jar(CHROME_UA)
    const note = 'grüße, 東京, 🍪, "quotes"; semi=colons \\ back'
    await commit(cm, jar, (d) => (d.note = note))
    expect((await cm.decodeSession(jar.headers())).data.note).toBe(note)
  })

  it('after a commit session.data is the stored data with defaults merged under it', async () => {
    const { cm } = make()
    const jar = new Jar(CHROME_UA)
    const { session } = await commit(cm, jar, (d) => {
      d.cart.push('a')
      delete (d as Partial<Cart>).recent
    })
    expect(session.data).toEqual({ cart: ['a'], recent: [] })
  })

  it('after a commit session.data is the JSON the next request reads (a Date becomes its string), a fresh object', async () => {
    const { cm } = make()
    const jar = new Jar(CHROME_UA)
    const s = await cm.decodeSession(jar.headers())
    const before = s.data
    ;(s.data as Cart & { at?: unknown }).at = new Date('2026-11-26T12:00:00Z')
    s.data.cart.push('a')
    await cm.encodeSession(s, jar.headers())
    expect(s.data).not.toBe(before)
    expect(s.data).toEqual({ cart: ['a'], recent: [], at: '2026-11-26T12:00:00.000Z' })
    // Reading it did not count as a change, and a change after the commit is seen.
    expect((await cm.encodeSession(s, jar.headers())).report.unchanged).toBe(true)
    s.data.cart.push('b')
    expect((await cm.encodeSession(s, jar.headers())).report.unchanged).toBe(false)
    expect(s.data.cart).toEqual(['a', 'b'])
    // data is an own enumerable property: spreads and Object.keys see it.
    expect({ ...s }.data).toEqual({ cart: ['a', 'b'], recent: [], at: '2026-11-26T12:00:00.000Z' })
    expect(Object.keys(s)).toContain('data')
  })
})

describe('unchanged sessions', () => {
  it('rewrites nothing when the data equals what was decoded', async () => {
    const { cm } = make()
    const jar = new Jar(CHROME_UA)
    await commit(cm, jar, (d) => d.cart.push('a'))
    const s = await cm.decodeSession(jar.headers())
    const { setCookie, report } = await cm.encodeSession(s, jar.headers())
    expect(setCookie).toEqual([])
    expect(report).toMatchObject({ unchanged: true, chunks: 1, deleted: [] })
    expect(report.bytes).toBe(jar.header().length)
  })

  it('rewrites nothing on a second commit of the same data in one request', async () => {
    const { cm } = make()
    const jar = new Jar(CHROME_UA)
    const s = await cm.decodeSession(jar.headers())
    s.data.cart.push('a')
    const first = await cm.encodeSession(s, jar.headers())
    expect(first.setCookie).toHaveLength(1)
    const second = await cm.encodeSession(s, jar.headers())
    expect(second.setCookie).toEqual([])
    expect(second.report.unchanged).toBe(true)
  })

  it('still deletes stale chunks of an unchanged session', async () => {
    const { cm } = make()
    const jar = new Jar(CHROME_UA)
    await commit(cm, jar, (d) => d.cart.push('a'))
    jar.cookies.set('session.4', 'leftover')
    const s = await cm.decodeSession(jar.headers())
    expect(s.error).toBeUndefined()
    const { setCookie, report } = await cm.encodeSession(s, jar.headers())
    expect(report.unchanged).toBe(true)
    expect(report.deleted).toEqual(['session.4'])
    expect(setCookie).toEqual([
      'session.4=; Max-Age=0; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; Secure; SameSite=Lax',
    ])
  })

  it('re-fits an unchanged session when the other cookies grew past the budget', async () => {
    const { cm } = make()
    cm.register('cart', (d) => {
      d.cart?.pop()
      return d
    })
    const jar = new Jar(CHROME_UA)
    await commit(cm, jar, (d) => (d.cart = skus(200)))
    expect(jar.names()).toEqual(['session', 'session.1'])
    jar.cookies.set('analytics', 'x'.repeat(1500))
    const s = await cm.decodeSession(jar.headers())
    const { report, setCookie } = await cm.encodeSession(s, jar.headers())
    jar.apply(setCookie)
    expect(report.unchanged).toBe(false)
    expect(report.shrunk).toBe(true)
    expect(report.trimmedKeys).toEqual(['cart'])
    expect('Cookie: '.length + jar.header().length + 2 + 512).toBeLessThanOrEqual(8192)
    expect(s.data.cart.length).toBe(report.shrinkSteps === 0 ? 200 : 200 - report.shrinkSteps)
  })
})

describe('stale chunks and destroy', () => {
  it('a smaller session deletes every NAME.k with k >= the new count (Max-Age=0 and epoch Expires)', async () => {
    const { cm } = make({ limits: { maxCookieHeaderBytes: 32768 } })
    const jar = new Jar(CHROME_UA)
    await commit(cm, jar, (d) => (d.cart = skus(800)))
    expect(jar.cookies.size).toBe(8)
    const { setCookie, report } = await commit(cm, jar, (d) => (d.cart = ['one']))
    expect(report.chunks).toBe(1)
    expect(report.deleted).toEqual([1, 2, 3, 4, 5, 6, 7].map((k) => `session.${k}`))
    expect(setCookie.slice(1)).toEqual(
      [1, 2, 3, 4, 5, 6, 7].map(
        (k) =>
          `session.${k}=; Max-Age=0; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; Secure; SameSite=Lax`,
      ),
    )
    expect(jar.names()).toEqual(['session'])
  })

  it('destroy() deletes every chunk and writes nothing, whatever data holds', async () => {
    const { cm } = make({ limits: { maxCookieHeaderBytes: 32768 } })
    const jar = new Jar(CHROME_UA, { theme: 'dark' })
    await commit(cm, jar, (d) => (d.cart = skus(500)))
    const s = await cm.decodeSession(jar.headers())
    s.destroy()
    s.data.cart.push('after-destroy')
    const { setCookie, report } = await cm.encodeSession(s, jar.headers())
    expect(setCookie.every((c) => c.includes('Max-Age=0') && c.includes('Expires=Thu, 01 Jan 1970 00:00:00 GMT'))).toBe(
      true,
    )
    expect(report).toMatchObject({ chunks: 0, bytes: 0, unchanged: false })
    expect(report.deleted).toEqual(['session', 'session.1', 'session.2', 'session.3', 'session.4'])
    jar.apply(setCookie)
    expect(jar.names()).toEqual(['theme'])
    expect(s.data).toEqual({ cart: [], recent: [] })
    expect(s.isNew).toBe(true)
  })

  it('deletions carry the same Domain and Path as the live cookies', async () => {
    const { cm } = make({ cookie: { domain: 'example.com', path: '/app', sameSite: 'strict' } })
    const jar = new Jar(CHROME_UA, { session: 'garbage', 'session.1': 'x' })
    const s = await cm.decodeSession(jar.headers())
    const { setCookie } = await cm.encodeSession(s, jar.headers())
    expect(setCookie).toEqual([
      'session=; Max-Age=0; Domain=example.com; Path=/app; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; Secure; SameSite=Strict',
      'session.1=; Max-Age=0; Domain=example.com; Path=/app; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; Secure; SameSite=Strict',
    ])
  })
})

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

describe('destroy, then commit again in the same request', () => {
  it('destroy after a commit deletes what that commit wrote; a later commit writes again', async () => {
    const { cm } = make()
    const jar = new Jar(CHROME_UA)
    const s = await cm.decodeSession(jar.headers())
    s.data.cart.push('alice')
    const first = await cm.encodeSession(s, jar.headers())
    expect(first.setCookie).toHaveLength(1)
    s.destroy()
    const second = await cm.encodeSession(s, jar.headers())
    expect(second.report.deleted).toEqual(['session'])
    jar.apply(first.setCookie).apply(second.setCookie)
    expect(jar.names()).toEqual([])
    // Log out, then log in as someone else: the session object writes again.
    s.data.cart.push('bob')
    const third = await cm.encodeSession(s, jar.headers())
    expect(third.report).toMatchObject({ chunks: 1, unchanged: false })
    jar.apply(third.setCookie)
    expect((await cm.decodeSession(jar.headers())).data.cart).toEqual(['bob'])
  })

  it('a second, smaller commit in one request deletes the chunks the first one wrote', async () => {
    const { cm } = make({ limits: { maxCookieHeaderBytes: 32768 } })
    const jar = new Jar(CHROME_UA)
    const s = await cm.decodeSession(jar.headers())
    s.data.cart = skus(200)
    const first = await cm.encodeSession(s, jar.headers())
    expect(first.report.chunks).toBe(2)
    s.data.cart = ['one']
    const second = await cm.encodeSession(s, jar.headers())
    expect(second.report.deleted).toEqual(['session.1'])
    jar.apply(first.setCookie).apply(second.setCookie)
    expect(jar.names()).toEqual(['session'])
  })
})

describe('defaults', () => {
  it('are fresh plain data on every new session: a shared constant is never mutated', async () => {
    const shared = { cart: [] as string[], recent: [] as string[] }
    const cm = createCookieman<Cart>({ secret: SECRET, defaults: () => shared })
    const a = await cm.decodeSession(new Headers())
    a.data.cart.push('leak')
    const b = await cm.decodeSession(new Headers())
    expect(b.data.cart).toEqual([])
    expect(shared.cart).toEqual([])
  })

  it('must return a plain object', () => {
    expect(() => createCookieman({ secret: SECRET, defaults: () => 'abc' as unknown as object })).toThrowError(
      expect.objectContaining({ code: 'ERR_SESSION_CONFIG' }) as Error,
    )
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

describe('modes', () => {
  it('sign mode is client-readable and compressed by default', async () => {
    const { cm } = make({ mode: 'sign' })
    const jar = new Jar(CHROME_UA)
    await commit(cm, jar, (d) => (d.cart = skus(100)))
    const value = jar.cookies.get('session')!
    expect(value.split('.')[5]).toBe('1') // z = 1: deflated
    expect((await cm.decodeSession(jar.headers())).data.cart).toEqual(skus(100))
  })

  it('sign mode without compression carries base64url JSON', async () => {
    const { cm } = make({ mode: 'sign', compress: false })
    const jar = new Jar(CHROME_UA)
    await commit(cm, jar, (d) => d.cart.push('readable'))
    // v1 . count . kid . iat . exp . z . payload . signature
    const payload = jar.cookies.get('session')!.split('.')[6]!
    expect(JSON.parse(new TextDecoder().decode(base64url.decode(payload)))).toEqual({ cart: ['readable'], recent: [] })
  })

  it('encrypt mode hides the data', async () => {
    const { cm } = make()
    const jar = new Jar(CHROME_UA)
    await commit(cm, jar, (d) => d.cart.push('secret-sku'))
    expect(jar.header()).not.toContain('secret-sku')
    for (const part of jar.cookies
      .get('session')!
      .split('.')
      .filter((p) => p.length % 4 !== 1)) {
      expect(new TextDecoder('latin1').decode(base64url.decode(part))).not.toContain('secret-sku')
    }
  })

  it('tiny sessions are stored uncompressed even when compression is on', async () => {
    // deflate-raw of the 10 bytes {"k":"Zq"} is 12 bytes.
    const cm = createCookieman<{ k?: string }>({ secret: SECRET, compress: true })
    const jar = new Jar(CHROME_UA)
    const s = await cm.decodeSession(jar.headers())
    s.data.k = 'Zq'
    jar.apply((await cm.encodeSession(s, jar.headers())).setCookie)
    expect(jar.cookies.get('session')!.split('.')[5]).toBe('0')
    expect((await cm.decodeSession(jar.headers())).data).toEqual({ k: 'Zq' })
  })

  it('compression stores a larger session in fewer chunks', async () => {
    const plain = make({ limits: { maxCookieHeaderBytes: 65536 } })
    const packed = make({ compress: true, limits: { maxCookieHeaderBytes: 65536 } })
    const a = new Jar(CHROME_UA)
    const b = new Jar(CHROME_UA)
    const cart = skus(1500)
    const ra = await commit(plain.cm, a, (d) => (d.cart = cart))
    const rb = await commit(packed.cm, b, (d) => (d.cart = cart))
    expect(ra.report.chunks).toBe(14)
    expect(rb.report.chunks).toBe(2)
    expect((await packed.cm.decodeSession(b.headers())).data.cart).toEqual(cart)
  })
})

describe('budget', () => {
  it('never exceeds the Cookie header budget, counting the other cookies', async () => {
    const { cm } = make()
    const jar = new Jar(CHROME_UA, { a: 'x'.repeat(1000), b: 'y'.repeat(2000) })
    const { report } = await commit(cm, jar, (d) => (d.cart = skus(1000)))
    expect(report.shrunk).toBe(true)
    expect(report.budget.available).toBe(8192 - 512 - 10 - (1002 + 2) - (2002 + 2))
    expect('Cookie: '.length + jar.header().length + 2 + 512).toBeLessThanOrEqual(8192)
    expect(report.bytes + 2 * report.chunks).toBeLessThanOrEqual(report.budget.available)
  })

  it('uses the RFC 6265 minimum for unknown agents: 4096 bytes including attributes', async () => {
    const { cm } = make({ limits: { maxCookieHeaderBytes: 65536 } })
    const jar = new Jar('')
    const { report } = await commit(cm, jar, (d) => (d.cart = skus(600)))
    const attributes = '; Max-Age=1209600; Path=/; HttpOnly; Secure; SameSite=Lax'.length
    expect(report.budget).toEqual({
      perCookie: 4096 - 1 - attributes,
      cookies: 50,
      headerBytes: 65536,
      available: 65536 - 512 - 10,
      source: 'rfc6265',
    })
    for (const [name, value] of jar.cookies) {
      expect(name.length + 1 + value.length + attributes).toBeLessThanOrEqual(4096)
    }
  })

  const popTwenty = (d: Partial<Cart>) => {
    d.cart?.splice(-20, 20)
    return d
  }

  it('respects the per-host cookie count with the other cookies present', async () => {
    const { cm } = make({ limits: { maxCookieHeaderBytes: 1 << 20 } })
    cm.register('cart', popTwenty)
    const initial = Object.fromEntries(Array.from({ length: 47 }, (_, i) => [`c${i}`, '1']))
    const jar = new Jar(IE11_UA, initial)
    const { report } = await commit(cm, jar, (d) => (d.cart = skus(2000)))
    expect(report.budget.cookies).toBe(50)
    expect(report.chunks).toBe(3)
    expect(jar.cookies.size).toBe(50)
  })

  it('respects the response-head limit of the browser', async () => {
    const { cm } = make({ limits: { maxCookieHeaderBytes: 1 << 20 } })
    cm.register('cart', popTwenty)
    const jar = new Jar(
      'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Safari/605.1.15',
    )
    const { setCookie, report } = await commit(cm, jar, (d) => (d.cart = skus(8000)))
    expect(report.budget.source).toBe('webkitgtk')
    const head = setCookie.reduce((n, line) => n + 'Set-Cookie: '.length + line.length + 2, 0)
    // 57,344 bytes of Set-Cookie lines at most; one 4,096-byte chunk more would not have fitted.
    expect(head).toBeLessThanOrEqual(65536 - 8192)
    expect(head).toBeGreaterThan(65536 - 8192 - 4096 - 100)
    expect(report.chunks).toBe(14)
    expect(report.trimmedKeys).toEqual(['cart'])
  })

  it('caps partitioned cookies at 10,240 bytes in Chromium', async () => {
    const { cm } = make({ cookie: { partitioned: true }, limits: { maxCookieHeaderBytes: 65536 } })
    cm.register('cart', popTwenty)
    const jar = new Jar(CHROME_UA)
    await commit(cm, jar, (d) => (d.cart = skus(2000)))
    const bytes = [...jar.cookies].reduce((n, [k, v]) => n + k.length + v.length, 0)
    expect(bytes).toBeLessThanOrEqual(10240)
    expect(bytes).toBeGreaterThan(10240 - 20 * 27 * 2)
    expect(jar.cookies.size).toBe(3)
  })

  it('a forwarded profile header picks a database entry; an unknown id falls back to the User-Agent', async () => {
    const { cm } = make()
    const forwarded = encodeProfile(profileFor(IE11_UA))
    expect(forwarded).toBe('trident;IE;11.0;Trident')
    expect(cm.profile(new Headers({ 'user-agent': CHROME_UA, [PROFILE_HEADER]: forwarded })).entry.id).toBe('trident')
    expect(cm.profile(new Headers({ 'user-agent': FIREFOX_UA, [PROFILE_HEADER]: 'nope;X;1;Y' })).entry.id).toBe('gecko')
    expect(cm.profile(new Headers({ 'user-agent': FIREFOX_UA, [PROFILE_HEADER]: '%E0%A4%A' })).entry.id).toBe('gecko')
  })

  it('user overrides change the budget', async () => {
    const { cm } = make({ limits: { browsers: { blink: { perCookie: 2000 } } } })
    const jar = new Jar(CHROME_UA)
    const { report } = await commit(cm, jar, (d) => (d.cart = skus(150)))
    expect(report.budget.perCookie).toBe(2000)
    for (const [name, value] of jar.cookies) expect(name.length + value.length).toBeLessThanOrEqual(2000)
  })
})

describe('ERR_SESSION_TOO_LARGE', () => {
  it('writes nothing, deletes our chunks and reports when even the empty session cannot fit', async () => {
    const { cm, errors } = make()
    const jar = new Jar(CHROME_UA)
    await commit(cm, jar, (d) => d.cart.push('a'))
    jar.cookies.set('huge', 'z'.repeat(7600))
    const s = await cm.decodeSession(jar.headers())
    s.data.cart.push('b')
    const { setCookie, report } = await cm.encodeSession(s, jar.headers())
    expect(setCookie).toEqual([
      'session=; Max-Age=0; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; Secure; SameSite=Lax',
    ])
    expect(report.error?.code).toBe('ERR_SESSION_TOO_LARGE')
    expect(report).toMatchObject({ chunks: 0, bytes: 0, deleted: ['session'], droppedKeys: ['cart', 'recent'] })
    expect(errors).toEqual(['ERR_SESSION_TOO_LARGE'])
    expect(s.data).toEqual({ cart: [], recent: [] })
  })

  it('never throws from a commit', async () => {
    const { cm } = make()
    const jar = new Jar(CHROME_UA, { huge: 'z'.repeat(8000) })
    const s = await cm.decodeSession(jar.headers())
    s.data.cart.push('x')
    await expect(cm.encodeSession(s, jar.headers())).resolves.toMatchObject({ setCookie: [] })
  })
})

describe('one seal per commit', () => {
  it('a commit that shrinks 20 times seals once', async () => {
    const { cm } = make()
    let calls = 0
    cm.register('recent', (data) => {
      calls++
      data.recent?.splice(-5, 5)
      return data
    })
    const jar = new Jar(CHROME_UA)
    const s = await cm.decodeSession(jar.headers())
    // 150 × 27 bytes of cart leave ~1,600 bytes of JSON for recent: 200 items of 20 bytes need
    // 120 removed, 5 per call.
    s.data.cart = skus(150)
    s.data.recent = Array.from({ length: 200 }, (_, i) => `recent-${String(i).padStart(10, '0')}`)
    const before = sealsPerformed()
    const { report } = await cm.encodeSession(s, jar.headers())
    expect(sealsPerformed() - before).toBe(1)
    // Batches are replayed from copies, so the function runs more often than the steps it took.
    expect(report.shrinkSteps).toBeLessThanOrEqual(calls)
    expect(report.shrinkSteps).toBe(24)
    expect(report.shrinkSteps).toBeGreaterThanOrEqual(20)
    expect(report.trimmedKeys).toEqual(['recent'])
    expect(report.droppedKeys).toEqual([])
    expect(report.steps).toEqual([{ phase: 1, keys: ['recent'], count: 24 }])
    expect(s.data.cart).toEqual(skus(150))
  })
})

describe('rolling', () => {
  it('re-issues an unchanged session once more than half of maxAge has passed', async () => {
    const { cm } = make({ rolling: true, maxAge: 1000 })
    const jar = new Jar(CHROME_UA)
    await commit(cm, jar, (d) => d.cart.push('a'))
    vi.setSystemTime(NOW.getTime() + 500_000)
    let r: CommitReport = (await commit(cm, jar, () => {})).report
    expect(r.unchanged).toBe(true)
    vi.setSystemTime(NOW.getTime() + 501_000)
    r = (await commit(cm, jar, () => {})).report
    expect(r.unchanged).toBe(false)
    const exp = Number.parseInt(jar.cookies.get('session')!.split('.')[4]!, 36)
    expect(exp).toBe(NOW.getTime() / 1000 + 501 + 1000)
  })

  it('without rolling an unchanged session expires at its first exp', async () => {
    const { cm } = make({ maxAge: 1000 })
    const jar = new Jar(CHROME_UA)
    await commit(cm, jar, (d) => d.cart.push('a'))
    vi.setSystemTime(NOW.getTime() + 900_000)
    expect((await commit(cm, jar, () => {})).report.unchanged).toBe(true)
    vi.setSystemTime(NOW.getTime() + 1_000_000)
    expect((await cm.decodeSession(jar.headers())).error?.code).toBe('ERR_SESSION_EXPIRED')
  })
})

describe('register', () => {
  it('refuses a key registered twice and an empty key list', () => {
    const { cm } = make()
    cm.register(['cart', 'recent'], (d) => d)
    expect(() => cm.register('recent', (d) => d)).toThrowError(
      expect.objectContaining({ code: 'ERR_SESSION_CONFIG' }) as Error,
    )
    expect(() => cm.register([], (d) => d)).toThrowError(
      expect.objectContaining({ code: 'ERR_SESSION_CONFIG' }) as Error,
    )
  })
})
