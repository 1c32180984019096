import { utf8Length } from './utf8.js'

/**
 * A shrink function, as in the Python ancestor: gets the working copy of the session data, trims it
 * (pop an item, drop the key) and returns it. `last` is true in the third phase, when the data still
 * does not fit after every key without a shrinker was removed.
 */
export type ShrinkFunction<T extends object> = (data: Partial<T>, last: boolean) => Partial<T>

export interface Shrinker<T extends object> {
  keys: readonly string[]
  fn: ShrinkFunction<T>
}

export type Data = Record<string, unknown>

/** Answers whether data of `jsonBytes` (UTF-8 length of `JSON.stringify(data)`) fits the budget. */
export type FitTest = (data: Data, jsonBytes: number) => boolean | Promise<boolean>

export interface ShrinkResult {
  data: Data
  /** UTF-8 length of `JSON.stringify(data)`. */
  jsonBytes: number
  fits: boolean
  /** Shrinker calls and key removals in order; consecutive calls of one shrinker are one entry. */
  steps: Array<{ phase: 1 | 2 | 3 | 4; keys: readonly string[]; count: number }>
}

/**
 * UTF-8 sizes of each key's JSON entry (`"key":value`), so a step re-measures only the keys it
 * touched instead of the whole session. `JSON.stringify` of an object is `{` + entries joined by `,`
 * + `}`, and entries whose value is undefined or a function are omitted.
 */
class JsonSize {
  private entries = new Map<string, number>()
  private sum = 0

  constructor(data: Data) {
    this.reset(data)
  }

  get total(): number {
    return 2 + this.sum + Math.max(0, this.entries.size - 1)
  }

  reset(data: Data): void {
    this.entries.clear()
    this.sum = 0
    for (const key of Object.keys(data)) this.update(data, key)
  }

  update(data: Data, key: string): void {
    this.sum -= this.entries.get(key) ?? 0
    this.entries.delete(key)
    const value = Object.hasOwn(data, key) ? JSON.stringify(data[key]) : undefined
    if (value === undefined) return
    const size = utf8Length(JSON.stringify(key)) + 1 + utf8Length(value)
    this.entries.set(key, size)
    this.sum += size
  }

  size(key: string): number {
    return this.entries.get(key) ?? 0
  }

  save(): { entries: Map<string, number>; sum: number } {
    return { entries: new Map(this.entries), sum: this.sum }
  }

  restore(saved: { entries: Map<string, number>; sum: number }): void {
    this.entries = new Map(saved.entries)
    this.sum = saved.sum
  }
}

// Calls measured at most this far apart; a batch that overshoots is bisected.
const MAX_BATCH = 4096

function present(data: Data, keys: readonly string[]): boolean {
  return keys.some((k) => Object.hasOwn(data, k))
}

/** Keys by size of their JSON entry, largest first; ties by name so the order is deterministic. */
function largestFirst(keys: string[], sizes: JsonSize): string[] {
  return keys.sort((a, b) => sizes.size(b) - sizes.size(a) || (a < b ? -1 : a > b ? 1 : 0))
}

/**
 * Shrinks `data` (a working copy: it is mutated) until `fits` says yes, in the ancestor's order:
 * 1. registered shrinkers in registration order with `last = false`, each called again while it
 *    makes the JSON smaller and the data still does not fit;
 * 2. keys without a shrinker removed, largest first;
 * 3. registered shrinkers again with `last = true`;
 * 4. remaining keys removed, largest first.
 * Nothing is sealed here: `fits` measures.
 */
export async function shrink<T extends object>(
  input: Data,
  shrinkers: readonly Shrinker<T>[],
  fits: FitTest,
): Promise<ShrinkResult> {
  let data = input
  const sizes = new JsonSize(data)
  const steps: ShrinkResult['steps'] = []

  // A shrinker may touch keys it was not registered for: before answering "fits", re-measure all.
  const check = async (): Promise<boolean> => {
    if (!(await fits(data, sizes.total))) return false
    const exact = utf8Length(JSON.stringify(data))
    if (exact === sizes.total) return true
    sizes.reset(data)
    return fits(data, sizes.total)
  }

  const record = (phase: 1 | 2 | 3 | 4, keys: readonly string[], count: number): void => {
    if (count === 0) return
    const previous = steps.at(-1)
    if (previous !== undefined && previous.phase === phase && previous.keys === keys) previous.count += count
    else steps.push({ phase, keys, count })
  }

  /**
   * Calls one shrinker again and again while it makes the JSON smaller and the data does not fit.
   * Measuring after every call would cost O(calls × size): calls are instead measured in batches
   * that double while they neither fit nor stall (the last call of a batch is measured on its
   * own). A batch that fits or stalls is replayed from a copy and bisected, so the result is what
   * one call at a time gives, as long as shrink functions are pure functions of their data and
   * keep failing once they fail to shrink. O(log calls) measurements and copies.
   */
  const runShrinker = async (phase: 1 | 3, keys: readonly string[], fn: ShrinkFunction<T>, last: boolean) => {
    const apply = (calls: number): number => {
      let made = 0
      let replaced = false
      while (made < calls && present(data, keys)) {
        const returned = fn(data as Partial<T>, last) as Data | undefined
        if (returned !== undefined && returned !== null && returned !== data) {
          data = returned
          replaced = true
        }
        made++
      }
      if (replaced) sizes.reset(data)
      else if (made > 0) for (const key of keys) sizes.update(data, key)
      return made
    }
    /** `calls` calls from the current data: how many were made, whether the last one shrank it, whether it fits. */
    const step = async (calls: number) => {
      const made = apply(calls - 1)
      const before = sizes.total
      const lastMade = made === calls - 1 ? apply(1) : 0
      return { made: made + lastMade, lastShrank: lastMade === 1 && sizes.total < before, fits: await check() }
    }

    let batch = 1
    while (present(data, keys)) {
      const snapshot = batch > 1 ? { data: structuredClone(data), sizes: sizes.save() } : undefined
      const run = await step(batch)
      if (snapshot === undefined || (!run.fits && run.lastShrank)) {
        record(phase, keys, run.made)
        if (run.fits) return true
        if (!run.lastShrank) return false
        batch = Math.min(batch * 2, MAX_BATCH)
        continue
      }
      // The batch fits, or its last call did not shrink: replay it from the snapshot and bisect for
      // the first call after which it fits, or the first call that did not shrink.
      const probe = (calls: number) => {
        data = structuredClone(snapshot.data)
        sizes.restore(snapshot.sizes)
        return step(calls)
      }
      const stop = (r: { fits: boolean; lastShrank: boolean }) => r.fits || !r.lastShrank
      let lo = 1
      let hi = run.made
      while (lo < hi) {
        const mid = (lo + hi) >>> 1
        if (stop(await probe(mid))) hi = mid
        else lo = mid + 1
      }
      const final = await probe(lo)
      record(phase, keys, final.made)
      return final.fits
    }
    return false
  }

  const runShrinkers = async (phase: 1 | 3, last: boolean): Promise<boolean> => {
    for (const { keys, fn } of shrinkers) {
      if (await runShrinker(phase, keys, fn, last)) return true
    }
    return false
  }

  const removeLargest = async (phase: 2 | 4, keys: string[]): Promise<boolean> => {
    for (const key of largestFirst(keys, sizes)) {
      if (!Object.hasOwn(data, key)) continue
      delete data[key]
      sizes.update(data, key)
      steps.push({ phase, keys: [key], count: 1 })
      if (await check()) return true
    }
    return false
  }

  const done = (fitsNow: boolean): ShrinkResult => ({
    data,
    jsonBytes: sizes.total,
    fits: fitsNow,
    steps,
  })

  if (await check()) return done(true)
  if (await runShrinkers(1, false)) return done(true)
  const handled = new Set(shrinkers.flatMap((s) => s.keys))
  if (
    await removeLargest(
      2,
      Object.keys(data).filter((k) => !handled.has(k)),
    )
  )
    return done(true)
  if (await runShrinkers(3, true)) return done(true)
  if (await removeLargest(4, Object.keys(data))) return done(true)
  return done(await check())
}
