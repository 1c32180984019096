import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { shrink, type Data, type OverBytes, type Shrinker } from './index.js'

type D = Record<string, unknown>

const utf8Bytes = (data: Data): number => new TextEncoder().encode(JSON.stringify(data)).length

/** Fits when the JSON is at most `max` bytes, checking that the size it is given is exact. */
function under(max: number) {
  return (data: Data, jsonBytes: number) => {
    expect(jsonBytes).toBe(new TextEncoder().encode(JSON.stringify(data)).length)
    return jsonBytes <= max
  }
}

/** `overBytes` for a budget of `max` JSON bytes: exact, as without compression. */
const over = (max: number): OverBytes => ({ at: (jsonBytes) => jsonBytes - max, freeze() {} })
/** For fit tests that are not a byte limit: the functions of these tests do not read it. */
const unread: OverBytes = {
  at: () => {
    throw new Error('overBytes read')
  },
  freeze() {},
}

const popper =
  (key: string, log: string[]): Shrinker<D>['fn'] =>
  (data, last) => {
    log.push(`${key}:${last}`)
    const list = data[key] as unknown[] | undefined
    list?.pop()
    if (last || list?.length === 0) delete data[key]
    return data
  }

describe('shrink', () => {
  it('does nothing when the data already fits', async () => {
    const data = { a: [1, 2, 3] }
    const r = await shrink(data, [], under(100), over(100))
    expect(r).toEqual({
      data: { a: [1, 2, 3] },
      fits: true,
      steps: [],
      initial: new Map([['a', '[1,2,3]']]),
      spilled: {},
    })
  })

  it('phase 1: shrinkers in registration order, each called again while it helps', async () => {
    const log: string[] = []
    const data = { a: ['aaaa', 'aaaa', 'aaaa'], b: ['bb', 'bb'], c: 'x'.repeat(10) }
    // 61 bytes; each pop of a saves 7, the last one deletes a (34 bytes); one pop of b reaches 29.
    const r = await shrink(
      data,
      [
        { keys: ['a'], fn: popper('a', log) },
        { keys: ['b'], fn: popper('b', log) },
      ],
      under(30),
      over(30),
    )
    expect(log).toEqual(['a:false', 'a:false', 'a:false', 'b:false'])
    expect(r.data).toEqual({ b: ['bb'], c: 'xxxxxxxxxx' })
    expect(utf8Bytes(r.data)).toBe(29)
    expect(r.steps).toEqual([
      { phase: 1, keys: ['a'], count: 3 },
      { phase: 1, keys: ['b'], count: 1 },
    ])
  })

  it('phase 1 moves on when a shrinker stops making the data smaller', async () => {
    const log: string[] = []
    const stubborn = (d: Data) => {
      log.push('stubborn')
      return d
    }
    const r = await shrink(
      { s: 'y'.repeat(20), t: ['tt', 'tt'] },
      [
        { keys: ['s'], fn: stubborn },
        { keys: ['t'], fn: popper('t', log) },
      ],
      under(40),
      over(40),
    )
    // 44 bytes; stubborn changes nothing, so t is next: one pop reaches 39.
    expect(log).toEqual(['stubborn', 't:false'])
    expect(r.data).toEqual({ s: 'y'.repeat(20), t: ['tt'] })
    expect(utf8Bytes(r.data)).toBe(39)
  })

  it('phase 2: keys without a shrinker removed largest first; phase 3 and 4 never run when it fits', async () => {
    const log: string[] = []
    const data = { small: 'x', big: 'y'.repeat(40), mid: 'z'.repeat(20), keep: ['k'] }
    const r = await shrink(data, [{ keys: ['keep'], fn: popper('keep', log) }], under(45), over(45))
    // 104 bytes. The shrinker runs first (phase 1) and deletes keep (91); then big goes (phase 2): 42.
    expect(log).toEqual(['keep:false'])
    expect(r.steps).toEqual([
      { phase: 1, keys: ['keep'], count: 1 },
      { phase: 2, keys: ['big'], count: 1 },
    ])
    expect(r.data).toEqual({ small: 'x', mid: 'z'.repeat(20) })
  })

  it('phase 3 calls shrinkers with last = true after every unhandled key is gone', async () => {
    const log: string[] = []
    const keepLast = (d: Data, last: boolean) => {
      log.push(`k:${last}`)
      if (last) d['k'] = 'short'
      return d
    }
    const r = await shrink(
      { k: 'q'.repeat(50), other: 'o'.repeat(10) },
      [{ keys: ['k'], fn: keepLast }],
      under(20),
      over(20),
    )
    expect(log).toEqual(['k:false', 'k:true'])
    expect(r.steps.map((s) => s.phase)).toEqual([1, 2, 3])
    expect(r.data).toEqual({ k: 'short' })
    expect(r.fits).toBe(true)
  })

  it('phase 4 removes the remaining keys largest first; an empty object that does not fit reports fits: false', async () => {
    const noop = (d: Data) => d
    const r1 = await shrink(
      { a: 'a'.repeat(30), b: 'b'.repeat(10) },
      [{ keys: ['a', 'b'], fn: noop }],
      under(20),
      over(20),
    )
    expect(r1.steps).toEqual([
      { phase: 1, keys: ['a', 'b'], count: 1 },
      { phase: 3, keys: ['a', 'b'], count: 1 },
      { phase: 4, keys: ['a'], count: 1 },
    ])
    expect(r1.data).toEqual({ b: 'b'.repeat(10) })
    const r2 = await shrink({ a: 1 }, [], under(1), over(1))
    expect(r2.fits).toBe(false)
    expect(r2.data).toEqual({})
    expect(r2.steps).toEqual([{ phase: 2, keys: ['a'], count: 1 }])
  })

  it('ties in size are broken by key name so the order is deterministic', async () => {
    const r = await shrink({ b: 'xx', a: 'yy', c: 'zz' }, [], under(16), over(16))
    expect(r.steps).toEqual([
      { phase: 2, keys: ['a'], count: 1 },
      { phase: 2, keys: ['b'], count: 1 },
    ])
  })

  it('is called only while one of its keys is present', async () => {
    const log: string[] = []
    await shrink({ other: 'o'.repeat(50) }, [{ keys: ['absent'], fn: popper('absent', log) }], under(10), over(10))
    expect(log).toEqual([])
  })

  it('a shrinker that touches a key it was not registered for is still measured exactly', async () => {
    const sneaky = (d: Data) => {
      d['unregistered'] = 'u'
      d['r'] = 'r'
      return d
    }
    // The estimate after the call only re-measured r; the fit test before acceptance is exact. The
    // run then sees that another key changed and redoes itself one call at a time (the last 28).
    const asked: number[] = []
    const fits = (data: Data, jsonBytes: number) => {
      asked.push(jsonBytes)
      return jsonBytes <= 40
    }
    const r = await shrink(
      { r: 'r'.repeat(50), unregistered: 'u'.repeat(10) },
      [{ keys: ['r'], fn: sneaky }],
      fits,
      unread,
    )
    expect(r.data).toEqual({ r: 'r', unregistered: 'u' })
    expect(utf8Bytes(r.data)).toBe(JSON.stringify({ r: 'r', unregistered: 'u' }).length)
    // 86 at first; after the call the estimate (r re-measured only) says 37, the exact size is 28.
    expect(asked).toEqual([86, 37, 28, 28])
  })

  it('a run undone for touching another key starts again from the exact start (key order, __proto__, nested values)', async () => {
    // The undo rebuilds the start from each key's JSON text: an own "__proto__" key must stay an
    // own key, integer-like keys keep JSON's order, nested values come back whole.
    const input = (): Data =>
      JSON.parse(
        '{"b":1,"__proto__":{"x":1},"2":"two","list":[1,2,3,4,5,6,7,8,9],"meta":{"n":0,"deep":[{"k":"v"}]}}',
      ) as Data
    const fn = (d: Data) => {
      ;(d['list'] as number[]).pop()
      ;(d['meta'] as { n: number }).n++
      return d
    }
    const limit = JSON.stringify(input()).length - 6
    const ref = input()
    while (JSON.stringify(ref).length > limit) fn(ref)
    for (const costly of [false, true]) {
      // Sizes are stale between the batch's end and the undo (meta changed unseen): size alone.
      const fits = (_d: Data, jsonBytes: number) => jsonBytes <= limit
      const r = await shrink(input(), [{ keys: ['list'], fn }], fits, over(limit), undefined, costly)
      expect(JSON.stringify(r.data)).toBe(JSON.stringify(ref))
      expect(Object.keys(r.data)).toEqual(['2', 'b', '__proto__', 'list', 'meta'])
      expect(Object.getPrototypeOf(r.data)).toBe(Object.prototype)
      expect(r.steps).toEqual([{ phase: 1, keys: ['list'], count: 3 }])
    }
  })

  it('a shrinker may return a new object', async () => {
    const replace = () => ({ fresh: true })
    const r = await shrink({ big: 'b'.repeat(50) }, [{ keys: ['big'], fn: replace }], under(20), over(20))
    expect(r.data).toEqual({ fresh: true })
    expect(r.fits).toBe(true)
  })

  it('long runs are measured in batches yet stop exactly where one call at a time would', async () => {
    // 5,000 items of varying width: the sequential answer is the first k whose JSON fits.
    const items = Array.from({ length: 5000 }, (_, i) => 'x'.repeat(1 + ((i * 7919) % 37)))
    const limit = 40_000
    let expectedCalls = 0
    const sequential = [...items]
    while (JSON.stringify({ list: sequential }).length > limit) {
      sequential.pop()
      expectedCalls++
    }
    let measured = 0
    const fits = (_d: Data, jsonBytes: number) => {
      measured++
      return jsonBytes <= limit
    }
    const pop = (d: Data) => {
      ;(d['list'] as string[]).pop()
      return d
    }
    const r = await shrink({ list: [...items] }, [{ keys: ['list'], fn: pop }], fits, unread)
    expect(r.fits).toBe(true)
    expect(r.data).toEqual({ list: sequential })
    expect(r.steps).toEqual([{ phase: 1, keys: ['list'], count: expectedCalls }])
    expect(expectedCalls).toBeGreaterThan(2000)
    // Growing batches then a bisection: a few dozen measurements, not thousands.
    expect(measured).toBeLessThan(60)
  })

  it('a long run by a shrinker that also changes another key still ends where one call at a time would', async () => {
    // Replays restore only the shrinker's own keys: the in-place change to `audit` would be applied
    // once per replay. The run notices the other key changed and redoes itself one call at a time.
    const items = Array.from({ length: 3000 }, (_, i) => `item-${i}`)
    const limit = 20_000
    const popAndCount = (d: Data) => {
      ;(d['list'] as string[]).pop()
      ;(d['audit'] as { calls: number }).calls++
      return d
    }
    const reference = { list: [...items], audit: { calls: 0 } }
    while (JSON.stringify(reference).length > limit) popAndCount(reference)
    // Sizes passed to the fit test are estimates until a fit is claimed (as for any shrinker that
    // touches other keys), so this test's fit function looks at the size alone.
    const fits = (_d: Data, jsonBytes: number) => jsonBytes <= limit
    const r = await shrink(
      { list: [...items], audit: { calls: 0 } },
      [{ keys: ['list'], fn: popAndCount }],
      fits,
      unread,
    )
    expect(r.fits).toBe(true)
    expect(r.data).toEqual(reference)
    expect(utf8Bytes(r.data)).toBe(JSON.stringify(reference).length)
    expect(r.steps).toEqual([{ phase: 1, keys: ['list'], count: reference.audit.calls }])
    expect(reference.audit.calls).toBe(1244)
  })

  it('a shrinker that also deletes another key is measured exactly, even when its run never replays', async () => {
    const list = Array.from({ length: 100 }, () => 'aaaaaaaaaa')
    const fn = (d: Data) => {
      ;(d['list'] as string[]).pop()
      delete d['blob']
      if ((d['list'] as string[]).length === 0) delete d['list']
      return d
    }
    const fits = (_d: Data, jsonBytes: number) => jsonBytes <= 2500
    const r = await shrink({ list: [...list], blob: 'x'.repeat(3000) }, [{ keys: ['list'], fn }], fits, unread)
    // One call at a time: the first call removes blob too, and then it fits.
    expect(r.fits).toBe(true)
    expect(r.data).toEqual({ list: list.slice(1) })
    expect(r.steps).toEqual([{ phase: 1, keys: ['list'], count: 1 }])
  })

  it('batched runs end exactly where one call at a time would (random shrinkers, stalls that grow, other keys touched)', async () => {
    // costly: the sparse strategy of compress mode (./sparse.ts), with the same result.
    type Case = {
      items: number[]
      limit: number
      kind: 'pop' | 'grow-after-stall' | 'touch-other'
      other: number
      costly: boolean
      /** What overBytes says in the sparse strategy, which checks only where it estimates a fit. */
      estimate: 'exact' | 'never fits' | 'always fits'
      /** Where its guesses look (OverBytes.latest): the JSON size that fits plus this, or none. */
      guessOff: number | null
    }
    const run = (d: Data, kind: Case['kind']) => {
      // Later phases call it again after other keys were removed: it must cope.
      const list = (d['list'] ?? []) as string[]
      if (list.length > 0) list.pop()
      else if (kind === 'grow-after-stall') d['marks'] = `${(d['marks'] ?? '') as string}.`
      const other = d['other'] as { n: number } | undefined
      if (kind === 'touch-other' && other !== undefined) other.n++
      return d
    }
    const make = (c: Case): Data => ({
      list: c.items.map((w) => 'x'.repeat(w)),
      marks: '',
      other: { n: 0, pad: 'p'.repeat(c.other) },
    })
    const size = (d: Data) => new TextEncoder().encode(JSON.stringify(d)).length
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          items: fc.array(fc.integer({ min: 0, max: 40 }), { maxLength: 400 }),
          limit: fc.integer({ min: 0, max: 12_000 }),
          kind: fc.constantFrom('pop' as const, 'grow-after-stall' as const, 'touch-other' as const),
          other: fc.integer({ min: 0, max: 200 }),
          costly: fc.boolean(),
          estimate: fc.constantFrom('exact' as const, 'never fits' as const, 'always fits' as const),
          guessOff: fc.option(fc.integer({ min: -5000, max: 5000 })),
        }),
        async (c) => {
          // The reference: phase 1, one call at a time.
          const ref = make(c)
          let calls = 0
          let refFits = size(ref) <= c.limit
          while (!refFits) {
            const before = size(ref)
            run(ref, c.kind)
            calls++
            refFits = size(ref) <= c.limit
            if (size(ref) >= before) break
          }
          const fits = (_d: Data, jsonBytes: number) => jsonBytes <= c.limit
          const keys = c.kind === 'touch-other' ? ['list'] : ['list', 'marks']
          const fn = (d: Partial<Data>) => run(d as Data, c.kind)
          const estimate: OverBytes = {
            at: (jsonBytes) => (c.estimate === 'exact' ? jsonBytes - c.limit : c.estimate === 'never fits' ? 1 : 0),
            freeze: () => {},
            ...(c.guessOff === null ? {} : { latest: (jsonBytes: number) => jsonBytes - c.limit - (c.guessOff ?? 0) }),
          }
          const r = await shrink(make(c), [{ keys, fn }], fits, c.costly ? estimate : unread, undefined, c.costly)
          if (calls === 0) {
            expect(r.steps).toEqual([])
          } else {
            expect(r.steps[0]).toEqual({ phase: 1, keys, count: calls })
            if (refFits) expect(r.data).toEqual(ref)
          }
        },
      ),
      { numRuns: 600 },
    )
  })

  it('the sparse strategy stops at the same call as one call at a time, for every budget and estimate', async () => {
    const make = (): Data => ({ list: Array.from({ length: 60 }, (_, i) => 'x'.repeat(i % 5)) })
    const pop = (d: Partial<Data>) => {
      ;(d['list'] as string[]).pop()
      return d
    }
    const full = utf8Bytes(make())
    for (let limit = 0; limit <= full; limit++) {
      const ref = make()
      let calls = 0
      while (utf8Bytes(ref) > limit) {
        const before = utf8Bytes(ref)
        pop(ref)
        calls++
        if (utf8Bytes(ref) >= before) break // the call on an empty list: no progress, the run ends
      }
      // The guesses of the search (OverBytes.latest): none, right, a little off, far off.
      for (const [estimate, guess] of [0, 1, -1].flatMap((e) => [null, 0, -7, 7, -100].map((g) => [e, g] as const))) {
        const est: OverBytes = {
          at: (n) => (estimate === -1 ? n - limit : estimate),
          freeze() {},
          ...(guess === null ? {} : { latest: (n: number) => n - limit - guess }),
        }
        const fits = (_d: Data, jsonBytes: number) => jsonBytes <= limit
        const r = await shrink(make(), [{ keys: ['list'], fn: pop }], fits, est, undefined, true)
        const first = r.steps[0]
        expect({ limit, estimate, guess, count: first?.phase === 1 ? first.count : 0 }).toEqual({
          limit,
          estimate,
          guess,
          count: calls,
        })
        if (utf8Bytes(ref) <= limit) expect(r.data).toEqual(ref)
      }
    }
  })

  it('the sparse strategy guesses from the latest ratio: four checks where halving takes eleven', async () => {
    // 1000 items of 7 JSON bytes each; fitting takes 700 pops. The batches (1, 8, 64, 512, then to
    // the empty list and a little past it) reach 1107 calls, where the empty list fits: halving
    // between 0 and 1107 calls would take 11 checks.
    const make = (): Data => ({ list: Array.from({ length: 1000 }, () => 'xxxx') })
    const limit = utf8Bytes({ list: Array.from({ length: 300 }, () => 'xxxx') })
    const pop = (d: Partial<Data>) => {
      ;(d['list'] as string[]).pop()
      return d
    }
    const checked: number[] = []
    const fits = (_d: Data, jsonBytes: number) => {
      checked.push(jsonBytes)
      return jsonBytes <= limit
    }
    const est: OverBytes = { at: (n) => n - limit, latest: (n) => n - limit, freeze() {} }
    const r = await shrink(make(), [{ keys: ['list'], fn: pop }], fits, est, undefined, true)
    expect(r.steps).toEqual([{ phase: 1, keys: ['list'], count: 700 }])
    // The start; the batch's end (the empty list); the guesses: 776 calls (the 107 calls past the
    // empty list skew the first one), 700 (fits), 699 (does not); then the state kept.
    expect(checked).toEqual([7010, 11, limit - 532, limit, limit + 7, limit])
  })

  it('the sparse strategy stops where the data fits before a stall that makes it grow again', async () => {
    // Popping shrinks; once the list is empty each call grows marks by one byte (no progress, the
    // run ends there). With the budget at exactly the emptied size, one call at a time fits after
    // the last pop; the state at the end is one byte over.
    const make = (): Data => ({ list: Array.from({ length: 40 }, () => 'xx'), marks: '' })
    const fn = (d: Partial<Data>) => {
      const list = d['list'] as string[]
      if (list.length > 0) list.pop()
      else d['marks'] = `${d['marks'] as string}.`
      return d
    }
    const limit = utf8Bytes({ list: [], marks: '' })
    for (const estimate of [0, 1, -1]) {
      const est: OverBytes = { at: (n) => (estimate === -1 ? n - limit : estimate), freeze() {} }
      const fits = (_d: Data, jsonBytes: number) => jsonBytes <= limit
      for (const costly of [false, true]) {
        const r = await shrink(make(), [{ keys: ['list', 'marks'], fn }], fits, est, undefined, costly)
        expect({ estimate, costly, fits: r.fits, data: r.data, steps: r.steps }).toEqual({
          estimate,
          costly,
          fits: true,
          data: { list: [], marks: '' },
          steps: [{ phase: 1, keys: ['list', 'marks'], count: 40 }],
        })
      }
    }
  })

  it('a stalled batch stops where the first call made no progress', async () => {
    let calls = 0
    const popUntilThree = (d: Data) => {
      calls++
      const list = d['list'] as number[]
      if (list.length > 3) list.pop()
      return d
    }
    const r = await shrink(
      { list: Array.from({ length: 40 }, (_, i) => i) },
      [{ keys: ['list'], fn: popUntilThree }],
      under(5),
      over(5),
    )
    // 37 pops make progress, the 38th does not: then phase 2 has nothing, phase 3 stalls too, phase 4 drops list.
    expect(r.steps).toEqual([
      { phase: 1, keys: ['list'], count: 38 },
      { phase: 3, keys: ['list'], count: 1 },
      { phase: 4, keys: ['list'], count: 1 },
    ])
    expect(r.data).toEqual({})
    expect(calls).toBeGreaterThan(39) // batches were replayed from copies
  })

  it('measures UTF-8 bytes, not UTF-16 units', async () => {
    const asked: number[] = []
    await shrink(
      { s: '🍪é' },
      [],
      (_d: Data, jsonBytes: number) => {
        asked.push(jsonBytes)
        return jsonBytes <= 100
      },
      unread,
    )
    expect(asked).toEqual(['{"s":""}'.length + 4 + 2])
  })
})
