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
  /** Each shrinker call or key removal, in order. */
  steps: Array<{ phase: 1 | 2 | 3 | 4; keys: readonly string[] }>
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
}

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

  const runShrinkers = async (phase: 1 | 3, last: boolean): Promise<boolean> => {
    for (const { keys, fn } of shrinkers) {
      while (present(data, keys)) {
        const before = sizes.total
        const returned = fn(data as Partial<T>, last) as Data | undefined
        steps.push({ phase, keys })
        if (returned !== undefined && returned !== null && returned !== data) {
          data = returned
          sizes.reset(data)
        } else {
          for (const key of keys) sizes.update(data, key)
        }
        if (await check()) return true
        if (sizes.total >= before) break
      }
    }
    return false
  }

  const removeLargest = async (phase: 2 | 4, keys: string[]): Promise<boolean> => {
    for (const key of largestFirst(keys, sizes)) {
      if (!Object.hasOwn(data, key)) continue
      delete data[key]
      sizes.update(data, key)
      steps.push({ phase, keys: [key] })
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
