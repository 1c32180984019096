import { runShrinker } from './batch.js'
import type { Data, JsonSize } from './json-size.js'
import { ShrinkRun, type FitTest, type OverBytes, type Shrinker, type Step } from './run.js'

export type { Data } from './json-size.js'
export { overBytes } from './over.js'
export type { FitTest, OverBytes, Phase, ShrinkFunction, ShrinkInfo, Shrinker, Step } from './run.js'

/**
 * The shrink stage of a commit: trims the data, key by key, until it fits. The phases are here;
 * ./batch.ts runs one shrinker with few measurements, ./json-size.ts measures the JSON per key.
 */

export interface ShrinkResult {
  data: Data
  fits: boolean
  /** Keys moved to the store, with their values; empty without a store. */
  spilled: Data
  /** Shrinker calls and key removals in order; consecutive calls of one shrinker are one entry. */
  steps: Step[]
  /** The JSON text of each key's value in the input, in key order (keys with JSON values only). */
  initial: ReadonlyMap<string, string>
}

/** Where keys go instead of away, with a store (see ../store/spill.ts). */
export interface SpillPlan {
  /** Spilled, largest first, before any shrink function (phase 0). */
  first: readonly string[]
  /** Never spilled: dropped as without a store. */
  never: ReadonlySet<string>
  /** Called once, before the first key spills: from then on the fit test counts the reference. */
  begin(): void
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
 * Nothing is sealed here: `fits` measures, `over` says by how much it does not fit.
 *
 * With a `spill` plan, no phase drops data the store can hold: phases 2 and 4 move keys to
 * `spilled` instead of removing them (but `never` keys), `first` keys spill before phase 1, and
 * phase 3 runs only once every other key spilled, on the `never` keys left, before they go.
 */
export async function shrink<T extends object>(
  input: Data,
  shrinkers: readonly Shrinker<T>[],
  fits: FitTest,
  over: OverBytes,
  spill?: SpillPlan,
  /** The fit test deflates: check sparsely (./sparse.ts), with the same result. */
  costlyChecks = false,
): Promise<ShrinkResult> {
  const run = new ShrinkRun(input, fits, over, costlyChecks)
  const initial = new Map([...run.sizes.save().entries].map(([key, entry]) => [key, entry.text]))

  const runShrinkers = async (phase: 1 | 3): Promise<boolean> => {
    for (const shrinker of shrinkers) {
      if (await runShrinker(run, phase, shrinker)) return true
    }
    return false
  }

  let spilling = false
  const removeLargest = async (phase: 0 | 2 | 4, keys: string[]): Promise<boolean> => {
    for (const key of largestFirst(keys, run.sizes)) {
      if (!Object.hasOwn(run.data, key)) continue
      const toStore = spill !== undefined && !spill.never.has(key)
      if (toStore) {
        if (!spilling) spill.begin()
        spilling = true
        run.spilled[key] = run.data[key]
      }
      delete run.data[key]
      run.sizes.update(run.data, key)
      run.steps.push(toStore ? { phase, keys: [key], count: 1, spilled: true } : { phase, keys: [key], count: 1 })
      if (await run.check()) return true
    }
    return false
  }

  const done = (fitsNow: boolean): ShrinkResult => ({
    data: run.data,
    fits: fitsNow,
    steps: run.steps,
    initial,
    spilled: run.spilled,
  })

  if (await run.check()) return done(true)
  if (
    spill !== undefined &&
    (await removeLargest(
      0,
      spill.first.filter((k) => Object.hasOwn(run.data, k)),
    ))
  ) {
    return done(true)
  }
  if (await runShrinkers(1)) return done(true)
  const handled = new Set(shrinkers.flatMap((s) => s.keys))
  if (
    await removeLargest(
      2,
      Object.keys(run.data).filter((k) => !handled.has(k) && !(spill?.never.has(k) ?? false)),
    )
  )
    return done(true)
  if (spill === undefined && (await runShrinkers(3))) return done(true)
  if (spill === undefined) {
    if (await removeLargest(4, Object.keys(run.data))) return done(true)
  } else {
    // What the store can keep is kept: every other key spills; then, on the keys that never spill
    // (all that is left), the last-resort trims, then their removal.
    if (
      await removeLargest(
        4,
        Object.keys(run.data).filter((k) => !spill.never.has(k)),
      )
    )
      return done(true)
    if (await runShrinkers(3)) return done(true)
    if (await removeLargest(4, Object.keys(run.data))) return done(true)
  }
  return done(await run.check())
}
