import { describe, expect, it } from 'vitest'
import { makeBudget } from './budget.js'
import { budgetLimit, deletionsFor, fitsChunks, plan } from './fit.js'
import { split } from './chunk.js'
import { BUILTIN_BROWSERS, RFC6265_MINIMUM } from './browsers/database.js'
import type { ResolvedCookie } from './options/types.js'
import { deletionCookie, liveCookie } from './set-cookie.js'

const cookie: ResolvedCookie = {
  path: '/',
  domain: undefined,
  sameSite: 'lax',
  httpOnly: true,
  secure: true,
  partitioned: false,
  priority: undefined,
}
const blink = BUILTIN_BROWSERS.find((e) => e.id === 'blink')!
// The default responseReserveBytes: the status line and every header but ours.
const RESERVE = 1024
const LIVE_LINE = (name: string, value: string) =>
  'Set-Cookie: '.length + liveCookie(name, value, cookie, 1_209_600).length + 2
const DELETION_LINE = (name: string) => 'Set-Cookie: '.length + deletionCookie(name, cookie).length + 2

function ctx(overrides: Partial<Parameters<typeof makeBudget>[0]> = {}) {
  return makeBudget({
    entry: blink,
    others: { count: 0, bytes: 0 },
    baseName: 'session',
    cookie,
    maxAge: 1_209_600,
    maxCookieHeaderBytes: 8192,
    reserveBytes: 512,
    responseReserveBytes: RESERVE,
    present: [],
    ...overrides,
  })
}

describe('Set-Cookie serialization', () => {
  it('writes live chunks with Max-Age and the documented attributes', () => {
    expect(liveCookie('session', 'v1.1.abc', cookie, 60)).toBe(
      'session=v1.1.abc; Max-Age=60; Path=/; HttpOnly; Secure; SameSite=Lax',
    )
  })

  it('deletes with Max-Age=0 and an epoch Expires, same Path and Domain', () => {
    expect(deletionCookie('session.3', { ...cookie, domain: 'example.com', path: '/app', priority: 'high' })).toBe(
      'session.3=; Max-Age=0; Domain=example.com; Path=/app; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; Secure; Priority=High; SameSite=Lax',
    )
  })
})

describe('makeBudget', () => {
  it('reports the browser limits and what the other cookies leave', () => {
    const c = ctx({ others: { count: 3, bytes: 1000 } })
    expect(c.budget).toEqual({
      perCookie: 4096,
      cookies: 180,
      headerBytes: 8192,
      available: 6670,
      source: 'blink',
      responseHeadBytes: 256 * 1024,
      responseAvailable: 256 * 1024 - RESERVE,
      fronts: [],
    })
    expect(c.cookieSlots).toBe(177)
    expect(c.responseAvailable).toBe(256 * 1024 - RESERVE)
  })

  it('takes the smaller response head of the fronts and the browser, less the reserve and what the proxy spent', () => {
    const c = ctx({
      maxResponseHeaderBytes: 4096,
      responseSpent: 300,
      sources: { cookieHeader: 'nginx', responseHead: 'nginx' },
    })
    expect(c.budget.responseHeadBytes).toBe(4096)
    expect(c.responseAvailable).toBe(4096 - RESERVE - 300)
    expect(c.sources).toEqual({ cookieCount: 'blink', cookieHeader: 'nginx', responseHead: 'nginx' })
    const webkit = BUILTIN_BROWSERS.find((e) => e.id === 'webkitgtk')!
    const w = ctx({
      entry: webkit,
      maxResponseHeaderBytes: 1 << 20,
      sources: { cookieHeader: 'caddy', responseHead: 'caddy' },
    })
    expect(w.budget.responseHeadBytes).toBe(65536)
    expect(w.sources.responseHead).toBe('webkitgtk')
  })

  it('subtracts the attributes when the limit covers the whole cookie (RFC 6265 minimum)', () => {
    const c = ctx({ entry: RFC6265_MINIMUM })
    const attributes = '; Max-Age=1209600; Path=/; HttpOnly; Secure; SameSite=Lax'.length
    expect(c.attributeBytes).toBe(attributes)
    expect(c.budget.perCookie).toBe(4096 - 1 - attributes)
  })

  it('reports 0 available, never a negative number, when the other cookies ate the budget', () => {
    expect(ctx({ others: { count: 1, bytes: 9000 } }).budget.available).toBe(0)
  })

  it('lists our present names, the largest pair first, with their deletion lines', () => {
    const c = ctx({
      present: [
        { name: 'session.1', value: 'ab' },
        { name: 'session.2', value: 'abcdef' },
        { name: 'session.3', value: undefined },
      ],
    })
    expect(c.present).toEqual([
      // Written earlier in this response: counted as a full chunk.
      { name: 'session.3', index: 3, pairBytes: 4096 + 3, deletionBytes: DELETION_LINE('session.3') },
      { name: 'session.2', index: 2, pairBytes: 9 + 6 + 3, deletionBytes: DELETION_LINE('session.2') },
      { name: 'session.1', index: 1, pairBytes: 9 + 2 + 3, deletionBytes: DELETION_LINE('session.1') },
    ])
  })
})

describe('deletions share the response with the live chunks', () => {
  const stale = Array.from({ length: 40 }, (_, i) => ({ name: `session.${i + 1}`, value: 'x' }))
  // 40 deletions of 104-105 bytes: 4,164 bytes, over a stock nginx's whole 4 KiB head.
  const nginx = () => ctx({ maxResponseHeaderBytes: 4096, present: stale })

  it('as many deletions as the response holds, the largest pairs first, never more than the cap', () => {
    const c = nginx()
    const all = deletionsFor(c, 0, c.responseAvailable)
    // session.10 … session.40 first (pairs of 14 bytes), each deletion line the same length.
    const line = DELETION_LINE('session.10')
    const fit = Math.floor((4096 - RESERVE) / line)
    expect(fit).toBe(26)
    expect(all.names).toEqual(Array.from({ length: fit }, (_, i) => `session.${i + 10}`))
    expect(all.bytes).toBe(fit * line)
    // The ones left stay in the jar: 5 two-digit and 9 one-digit `session.N=x; ` pairs.
    expect(all.leftCount).toBe(40 - fit)
    expect(all.leftBytes).toBe((31 - fit) * 14 + 9 * 13)
    expect(deletionsFor({ ...c, deletionCap: 5 }, 0, 1 << 20).names).toHaveLength(5)
  })

  it('live chunks first; the stale chunks left in the jar count in the next Cookie header', () => {
    const c = nginx()
    const p = plan(2000, c)!
    expect(p.count).toBe(1)
    expect(p.lineBytes).toBe(LIVE_LINE('session', 'v1.1.' + 'x'.repeat(2000)))
    // `session` is overwritten; session.1 … session.40 are stale, deleted while room is left.
    const left = deletionsFor(c, 1, c.responseAvailable - p.lineBytes)
    expect(left.names.length + left.leftCount).toBe(40)
    expect(p.lineBytes + left.bytes).toBeLessThanOrEqual(4096 - RESERVE)
    // A Cookie header that binds: 3,000 bytes less the reserve and `Cookie: ` + CRLF.
    const limits = { maxCookieHeaderBytes: 3000, maxResponseHeaderBytes: 4096 }
    const bare = budgetLimit(ctx(limits)).capacity
    const tight = ctx({ ...limits, present: stale })
    const { capacity } = budgetLimit(tight)
    expect(bare).toBe(3000 - 512 - 10 - 7 - 1 - 5 - 2)
    expect(capacity).toBeLessThan(bare)
    const kept = (n: number) => deletionsFor(tight, 1, tight.responseAvailable - plan(n, tight)!.lineBytes)
    expect(7 + 1 + 5 + capacity + 2 + kept(capacity).leftBytes).toBeLessThanOrEqual(3000 - 512 - 10)
    expect(plan(capacity + 1, tight)).toBeUndefined()
  })
})

describe('budgetLimit: which limit stops the session, and how large it can be', () => {
  it.each([
    [
      'a stock nginx: the response head',
      { maxResponseHeaderBytes: 4096, sources: { cookieHeader: 'nginx', responseHead: 'nginx' } },
      'response-head',
      'nginx',
    ],
    [
      'next start reached directly: the Cookie header',
      { maxCookieHeaderBytes: 16384 - 2048, sources: { cookieHeader: 'node', responseHead: undefined } },
      'cookie-header',
      'node',
    ],
    [
      'a raised header and an old browser: the cookie count',
      { entry: { ...blink, cookies: 2 }, maxCookieHeaderBytes: 65536 },
      'cookie-count',
      'blink',
    ],
    [
      'partitioned cookies in Chromium: the partition',
      { cookie: { ...cookie, partitioned: true }, maxCookieHeaderBytes: 65536 },
      'partition',
      'blink',
    ],
  ] as const)('%s', (_what, overrides, by, source) => {
    const c = ctx(overrides as Partial<Parameters<typeof makeBudget>[0]>)
    const limit = budgetLimit(c)
    expect(limit).toEqual({ by, source, capacity: limit.capacity })
    expect(plan(limit.capacity, c)).toBeDefined()
    expect(plan(limit.capacity + 1, c)).toBeUndefined()
  })

  it('a stock nginx holds one chunk of 2,988 bytes of sealed session', () => {
    const c = ctx({ maxResponseHeaderBytes: 4096 })
    const { capacity } = budgetLimit(c)
    // 4096 - 1024 reserved: one line `Set-Cookie: session=v1.1.<token>; Max-Age=…` + CRLF.
    expect(LIVE_LINE('session', 'v1.1.' + 'x'.repeat(capacity))).toBe(4096 - RESERVE)
    expect(capacity).toBe(2988)
  })
})

describe('plan', () => {
  it('one chunk up to 4096 - name - header bytes', () => {
    const c = ctx()
    expect(plan(4096 - 7 - 5, c)).toEqual({
      count: 1,
      capacities: [4089],
      bytes: 4096 + 1,
      lineBytes: LIVE_LINE('session', 'x'.repeat(4089)),
    })
    expect(plan(4096 - 7 - 4, c)?.count).toBe(2)
  })

  it('the fewest chunks, each filled: 2 chunks hold 4089 + 4087 - 5 bytes', () => {
    const c = ctx()
    expect(plan(4089 + 4087 - 5, c)).toBeUndefined() // 8,171 bytes + names: over the 7,670 available
    const big = ctx({ maxCookieHeaderBytes: 65536 })
    // session=v1.2.…; session.1=… → values 8,176 + names 16 + two `=`.
    expect(plan(4089 + 4087 - 5, big)).toEqual({
      count: 2,
      capacities: [4089, 4087],
      bytes: 8176 + 16 + 2,
      lineBytes: LIVE_LINE('session', 'x'.repeat(4089)) + LIVE_LINE('session.1', 'x'.repeat(4087)),
    })
    expect(plan(4089 + 4087 - 4, big)?.count).toBe(3)
  })

  it('the Cookie header budget: names, `=` and `; ` count', () => {
    const c = ctx()
    // 8192 - 512 - 10 (`Cookie: ` and CRLF) = 7,670 available:
    // session=v1.2.<P1>; session.1=<P2>; → P + 5 + 7 + 9 + 2 × 3 <= 7670.
    expect(plan(7670 - 5 - 7 - 9 - 6, c)?.count).toBe(2)
    expect(plan(7670 - 5 - 7 - 9 - 6 + 1, c)).toBeUndefined()
  })

  it('the per-host count: slots left by the other cookies', () => {
    const c = ctx({ maxCookieHeaderBytes: 1 << 20, others: { count: 178, bytes: 0 } })
    expect(plan(8000, c)?.count).toBe(2)
    expect(plan(9000, c)).toBeUndefined()
  })

  it('the CHIPS partition: name + value bytes of all chunks', () => {
    const c = ctx({ cookie: { ...cookie, partitioned: true }, maxCookieHeaderBytes: 65536 })
    expect(c.partitionBytes).toBe(10240)
    // 3 chunks: names 7 + 9 + 9, header 5.
    expect(plan(10240 - 25 - 5, c)?.count).toBe(3)
    expect(plan(10240 - 25 - 5 + 1, c)).toBeUndefined()
  })

  it('the response head: WebKit refuses a head over 64 KiB', () => {
    const webkit = BUILTIN_BROWSERS.find((e) => e.id === 'webkitgtk')!
    const c = ctx({ entry: webkit, maxCookieHeaderBytes: 1 << 20 })
    const perLine = 'Set-Cookie: '.length + 2 + 1 + c.attributeBytes
    const fits = (n: number) => plan(n, c) !== undefined
    // Largest payload: the head of n lines stays within 65536 - the reserve.
    let lo = 0
    let hi = 1 << 20
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2)
      if (fits(mid)) lo = mid
      else hi = mid - 1
    }
    const p = plan(lo, c)!
    const names = Array.from({ length: p.count }, (_, i) => (i === 0 ? 7 : `session.${i}`.length))
    const head = p.count * perLine + names.reduce((a, b) => a + b, 0) + lo + `v1.${p.count}.`.length
    expect(head).toBe(65536 - RESERVE)
  })

  it('refuses a layout whose first chunk cannot hold the chunk header', () => {
    const tiny = { ...blink, perCookie: 12 }
    // `__Host-s` leaves 4 bytes for the first value: `v1.N.` never fits in it.
    expect(plan(10, ctx({ entry: tiny, baseName: '__Host-s', maxCookieHeaderBytes: 65536 }))).toBeUndefined()
    // One byte more: the first chunk holds just the header, the payload goes in the others.
    const p = plan(10, ctx({ entry: { ...tiny, perCookie: 13 }, baseName: '__Host-s', maxCookieHeaderBytes: 65536 }))!
    // Names 8 + 4 × 10 bytes, 5 `=`, values: header 5 + payload 10.
    expect(p).toMatchObject({ count: 5, capacities: [5, 3, 3, 3, 3], bytes: 48 + 5 + 15 })
    expect(split('0123456789', p.capacities)).toEqual(['v1.5.', '012', '345', '678', '9'])
  })

  it('refuses names so long that no value fits', () => {
    const c = ctx({ baseName: 'n'.repeat(4096) })
    expect(plan(10, c)).toBeUndefined()
  })
})
