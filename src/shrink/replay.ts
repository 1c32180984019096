import type { Data, SavedSizes } from './json-size.js'
import type { Shrinker, ShrinkRun } from './run.js'

/** Phase 3 calls shrink functions with `last = true`. */
export const lastOf = (phase: 1 | 3): boolean => phase === 3

/** The state after `calls` calls of a shrinker: a shallow copy plus the JSON text of its own keys. */
export type Snapshot = { calls: number; shallow: Data; own: Array<[string, string | undefined]>; sizes: SavedSizes }

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
