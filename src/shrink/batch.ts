import type { Data, SavedSizes } from './json-size.js'
import { lastOf, nextBatch, replayer, type ShrinkerRunner, type Snapshot } from './replay.js'
import type { Shrinker, ShrinkRun } from './run.js'
import { runSparse } from './sparse.js'

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
export async function runShrinker<T extends object>(
  run: ShrinkRun,
  phase: 1 | 3,
  { keys, fn }: Shrinker<T>,
): Promise<boolean> {
  const { sizes, steps } = run
  run.freeze()
  // The start, to undo the run: its keys in order and their JSON texts (exact here: every run ends
  // with each key's text re-measured or checked), so the whole session is not serialized per run.
  const start = { keys: Object.keys(run.data), sizes: sizes.save(), steps: steps.length, count: steps.at(-1)?.count }
  const { fits: fitsNow, calls } = await (run.costly ? runSparse : runBatched)(run, phase, { keys, fn })
  if (calls === 0) return fitsNow
  // Batches are measured through the shrinker's own keys only, and replays restore only those:
  // both are exact only if the other keys are as they were. Check once per run.
  const before = start.sizes.entries
  const mine = new Set(keys)
  const data = run.data
  const untouched =
    Object.keys(data).every((k) => mine.has(k) || before.get(k)?.text === JSON.stringify(data[k])) &&
    [...before.keys()].every((k) => mine.has(k) || Object.hasOwn(data, k))
  if (untouched) return fitsNow
  // The shrinker changed keys it was not registered for: undo the run and redo it exactly.
  run.data = JSON.parse(jsonOf(start.keys, start.sizes.entries)) as Data
  sizes.reset(run.data)
  steps.length = start.steps
  if (start.count !== undefined) steps.at(-1)!.count = start.count
  return runOneByOne(run, phase, { keys, fn })
}

/** `JSON.stringify` of the data whose keys, in order, had these texts (keys without one are omitted, as it omits them). */
function jsonOf(keys: readonly string[], texts: SavedSizes['entries']): string {
  const entries: string[] = []
  for (const key of keys) {
    const text = texts.get(key)?.text
    if (text !== undefined) entries.push(`${JSON.stringify(key)}:${text}`)
  }
  return `{${entries.join(',')}}`
}

/** One call at a time, the whole data re-measured after each: for shrinkers that touch other keys. */
async function runOneByOne<T extends object>(
  run: ShrinkRun,
  phase: 1 | 3,
  { keys, fn }: Shrinker<T>,
): Promise<boolean> {
  while (run.present(keys)) {
    const before = run.sizes.total
    const returned = fn(run.data as Partial<T>, lastOf(phase), run.info(keys)) as Data | undefined
    if (returned !== undefined && returned !== null) run.data = returned
    run.sizes.reset(run.data)
    const shrank = run.sizes.total < before
    run.record(phase, keys, 1)
    if (await run.check()) return true
    if (!shrank) return false
  }
  return false
}

const runBatched: ShrinkerRunner = async (run, phase, shrinker) => {
  const { sizes } = run
  const { keys } = shrinker
  const { apply, restore, snapshot: at } = replayer(run, phase, shrinker)
  let calls = 0
  const snapshot = (): Snapshot => at(calls)

  let previous: Snapshot | undefined
  let batch = 1
  while (run.present(keys)) {
    const start = snapshot()
    const before = sizes.total
    const made = apply(batch)
    calls += made
    const fitsNow = await run.check()
    const shrank = sizes.total < before
    if (previous === undefined && (fitsNow || !shrank)) {
      // The first call, measured on its own: exact.
      run.record(phase, keys, calls)
      return { fits: fitsNow, calls }
    }
    if (!fitsNow && shrank) {
      // Neither fits nor stalled: go on with a larger batch.
      previous = start
      batch = nextBatch(run, keys, batch, before, made)
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
      if (await run.check()) return true
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
    let fitsFinal = await run.check()
    if (!fitsFinal) {
      replayed += apply(1)
      fitsFinal = await run.check()
    }
    run.record(phase, keys, from.calls + replayed)
    return { fits: fitsFinal, calls }
  }
  run.record(phase, keys, calls)
  return { fits: false, calls }
}
