import type { Data, SavedSizes } from './json-size.js'
import type { Shrinker, ShrinkRun } from './run.js'

/** Phase 3 calls shrink functions with `last = true`. */
export const lastOf = (phase: 1 | 3): boolean => phase === 3

/** The state after `calls` calls of a shrinker: a shallow copy plus the JSON text of its own keys. */
export type Snapshot = { calls: number; shallow: Data; own: Array<[string, string | undefined]>; sizes: SavedSizes }

/**
 * A way to run one shrinker that measures the fit less often than once per call (./batch.ts,
 * ./sparse.ts): whether the data fits at its end, and after how many calls.
 */
export type ShrinkerRunner = <T extends object>(
  run: ShrinkRun,
  phase: 1 | 3,
  shrinker: Shrinker<T>,
) => Promise<{ fits: boolean; calls: number }>

/** Calls of one shrinker on the run's data, and snapshots to replay them from. */
export function replayer<T extends object>(run: ShrinkRun, phase: 1 | 3, { keys, fn }: Shrinker<T>) {
  const { sizes } = run
  /** Up to `calls` calls (fewer if the keys disappear); the own keys re-measured once at the end. */
  const apply = (calls: number): number => {
    let made = 0
    let replaced = false
    while (made < calls && run.present(keys)) {
      const returned = fn(run.data as Partial<T>, lastOf(phase), run.info(keys)) as Data | undefined
      if (returned !== undefined && returned !== null && returned !== run.data) {
        run.data = returned
        replaced = true
      }
      made++
    }
    if (replaced) sizes.reset(run.data)
    else if (made > 0) for (const key of keys) sizes.update(run.data, key)
    return made
  }
  const snapshot = (calls: number): Snapshot => ({
    calls,
    shallow: { ...run.data },
    own: keys.map((k) => [k, Object.hasOwn(run.data, k) ? sizes.text(k) : undefined]),
    sizes: sizes.save(),
  })
  const restore = (snap: Snapshot): void => {
    const data: Data = { ...snap.shallow }
    for (const [key, text] of snap.own) {
      if (text === undefined) delete data[key]
      else data[key] = JSON.parse(text)
    }
    run.data = data
    sizes.restore(snap.sizes)
  }
  return { apply, snapshot, restore }
}

// Calls measured at most this far apart; a batch that overshoots is bisected.
const MAX_BATCH = 4096

/**
 * The next batch after `made` calls took the JSON from `before` bytes to what it is now: eightfold,
 * but not much past the call that would empty the shrinker's keys at the rate seen so far (calls
 * past a stall are wasted, and replays repeat them).
 */
export function nextBatch(
  run: ShrinkRun,
  keys: readonly string[],
  batch: number,
  before: number,
  made: number,
): number {
  const { sizes } = run
  const own = keys.reduce((n, k) => n + sizes.size(k), 0)
  const toEmpty = Math.ceil(own / ((before - sizes.total) / made)) + 1
  return Math.max(1, Math.min(batch * 8, MAX_BATCH, toEmpty + (toEmpty >> 2)))
}
