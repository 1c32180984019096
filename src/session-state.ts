import type { Flashes, FlashValue } from './flash.js'
import { shared } from './realm.js'
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
  /** Sets `data` to what a function returns, on first read (see settle); sessions of this package only. */
  defer?: ((load: () => unknown) => void) | undefined
}

/** What one commit wrote: its chunk count, their bytes, and the names of the live chunks. */
export interface Written {
  chunks: number
  bytes: number
  names: string[]
}

/**
 * Each session's state rides on the session object itself, under a realm-wide symbol (a session
 * decoded by one copy of the package may be committed by another, see realm.ts), not in a WeakMap:
 * a WeakMap entry makes the garbage collector keep the session and its data past the young
 * generation (a decode of an 8 KB session cost ~45 µs more that way). Not enumerable: spreads and
 * JSON never see it. Sessions that cannot take a property (frozen foreign objects) use the map.
 */
const STATE = Symbol.for('next-cookieman.session-state.v1')
const frozenStates = shared('session-states-frozen', () => new WeakMap<object, SessionState>())

interface Carrier {
  [STATE]?: SessionState
}

export function stateIn(session: object): SessionState | undefined {
  return (session as Carrier)[STATE] ?? frozenStates.get(session)
}

export function attach(session: object, state: SessionState): void {
  if (Object.isExtensible(session)) {
    Object.defineProperty(session, STATE, { value: state, enumerable: false, configurable: true, writable: true })
  } else frozenStates.set(session, state)
}
