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
  /** The JSON text of each key's value in the input, in key order (keys with JSON values only). */
  initial: ReadonlyMap<string, string>
}

/**
 * UTF-8 sizes of each key's JSON entry (`"key":value`), so a step re-measures only the keys it
 * touched instead of the whole session. `JSON.stringify` of an object is `{` + entries joined by `,`
 * + `}`, and entries whose value is undefined or a function are omitted. Each key's JSON text is
 * kept too: it is the snapshot a shrinker run restores from (the data is plain JSON, so a parse of
 * it gives the value back exactly).
 */
interface Entry {
  size: number
  text: string
}
type SavedSizes = { entries: Map<string, Entry>; sum: number }

class JsonSize {
  private entries = new Map<string, Entry>()
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
    this.sum -= this.entries.get(key)?.size ?? 0
    this.entries.delete(key)
    const text = Object.hasOwn(data, key) ? JSON.stringify(data[key]) : undefined
    if (text === undefined) return
    const size = utf8Length(JSON.stringify(key)) + 1 + utf8Length(text)
    this.entries.set(key, { size, text })
    this.sum += size
  }

  size(key: string): number {
    return this.entries.get(key)?.size ?? 0
  }

  /** The JSON text of `key`'s value as last measured, `undefined` when it has no entry. */
  text(key: string): string | undefined {
    return this.entries.get(key)?.text
  }

  save(): SavedSizes {
    return { entries: new Map(this.entries), sum: this.sum }
  }

  restore(saved: SavedSizes): void {
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
  const initial = new Map([...sizes.save().entries].map(([key, entry]) => [key, entry.text]))

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
   * that grow eightfold (1, 8, 64, …) while they neither fit nor stall; each measurement costs a
   * serialization of the shrinker's keys, so few large batches beat many small ones. A batch that
   * fits or stalls is replayed and bisected, so the result is what one call at a time gives, as
   * long as shrink functions are pure functions of their data and keep failing once they fail to
   * shrink. O(log calls) measurements.
   *
   * The snapshot a replay starts from is the JSON text of the shrinker's own keys, which measuring
   * produced anyway, plus a shallow copy of the data: no deep copy of the whole session per batch.
   * That is exact only if the shrinker leaves the other keys alone, which is checked once at the
   * end of every run; a shrinker that touched them is run again from the start, one call at a time.
   */
  const runShrinker = async (
    phase: 1 | 3,
    keys: readonly string[],
    fn: ShrinkFunction<T>,
    last: boolean,
  ): Promise<boolean> => {
    const start = { json: JSON.stringify(data), sizes: sizes.save(), steps: steps.length, count: steps.at(-1)?.count }
    const { fits: fitsNow, calls } = await runBatched(phase, keys, fn, last)
    if (calls === 0) return fitsNow
    // Batches are measured through the shrinker's own keys only, and replays restore only those:
    // both are exact only if the other keys are as they were. Check once per run.
    const before = start.sizes.entries
    const mine = new Set(keys)
    const untouched =
      Object.keys(data).every((k) => mine.has(k) || before.get(k)?.text === JSON.stringify(data[k])) &&
      [...before.keys()].every((k) => mine.has(k) || Object.hasOwn(data, k))
    if (untouched) return fitsNow
    // The shrinker changed keys it was not registered for: undo the run and redo it exactly.
    data = JSON.parse(start.json) as Data
    sizes.reset(data)
    steps.length = start.steps
    if (start.count !== undefined) steps.at(-1)!.count = start.count
    return runOneByOne(phase, keys, fn, last)
  }

  /** One call at a time, the whole data re-measured after each: for shrinkers that touch other keys. */
  const runOneByOne = async (phase: 1 | 3, keys: readonly string[], fn: ShrinkFunction<T>, last: boolean) => {
    while (present(data, keys)) {
      const before = sizes.total
      const returned = fn(data as Partial<T>, last) as Data | undefined
      if (returned !== undefined && returned !== null) data = returned
      sizes.reset(data)
      const shrank = sizes.total < before
      record(phase, keys, 1)
      if (await check()) return true
      if (!shrank) return false
    }
    return false
  }

  const runBatched = async (
    phase: 1 | 3,
    keys: readonly string[],
    fn: ShrinkFunction<T>,
    last: boolean,
  ): Promise<{ fits: boolean; calls: number }> => {
    /** Up to `calls` calls (fewer if the keys disappear); the own keys re-measured once at the end. */
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
    type Snapshot = { calls: number; shallow: Data; own: Array<[string, string | undefined]>; sizes: SavedSizes }
    let calls = 0
    const snapshot = (): Snapshot => ({
      calls,
      shallow: { ...data },
      own: keys.map((k) => [k, Object.hasOwn(data, k) ? sizes.text(k) : undefined]),
      sizes: sizes.save(),
    })
    const restore = (snap: Snapshot): void => {
      data = { ...snap.shallow }
      for (const [key, text] of snap.own) {
        if (text === undefined) delete data[key]
        else data[key] = JSON.parse(text)
      }
      sizes.restore(snap.sizes)
    }

    let previous: Snapshot | undefined
    let batch = 1
    while (present(data, keys)) {
      const start = snapshot()
      const before = sizes.total
      const made = apply(batch)
      calls += made
      const fitsNow = await check()
      const shrank = sizes.total < before
      if (previous === undefined && (fitsNow || !shrank)) {
        // The first call, measured on its own: exact.
        record(phase, keys, calls)
        return { fits: fitsNow, calls }
      }
      if (!fitsNow && shrank) {
        // Neither fits nor stalled: go on with a larger batch, but not much past the call that
        // would empty the shrinker's keys at the rate seen so far (calls past a stall are wasted,
        // and replays repeat them).
        previous = start
        const own = keys.reduce((n, k) => n + sizes.size(k), 0)
        const toEmpty = Math.ceil(own / ((before - sizes.total) / made)) + 1
        batch = Math.max(1, Math.min(batch * 8, MAX_BATCH, toEmpty + (toEmpty >> 2)))
        continue
      }
      // The batch fits, or did not get smaller overall. Sizes fall with every call until the first
      // call that does not shrink; from there on calls keep failing. So a batch that did not get
      // smaller holds that call, or the batch before it does (and the first state that fits, if
      // any, is before it). Replay from the start of the range and bisect on the monotone
      // "after c calls the data fits, or call c + 1 does not shrink it"; the one-call-at-a-time
      // loop stops at the first such c if it fits there, else one call later.
      const from = !shrank && previous !== undefined ? previous : start
      const settled = async (c: number): Promise<boolean> => {
        restore(from)
        apply(c)
        if (await check()) return true
        const size = sizes.total
        return apply(1) === 0 || sizes.total >= size
      }
      let lo = 0
      let hi = calls - from.calls // the answer is at most here (after it, the data fits or stalled)
      while (lo < hi) {
        const mid = (lo + hi) >>> 1
        if (await settled(mid)) hi = mid
        else lo = mid + 1
      }
      restore(from)
      let replayed = apply(lo)
      let fitsFinal = await check()
      if (!fitsFinal) {
        replayed += apply(1)
        fitsFinal = await check()
      }
      record(phase, keys, from.calls + replayed)
      return { fits: fitsFinal, calls }
    }
    record(phase, keys, calls)
    return { fits: false, calls }
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
    initial,
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
