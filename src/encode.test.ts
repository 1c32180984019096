import { describe, expect, it, vi } from 'vitest'
import { freezeClock } from './test-support/clock.js'
import type { CommitReport } from './report.js'
import { sealsPerformed } from './seal.js'
import { CHROME_UA, Jar } from './test-support/jar.js'
import { type Cart, commit, make, NOW, skus } from './test-support/engine.js'

// The write path (encode.ts): what a commit writes, rewrites, deletes and refuses, end to end
// through an instance and a replaying jar.

freezeClock(NOW)

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
      responseHeadBytes: 256 * 1024,
      responseAvailable: 256 * 1024 - 1024,
      fronts: ['node'],
      // session=v1.2.<P1>; session.1=<P2>; in 7,670 bytes: P + 5 + 7 + 9 + 2 × 3.
      limit: { by: 'cookie-header', source: 'option', capacity: 7670 - 5 - 7 - 9 - 6 },
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
      /^session=v1\.1\.[A-Za-z0-9_-]{4}\.[0-9a-z]+\.[0-9a-z]+\.2\.0\.\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+; Max-Age=1209600; Path=\/; HttpOnly; Secure; SameSite=Lax$/,
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
    // JSON: 21,622 bytes; base64url: 28,830; sealed: + 23 (kid.iat.exp.F.age., age 0 for a new
    // session) + 41 (JWE iv, tag, dots) = 28,894; with the 5-byte header 28,899 > 4089 + 6 × 4087
    // = 28,611, so 8 chunks.
    expect(JSON.stringify({ cart, recent: [] }).length).toBe(21_622)
    expect(report.shrunk).toBe(false)
    expect(report.chunks).toBe(8)
    expect(report.bytes).toBe(28_899 + 'session'.length + 7 * 'session.1'.length + 8)
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
    expect('session.7'.length + jar.cookies.get('session.7')!.length).toBe(28_899 - 28_611 + 9)
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

describe('reports are plain data', () => {
  it('the report, its budget and its browser are plain objects without symbol keys (server actions hand them to client components and back)', async () => {
    const { cm } = make()
    const jar = new Jar(CHROME_UA)
    const { report } = await commit(cm, jar, (d) => d.cart.push('a'))
    // And no symbol keys: React refuses those when a client sends a report back to a server function.
    for (const part of [report, report.budget, report.browser, ...report.steps]) {
      expect(Object.getPrototypeOf(part)).toBe(Object.prototype)
      expect(Object.getOwnPropertySymbols(part)).toEqual([])
    }
    // The limit is worked out on first read, then stays the same object; JSON carries it.
    const limit = report.budget.limit
    expect(Object.getPrototypeOf(limit)).toBe(Object.prototype)
    expect(report.budget.limit).toBe(limit)
    expect(Object.keys(report.budget)).toContain('limit')
    expect(JSON.parse(JSON.stringify(report)).budget.limit).toEqual(limit)
    expect(structuredClone(report)).toEqual(JSON.parse(JSON.stringify(report)))
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

  it('a commit of data the app never read serializes nothing; data read and changed in place is written', async () => {
    const { cm } = make()
    const jar = new Jar(CHROME_UA)
    await commit(cm, jar, (d) => d.cart.push('a'))
    const untouched = await cm.decodeSession(jar.headers())
    const stringify = vi.spyOn(JSON, 'stringify')
    try {
      const out = await cm.encodeSession(untouched, jar.headers())
      expect(out.setCookie).toEqual([])
      expect(stringify).not.toHaveBeenCalled()
    } finally {
      stringify.mockRestore()
    }
    // The first read counts: a change made through the object read before is seen by the commit.
    const s = await cm.decodeSession(jar.headers())
    const data = s.data
    expect((await cm.encodeSession(s, jar.headers())).setCookie).toEqual([])
    data.cart.push('b')
    const out = await cm.encodeSession(s, jar.headers())
    expect(out.setCookie).toHaveLength(1)
    jar.apply(out.setCookie)
    expect((await cm.decodeSession(jar.headers())).data.cart).toEqual(['a', 'b'])
  })

  it("every session shares the two functions of its data accessor (none holds one session's data)", async () => {
    const { cm } = make()
    const jar = new Jar(CHROME_UA)
    await commit(cm, jar, (d) => d.cart.push('a'))
    const [a, b] = [await cm.decodeSession(jar.headers()), await cm.decodeSession(new Jar(CHROME_UA).headers())]
    const [da, db] = [Object.getOwnPropertyDescriptor(a, 'data')!, Object.getOwnPropertyDescriptor(b, 'data')!]
    expect(da).toMatchObject({ enumerable: true, configurable: true })
    expect(typeof da.get).toBe('function')
    expect(da.get).toBe(db.get)
    expect(da.set).toBe(db.set)
    expect(a.data.cart).toEqual(['a'])
    expect(b.data.cart).toEqual([])
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

  it('undo of a re-issue of data the app never read puts back the data as decoded and the commit is done again', async () => {
    const { cm } = make({ rolling: true, maxAge: 1000 })
    const jar = new Jar(CHROME_UA)
    await commit(cm, jar, (d) => d.cart.push('a'))
    vi.setSystemTime(NOW.getTime() + 501_000)
    const s = await cm.decodeSession(jar.headers())
    const first = await cm.encodeSession(s, jar.headers())
    expect(first.report.unchanged).toBe(false)
    first.undo()
    expect(s.isNew).toBe(false)
    expect(s.data).toEqual({ cart: ['a'], recent: [] })
    const again = await cm.encodeSession(s, jar.headers())
    // The same token header (iat, exp, created), another IV.
    expect(again.setCookie).toHaveLength(1)
    expect(again.setCookie[0]!.split('.').slice(0, 6)).toEqual(first.setCookie[0]!.split('.').slice(0, 6))
    expect(s.data).toEqual({ cart: ['a'], recent: [] })
    jar.apply(again.setCookie)
    expect((await cm.decodeSession(jar.headers())).data).toEqual({ cart: ['a'], recent: [] })
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
