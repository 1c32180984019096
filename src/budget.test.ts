import { describe, expect, it } from 'vitest'
import { makeBudget, plan, RESPONSE_HEAD_RESERVE } from './budget.js'
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

function ctx(overrides: Partial<Parameters<typeof makeBudget>[0]> = {}) {
  return makeBudget({
    entry: blink,
    others: { count: 0, bytes: 0 },
    baseName: 'session',
    cookie,
    maxAge: 1_209_600,
    maxCookieHeaderBytes: 8192,
    reserveBytes: 512,
    presentNames: [],
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
    expect(c.budget).toEqual({ perCookie: 4096, cookies: 180, headerBytes: 8192, available: 6670, source: 'blink' })
    expect(c.cookieSlots).toBe(177)
    expect(c.responseAvailable).toBe(256 * 1024 - RESPONSE_HEAD_RESERVE)
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

  it('counts the deletions of our present chunks against the response head', () => {
    const line = 'Set-Cookie: '.length + deletionCookie('session.1', cookie).length + 2
    expect(ctx({ presentNames: ['session.1'] }).responseAvailable).toBe(256 * 1024 - RESPONSE_HEAD_RESERVE - line)
  })
})

describe('plan', () => {
  it('one chunk up to 4096 - name - header bytes', () => {
    const c = ctx()
    expect(plan(4096 - 7 - 5, c)).toEqual({ count: 1, capacities: [4089], bytes: 4096 + 1 })
    expect(plan(4096 - 7 - 4, c)?.count).toBe(2)
  })

  it('the fewest chunks, each filled: 2 chunks hold 4089 + 4087 - 5 bytes', () => {
    const c = ctx()
    expect(plan(4089 + 4087 - 5, c)).toBeUndefined() // 8,171 bytes + names: over the 7,670 available
    const big = ctx({ maxCookieHeaderBytes: 65536 })
    // session=v1.2.…; session.1=… → values 8,176 + names 16 + two `=`.
    expect(plan(4089 + 4087 - 5, big)).toEqual({ count: 2, capacities: [4089, 4087], bytes: 8176 + 16 + 2 })
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
    // Largest payload: the head of n lines stays within 65536 - 8192.
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
    expect(head).toBe(65536 - RESPONSE_HEAD_RESERVE)
  })

  it('refuses a layout whose first chunk cannot hold the chunk header', () => {
    const tiny = { ...blink, perCookie: 12 }
    // `__Host-s` leaves 4 bytes for the first value: `v1.N.` never fits in it.
    expect(plan(10, ctx({ entry: tiny, baseName: '__Host-s', maxCookieHeaderBytes: 65536 }))).toBeUndefined()
    // One byte more: the first chunk holds just the header, the payload goes in the others.
    const p = plan(10, ctx({ entry: { ...tiny, perCookie: 13 }, baseName: '__Host-s', maxCookieHeaderBytes: 65536 }))!
    // Names 8 + 4 × 10 bytes, 5 `=`, values: header 5 + payload 10.
    expect(p).toEqual({ count: 5, capacities: [5, 3, 3, 3, 3], bytes: 48 + 5 + 15 })
    expect(split('0123456789', p.capacities)).toEqual(['v1.5.', '012', '345', '678', '9'])
  })

  it('refuses names so long that no value fits', () => {
    const c = ctx({ baseName: 'n'.repeat(4096) })
    expect(plan(10, c)).toBeUndefined()
  })
})
