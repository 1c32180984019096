import { describe, expect, it } from 'vitest'
import { CHROME_UA, Jar } from '../test-support/jar.js'
import { freezeClock } from '../test-support/clock.js'
import { type Cart, commit, make, NOW, skus } from '../test-support/engine.js'
import { trimCount } from './trim-count.js'
import type { ShrinkFunction } from './index.js'

// Issue 13 item 1: a shrink function that removes one item per call is called once per removed
// item, and `shift()` is linear on large arrays, so a 100k-entry list took seconds. Shrink
// functions are told how many bytes to lose (`overBytes`) and `trimCount` turns that into one
// splice; the result is the one-item-per-call result.

freezeClock(NOW)

const utf8 = (s: string) => new TextEncoder().encode(s).length

/** The documented pattern: the oldest items go, as many as the budget needs, in one splice. */
const splicer =
  (calls: number[]): ShrinkFunction<Cart> =>
  (data, _last, { overBytes }) => {
    calls.push(overBytes)
    data.cart?.splice(0, trimCount(data.cart, overBytes))
    if (!data.cart?.length) delete data.cart
    return data
  }

/** The pattern of the first README: one item per call. */
const shifter = (data: Partial<Cart>) => {
  data.cart?.shift()
  if (!data.cart?.length) delete data.cart
  return data
}

describe('overBytes and trimCount', () => {
  it('tells a shrink function exactly how many JSON bytes the session is over the budget', async () => {
    const seen: number[] = []
    const { cm } = make()
    cm.register('cart', splicer(seen))
    const { session, report } = await commit(cm, new Jar(CHROME_UA), (d) => (d.cart = skus(1000)))
    expect(report.shrunk).toBe(true)
    expect(seen).toHaveLength(1)
    // Each sku is 26 bytes of JSON and a comma: the fewest that free overBytes went.
    const stored = utf8(JSON.stringify(session.data))
    const before = utf8(JSON.stringify({ cart: skus(1000), recent: [] }))
    expect(stored).toBe(before - 27 * (1000 - session.data.cart.length))
    expect(before - stored).toBeGreaterThanOrEqual(seen[0]!)
    expect(before - stored - 27).toBeLessThan(seen[0]!)
    expect(session.data.cart).toEqual(skus(1000).slice(1000 - session.data.cart.length))
  })

  it('trims a 100,000-item list in one call to exactly what one item per call gives', async () => {
    const items = skus(100_000) // 2.6 MB of JSON
    const calls: number[] = []
    const a = make()
    a.cm.register('cart', splicer(calls))
    const one = await commit(a.cm, new Jar(CHROME_UA), (d) => (d.cart = [...items]))
    expect(calls).toHaveLength(1)
    const removed = utf8(JSON.stringify({ cart: items, recent: [] })) - utf8(JSON.stringify(one.session.data))
    expect(removed).toBeGreaterThanOrEqual(calls[0]!)
    expect(removed - 27).toBeLessThan(calls[0]!)

    const b = make()
    b.cm.register('cart', shifter)
    // The same budget, trimmed one item per call from a list small enough to take that long.
    const small = items.slice(-1000)
    const each = await commit(b.cm, new Jar(CHROME_UA), (d) => (d.cart = small))
    expect(one.session.data).toEqual(each.session.data)
    expect(one.report.chunks).toBe(each.report.chunks)
    expect(one.report.bytes).toBe(each.report.bytes)
    expect(one.report.shrinkSteps).toBe(1)
  })

  it('with compress, estimates at the measured ratio and is called again until it fits', async () => {
    const calls: number[] = []
    const { cm } = make({ compress: true })
    cm.register('cart', splicer(calls))
    // Random-looking skus barely compress; repeated ones do: a mix.
    const items = Array.from({ length: 20_000 }, (_, i) => `sku-${(i * 2654435761) % 1e9}-${i % 7}`)
    const { session, report } = await commit(cm, new Jar(CHROME_UA), (d) => (d.cart = items))
    expect(report.shrunk).toBe(true)
    expect(calls.length).toBeGreaterThanOrEqual(1)
    expect(calls.length).toBeLessThanOrEqual(4)
    expect(session.data.cart.length).toBeGreaterThan(0)
    expect(report.bytes).toBeLessThanOrEqual(report.budget.available)
  })

  it('counts UTF-8 bytes of each item and its comma, from either end, at least one item', () => {
    expect(trimCount(['ab', 'cd', 'ef'], 6)).toBe(2) // "ab", is 5 bytes; two are 10
    expect(trimCount(['ab', 'cd', 'ef'], 5)).toBe(1)
    expect(trimCount(['é', 'x'], 4)).toBe(1) // "é", is 5 bytes
    expect(trimCount(['a', 'bbbbbbbb'], 5, true)).toBe(1)
    expect(trimCount(['a', 'bbbbbbbb'], 11, true)).toBe(1)
    expect(trimCount(['a', 'bbbbbbbb'], 12, true)).toBe(2)
    expect(trimCount([{ a: 1 }, undefined], 100)).toBe(2)
    expect(trimCount(['a'], 0)).toBe(1)
    expect(trimCount([], 10)).toBe(0)
    expect(trimCount(undefined, 10)).toBe(0)
  })
})
