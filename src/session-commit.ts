import type { SpillState } from './store/spill.js'
import { stateOf, type Session, type SessionState, type Written } from './session.js'

/**
 * What a commit does to the session object: the JSON it starts from, the undo of a commit that
 * wrote nothing, and the session settled to what was stored.
 */

/** {@link settle}'s `data` for data that is the parse of the stored JSON, parsed when first read. */
export const PARSE_ON_READ = 'parse-on-read'

/** The snapshot, when the session's data is its parse: the app has not touched the data since. */
function untouchedJson(state: SessionState): string | undefined {
  return state.untouched === true && state.snapshot !== '' ? state.snapshot : undefined
}

/**
 * The JSON of `session.data`, not counted as the app's read: the snapshot itself while the app has
 * not touched the data (a read-only route's commit serializes nothing).
 */
export function dataJson(session: Session<object>): string {
  return untouchedJson(stateOf(session)) ?? JSON.stringify(session.data)
}

/** A function that puts `session` back as it is now (data, `isNew`, its remembered state). */
export function captureSession<T extends object>(session: Session<T>): () => void {
  const state = stateOf(session)
  const saved = Object.assign({}, state)
  const isNew = session.isNew
  // Untouched data is the parse of the snapshot: put back as that, not parsed for this.
  const defer = state.defer
  const json = defer && untouchedJson(state)
  const data = json === undefined ? session.data : undefined
  return () => {
    if (json !== undefined) defer!(session, json)
    else session.data = data!
    ;(session as { isNew: boolean }).isNew = isNew
    Object.assign(state, saved)
  }
}

/**
 * After a commit: the session now holds what was stored. `data` may be `PARSE_ON_READ`: the parse
 * of `json`, done on the first read of `session.data` (a route that commits and returns never pays
 * for it).
 */
export function settle<T extends object>(
  session: Session<T>,
  data: T | typeof PARSE_ON_READ,
  issued: { iat: number; created: number } | undefined,
  written: Written,
  /** `JSON.stringify(data)`; required with `PARSE_ON_READ`. */
  json: string = JSON.stringify(data),
  /** The part now in the store, if any. */
  spill?: SpillState,
): void {
  const state = stateOf(session)
  const defer = state.defer
  if (data !== PARSE_ON_READ) session.data = data
  else if (defer !== undefined) defer(session, json)
  else session.data = JSON.parse(json) as T
  ;(session as { isNew: boolean }).isNew = written.chunks === 0
  state.snapshot = json
  state.iat = issued?.iat
  state.created = issued?.created
  // A new session (destroyed, or too large to store) holds defaults: the current shape.
  if (issued === undefined) state.version = undefined
  state.count = written.chunks === 0 ? undefined : written.chunks
  state.spill = spill
  state.written = written
  // destroy() applies to the commit that follows it; the session object lives on (log out, log in).
  state.destroyed = false
  if (defer !== undefined) state.untouched = true
}
