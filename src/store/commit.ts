import type { EngineContext } from '../context.js'
import type { SessionError } from '../errors.js'
import type { SealMeta } from '../seal.js'
import type { SessionState } from '../session.js'
import type { Data, SpillPlan } from '../shrink/index.js'
import { bounded, retireSpill, storeError, storeKey, writeSpill, type SpillState } from './spill.js'

/**
 * The store's side of a commit (see ./spill.ts): which reference the cookie carries, what is
 * written, touched and deleted. The encode stage calls it around its one seal.
 */

/** What a commit did in the store (present in the report whenever a store is configured). */
export interface StoreReport {
  /** Keys of the data kept in the store after this commit (the rest is in the cookies). */
  keys: string[]
  /** Their JSON bytes. */
  bytes: number
  /** This commit wrote the stored value (an unchanged one is not written again). */
  written: boolean
  /**
   * This commit ended the stored value the request's cookie referred to: deleted (a destroy, or a
   * store without `touch`), or left to expire within 60 s, so that requests already sent with the
   * previous cookie still read it whole.
   */
  deleted: boolean
  /** The store failed (or was not read): see `ERR_SESSION_STORE`. */
  error?: SessionError
}

/** A reference of the right length, for measuring before the real one exists. */
const PLACEHOLDER = 'A'.repeat(43)

export interface StoreCommit {
  /**
   * A reference the commit carries as it is: the stored part was not read (the proxy, or a store
   * that failed on read), so it cannot be merged with new overflow; the cookie part is fitted
   * around it by the drop rules.
   */
  carried: SpillState | undefined
  /** Where phases 0, 2 and 4 send keys; `undefined`: keys go away (no store, or `carried`). */
  plan: SpillPlan | undefined
}

export function storeCommit<T extends object>(ctx: EngineContext<T>, state: SessionState, meta: SealMeta): StoreCommit {
  const spill = ctx.opts.spill
  const carried = state.spill !== undefined && state.spill.json === undefined ? state.spill : undefined
  meta.spill = carried?.ref
  const plan =
    spill === undefined || carried !== undefined
      ? undefined
      : { first: spill.first, never: spill.never, begin: () => (meta.spill = PLACEHOLDER) }
  return { carried, plan }
}

export type Stored = { spill: SpillState | undefined; report: StoreReport }

/**
 * After the shrink, before the seal: stores `spilled` (when not empty) and sets `meta.spill` to
 * its reference. `undefined` when the store failed: the caller fits the data without it.
 */
export async function storeSpilled<T extends object>(
  ctx: EngineContext<T>,
  state: SessionState,
  commit: StoreCommit,
  spilled: Data,
  meta: SealMeta,
): Promise<Stored | { failed: SessionError }> {
  const previous = state.spill
  if (commit.carried !== undefined) {
    // Kept as it is; its TTL follows the cookie's new lifetime.
    const carried = commit.carried
    let error: SessionError | undefined
    if (ctx.opts.spill !== undefined && carried.exp < meta.exp) {
      const spill = ctx.opts.spill
      const key = storeKey(ctx.opts.cookieName, carried.ref)
      const ttl = Math.max(1, meta.exp - meta.iat)
      if (spill.store.touch !== undefined) {
        const touch = spill.store.touch.bind(spill.store)
        error = await bounded(spill, 'touch', () => touch(key, ttl)).then(
          () => undefined,
          (cause: unknown) => storeError('the store could not extend the TTL of the stored part', cause),
        )
      }
    }
    meta.spill = carried.ref
    const spillState = { ...carried, exp: error === undefined ? Math.max(carried.exp, meta.exp) : carried.exp }
    const report: StoreReport = { keys: [], bytes: 0, written: false, deleted: false }
    if (error !== undefined) report.error = error
    return { spill: spillState, report }
  }
  const keys = Object.keys(spilled)
  if (keys.length === 0) {
    meta.spill = undefined
    const deleted = previous === undefined ? undefined : await retireSpill(ctx, previous.ref, false)
    const report: StoreReport = {
      keys: [],
      bytes: 0,
      written: false,
      deleted: previous !== undefined && deleted === undefined,
    }
    if (deleted !== undefined) report.error = deleted
    return { spill: undefined, report }
  }
  const written = await writeSpill(ctx, JSON.stringify(spilled), keys, previous, {
    iat: meta.iat,
    exp: meta.exp,
    created: meta.created ?? meta.iat,
  })
  if (!written.ok) return { failed: written.error }
  meta.spill = written.state.ref
  const replaced = previous !== undefined && previous.ref !== written.state.ref
  const deleted = replaced ? await retireSpill(ctx, previous.ref, false) : undefined
  const report: StoreReport = {
    keys,
    bytes: written.state.bytes,
    written: written.written,
    deleted: replaced && deleted === undefined,
  }
  if (deleted !== undefined) report.error = deleted
  return { spill: written.state, report }
}

/** A destroy: the stored part goes too. */
export async function destroySpilled<T extends object>(
  ctx: EngineContext<T>,
  state: SessionState,
): Promise<StoreReport | undefined> {
  if (ctx.opts.spill === undefined) return undefined
  const previous = state.spill
  const deleted = previous === undefined ? undefined : await retireSpill(ctx, previous.ref, true)
  const report: StoreReport = {
    keys: [],
    bytes: 0,
    written: false,
    deleted: previous !== undefined && deleted === undefined,
  }
  if (deleted !== undefined) report.error = deleted
  return report
}
