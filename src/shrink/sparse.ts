import { nextBatch, replayer, type ShrinkerRunner, type Snapshot } from './replay.js'

/**
 * Runs one shrinker with as few fit checks as possible, for fit tests that cost far more than
 * the calls (with `compress`, each check deflates the whole session). Ends exactly where one call
 * at a time ends (the first call after which the data fits, else the first call that does not
 * make the JSON smaller or leaves none of the shrinker's keys), under the assumptions batching
 * makes already: shrink functions are pure functions of their data, keep failing once they fail
 * to shrink, and a smaller state of one run does not fit less than a larger one.
 *
 * 1. Find that end without checking the fit: calls in batches growing eightfold while the JSON
 *    gets smaller (sizes per key, no serialization of the whole), then a bisection on the sizes.
 * 2. One check, of the run's smallest state (the one before the end: the end made no progress).
 *    If the data does not fit there, no state of the run does: done, at the end.
 * 3. Otherwise search the fit between the run's start (which did not fit) and that state, guessing
 *    from the latest measured compression ratio where the JSON fits (see `guess`).
 * So a run that cannot fit costs one check, and one that can two to four (at worst twice
 * log2(calls)), instead of a check per batch and per step of the replay.
 */
export const runSparse: ShrinkerRunner = async (run, phase, shrinker) => {
  const { sizes } = run
  const { keys } = shrinker
  const { apply, restore, snapshot } = replayer(run, phase, shrinker)
  const start = snapshot(0)
  if (!run.present(keys)) return { fits: false, calls: 0 }
  /** The state after `c` calls, replayed from the latest snapshot at or before it. */
  let base = start
  const reach = (c: number): number => {
    const from = c >= base.calls ? base : start
    restore(from)
    return from.calls + apply(c - from.calls)
  }

  // 1. Calls in batches until the end: a batch that leaves the keys or does not shrink overall
  //    holds the end, or the batch before it does. The fit is checked only where the measured
  //    compression ratio says the data may fit (a shrink function that trims by `overBytes` fits
  //    after a call or two, and must not be called on to its end).
  let calls = 0
  let batch = 1
  let before = start
  let current = start
  let fitsAt: number | undefined
  let lastMiss = start
  for (;;) {
    const size = sizes.total
    const made = apply(batch)
    calls += made
    if (made < batch || sizes.total >= size || !run.present(keys)) break
    before = current
    current = snapshot(calls)
    if (run.overAt(sizes.total) <= 0) {
      if (await run.check()) {
        fitsAt = calls
        break
      }
      lastMiss = current
    }
    batch = nextBatch(run, keys, batch, size, made)
  }
  let lo: number
  let hi: number
  if (fitsAt === undefined) {
    // Whether call c is where one call at a time stops for lack of progress: it made the JSON no
    // smaller, or left none of the keys (the loop's own end).
    base = before
    const ends = (c: number): boolean => {
      if (reach(c - 1) < c - 1) return true
      const size = sizes.total
      if (apply(1) === 0) return true
      return sizes.total >= size || !run.present(keys)
    }
    lo = before.calls + 1
    hi = calls
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (ends(mid)) hi = mid
      else lo = mid + 1
    }
    const end = lo

    // 2. One check, of the smallest state of the run: the one before its end (the end made no
    //    progress), or the end itself when the first call made none. If that state does not fit,
    //    no state of the run does, and the end does not either.
    const smallest = end > 1 ? end - 1 : end
    if (lastMiss.calls >= smallest) lastMiss = start
    base = lastMiss
    reach(smallest)
    if (!(await run.check())) {
      reach(end)
      run.record(phase, keys, end)
      return { fits: false, calls }
    }
    fitsAt = smallest
  }
  // 3. The first call after which it fits, between the last state that did not (the start, or a
  //    check of step 1) and `fitsAt`. Each state that does not fit is the snapshot the next replay
  //    starts from.
  base = lastMiss
  lo = lastMiss.calls
  let loSize = totalOf(lastMiss)
  hi = fitsAt
  let hiSize = sizes.total
  let guesses = Math.ceil(Math.log2(hi - lo))
  while (hi - lo > 1) {
    const mid = guesses-- > 0 ? guess(lo, loSize, hi, hiSize, loSize - run.overNow(loSize)) : (lo + hi) >>> 1
    reach(mid)
    if (await run.check()) {
      hi = mid
      hiSize = sizes.total
    } else {
      lo = mid
      loSize = sizes.total
      base = snapshot(mid)
    }
  }
  reach(hi)
  const fitsNow = await run.check()
  run.record(phase, keys, hi)
  return { fits: fitsNow, calls }
}

const totalOf = (snap: Snapshot): number => 2 + snap.sizes.sum + Math.max(0, snap.sizes.entries.size - 1)

/**
 * Where in `(lo, hi)` the JSON should reach `target` bytes (the size estimated to fit at the
 * latest measured ratio), the calls shrinking it evenly from `loSize` to `hiSize`: the first call
 * at or under it. A good estimate ends the search in two checks (the guess fits, the call before
 * does not); a bad one only costs checks, since the search keeps its bounds: after as many
 * guesses as halving would take, it halves.
 */
function guess(lo: number, loSize: number, hi: number, hiSize: number, target: number): number {
  const at = loSize > hiSize ? lo + Math.ceil(((loSize - target) / (loSize - hiSize)) * (hi - lo)) : (lo + hi) >>> 1
  return Math.min(hi - 1, Math.max(lo + 1, at))
}
