import { utf8Length } from '../utf8.js'
import { JsonSize, type Data } from './json-size.js'

/**
 * A shrink function, as in the Python ancestor: gets the working copy of the session data, trims it
 * (pop an item, drop the key) and returns it. `last` is true in the third phase, when the data still
 * does not fit after every key without a shrinker was removed. `info.overBytes` says how much to
 * trim, so that one call can remove many items (see {@link ShrinkInfo}).
 */
export type ShrinkFunction<T extends object> = (data: Partial<T>, last: boolean, info: ShrinkInfo) => Partial<T>

/** What a shrink function is told about the budget when it is called. */
export interface ShrinkInfo {
  /**
   * UTF-8 bytes the session's JSON (`JSON.stringify(data)`) must lose to fit, as `data` is when the
   * function is called (read it before changing `data`); at least 1, since the function is only
   * called while the session does not fit. Exact without compression; with `compress`, an
   * estimate at the compression ratio last measured (the function is called again if it was not
   * enough). Computed when read: a function that does not read it costs nothing more.
   */
  readonly overBytes: number
}

/**
 * How many JSON bytes a session of `jsonBytes` is over the budget. `freeze` is called before each
 * shrink function's run, so that the answer is a function of the data alone while it runs (runs
 * are replayed).
 */
export interface OverBytes {
  at(jsonBytes: number): number
  freeze(): void
  /**
   * Optional: {@link at} at the latest measurement rather than the one frozen for the run. It
   * only steers where the sparse strategy checks (./sparse.ts), never the result.
   */
  latest?(jsonBytes: number): number
}

export interface Shrinker<T extends object> {
  keys: readonly string[]
  fn: ShrinkFunction<T>
}

/**
 * Answers whether data of `jsonBytes` (UTF-8 length of `JSON.stringify(data)`) fits the budget.
 * `json` is that text when the caller serialized the data already (costly runs do).
 */
export type FitTest = (data: Data, jsonBytes: number, json?: string) => boolean | Promise<boolean>

/** 0: keys spilled before shrinking (`spill.first`); 1-4: the ancestor's phases. */
export type Phase = 0 | 1 | 2 | 3 | 4

/** Shrinker calls and key removals in order; consecutive calls of one shrinker are one step. */
export interface Step {
  phase: Phase
  keys: readonly string[]
  count: number
  /** The key went to the app's store, not away (phases 0, 2 and 4 with a store). */
  spilled?: true
}

/**
 * The state of one shrink: the working copy (a shrinker may return a new object, so it is
 * replaced, never just mutated), its JSON sizes per key, and the steps so far.
 */
export class ShrinkRun {
  data: Data
  readonly sizes: JsonSize
  readonly steps: Step[] = []
  /** Keys moved to the store, with their values (an empty object while nothing spilled). */
  readonly spilled: Data = {}

  constructor(
    data: Data,
    private readonly fits: FitTest,
    private readonly over: OverBytes,
    /** Whether a fit check costs far more than a call (compression): then runs check sparsely (./sparse.ts). */
    readonly costly = false,
  ) {
    this.data = data
    this.sizes = new JsonSize(data)
  }

  /** Whether the data fits. A shrinker may touch keys it was not registered for: before saying yes, re-measure all. */
  async check(): Promise<boolean> {
    if (this.costly) {
      // The fit test serializes anyway: serialize once, and measure what it tests.
      const json = JSON.stringify(this.data)
      const exact = utf8Length(json)
      if (exact !== this.sizes.total) this.sizes.reset(this.data)
      return this.fits(this.data, exact, json)
    }
    if (!(await this.fits(this.data, this.sizes.total))) return false
    const exact = utf8Length(JSON.stringify(this.data))
    if (exact === this.sizes.total) return true
    this.sizes.reset(this.data)
    return this.fits(this.data, this.sizes.total)
  }

  /** Adds `count` calls of a shrinker (or one key removal), merged with the step before when it is the same. */
  record(phase: Phase, keys: readonly string[], count: number): void {
    if (count === 0) return
    const previous = this.steps.at(-1)
    if (previous !== undefined && previous.phase === phase && previous.keys === keys) previous.count += count
    else this.steps.push({ phase, keys, count })
  }

  /** JSON bytes over the budget at `jsonBytes` (see OverBytes). */
  overAt(jsonBytes: number): number {
    return this.over.at(jsonBytes)
  }

  /** Like {@link overAt}, at the latest measurement: where to look, not what to tell a shrink function. */
  overNow(jsonBytes: number): number {
    return this.over.latest?.(jsonBytes) ?? this.over.at(jsonBytes)
  }

  /** Called before a shrink function's run: its `overBytes` then depend on the data alone. */
  freeze(): void {
    this.over.freeze()
  }

  /**
   * The `info` argument of one call of the shrinker of `keys`, on the data as it is now. The sizes
   * of `keys` may be stale in a batch (they are measured at its end): they are re-measured, lazily.
   */
  info(keys: readonly string[]): ShrinkInfo {
    return new Info(this, keys)
  }

  /** Whether one of `keys` is present: a shrinker is only called while one of its keys is. */
  present(keys: readonly string[]): boolean {
    return keys.some((k) => Object.hasOwn(this.data, k))
  }
}

/** A class, not a literal with a getter: a run makes one per call, thousands per commit. */
class Info implements ShrinkInfo {
  private over: number | undefined

  constructor(
    private readonly run: ShrinkRun,
    private readonly keys: readonly string[],
  ) {}

  get overBytes(): number {
    return (this.over ??= Math.max(1, this.run.overAt(this.run.sizes.totalWith(this.run.data, this.keys))))
  }
}
