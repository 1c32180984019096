import type { Flashes, FlashValue } from './flash.js'
import { carried } from './realm.js'
import type { SpillState } from './store/spill.js'

/** What the engine remembers about a session between decode and commit. */
export interface SessionState {
  /** JSON of `data` as decoded or last committed: a commit of equal data writes nothing. */
  snapshot: string
  /** `iat` of the token read or written, for rolling refresh. */
  iat: number | undefined
  /** When the session was first issued (seconds), from the token read or written. */
  created: number | undefined
  /**
   * The `version` to seal this data with: `undefined` for data in the current shape (read through
   * the schema and `migrate`, or new); the stored one for data read as stored (the proxy's re-issue).
   */
  version: number | undefined
  /** Flash values to write with the next commit. */
  flashOut: Record<string, FlashValue> | undefined
  /** Flash values this request's render sees. */
  flashIn: Flashes
  /** The part of the data in the app's store, as read or last written. */
  spill: SpillState | undefined
  /** Chunk count of the valid session on the request, `undefined` when none was valid. */
  count: number | undefined
  /** What the last commit of this session object wrote (a later unchanged commit repeats nothing). */
  written: Written | undefined
  destroyed: boolean
  /**
   * `true` while the app has neither read nor set `data` since the decode or the last commit (then
   * `data` is the parse of `snapshot`, when that is not `''`); sessions of this package only.
   */
  untouched?: boolean
  /** Makes `data` the parse of `json`, done on its first read (see settle); sessions of this package only. */
  defer?: ((session: object, json: string) => void) | undefined
}

/** What one commit wrote: its chunk count, their bytes, and the names of the live chunks. */
export interface Written {
  chunks: number
  bytes: number
  names: string[]
}

/**
 * Each session's state rides on the session object itself (see realm.ts's `carried`): a session
 * decoded by one copy of the package may be committed by another, and a WeakMap entry cost a decode
 * of an 8 KB session ~45 µs (its data kept past the young generation).
 */
const states = carried<SessionState>('session-state.v1')

export function stateIn(session: object): SessionState | undefined {
  return states.get(session)
}

export function attach(session: object, state: SessionState): void {
  states.set(session, state)
}
