import type { SessionError } from './errors.js'
import type { Flashes, FlashValue } from './flash.js'
import { attach, stateIn } from './session-state.js'
import type { SessionState, Written } from './session-state.js'
import type { SpillState } from './store/spill.js'

export type { SessionState, Written }

/**
 * A session as `getSession()` / `decodeSession()` return it. `data` is a plain, mutable object
 * (what `JSON.parse` gives, with `defaults()` merged under it).
 */
export interface Session<T extends object> {
  data: T
  /** True when no valid session cookie was read (first visit, or the cookie was rejected). */
  readonly isNew: boolean
  /** Why the session came back empty, when a cookie was rejected. */
  readonly error?: SessionError
  /**
   * When the session was first issued: its first commit, kept (authenticated) across every commit
   * and rolling re-issue, and what `absoluteMaxAge` counts from. `undefined` while nothing is
   * stored (a new session before its first commit, or after `destroy()` and a commit).
   */
  readonly createdAt: Date | undefined
  /** Marks the session for deletion: the next commit deletes every chunk and writes nothing. */
  destroy(): void
  /**
   * Flash values this render received: set by an earlier commit (`flash()`), they reach exactly
   * one page render through the proxy, and are gone after it. Empty when there are none.
   */
  readonly flashes: Flashes
  /**
   * Sets a flash value (JSON) for the next page render, written by the next commit: after a redirect
   * from a route handler or a form, the page it lands on; in a server action, the page its response
   * renders (the one it redirects to, or the same page).
   * @example session.flash('notice', 'Added 3 items'); await cookieman.commitSession(session); redirect('/')
   */
  flash(key: string, value: FlashValue): void
  /** With a `store`: the keys of `data` kept there (and their JSON bytes); `undefined`: none, or not read. */
  readonly stored: { readonly keys: readonly string[]; readonly bytes: number } | undefined
}

const NO_FLASHES: Flashes = Object.freeze({})

/** The JSON bytes all flash values of one commit may take. */
export const MAX_FLASH_BYTES = 1024

class CookieSession<T extends object> implements Session<T> {
  declare data: T
  isNew: boolean
  declare error?: SessionError
  constructor(data: T, isNew: boolean, error: SessionError | undefined, state: SessionState) {
    let current: T | undefined = data
    let load: (() => T) | undefined
    // An own, enumerable accessor: `{ ...session }` and Object.keys still see `data`.
    Object.defineProperty(this, 'data', {
      enumerable: true,
      configurable: true,
      get: (): T => {
        if (load !== undefined) {
          current = load()
          load = undefined
        }
        return current!
      },
      set: (value: T) => {
        current = value
        load = undefined
      },
    })
    state.defer = (next) => {
      current = undefined
      load = next as () => T
    }
    attach(this, state)
    this.isNew = isNew
    if (error !== undefined) this.error = error
  }

  get createdAt(): Date | undefined {
    const created = stateIn(this)?.created
    return created === undefined ? undefined : new Date(created * 1000)
  }

  destroy(): void {
    const state = stateIn(this)
    if (state !== undefined) state.destroyed = true
  }

  get stored(): { keys: readonly string[]; bytes: number } | undefined {
    const spill = stateIn(this)?.spill
    return spill === undefined || spill.json === undefined ? undefined : { keys: spill.keys, bytes: spill.bytes }
  }

  get flashes(): Flashes {
    return stateIn(this)?.flashIn ?? NO_FLASHES
  }

  flash(key: string, value: FlashValue): void {
    if (typeof key !== 'string' || key === '')
      throw new TypeError('session.flash(key, value): key must be a non-empty string')
    const state = stateOf(this)
    // A JSON round trip: what the render reads is what was set, as plain data.
    const json = JSON.stringify(value)
    if (json === undefined) throw new TypeError(`session.flash(${JSON.stringify(key)}, value): value must be JSON data`)
    const next = { ...state.flashOut, [key]: JSON.parse(json) as FlashValue }
    // A flash rides in a cookie of its own next to the session: a notice, not a payload.
    const size = new TextEncoder().encode(JSON.stringify(next)).length
    if (size > MAX_FLASH_BYTES) {
      throw new TypeError(
        `session.flash(${JSON.stringify(key)}, value): flash values take ${size} bytes of JSON, at most ${MAX_FLASH_BYTES}`,
      )
    }
    state.flashOut = next
  }

  toJSON(): { data: T; isNew: boolean } {
    return { data: this.data, isNew: this.isNew }
  }
}

export function createSession<T extends object>(
  data: T,
  state: Omit<SessionState, 'destroyed' | 'snapshot' | 'written' | 'flashOut' | 'flashIn' | 'spill'> &
    Partial<SessionState>,
  error?: SessionError,
  /** `JSON.stringify(data)` when the caller has it already. */
  snapshot: string = JSON.stringify(data),
): Session<T> {
  const full: SessionState = {
    spill: undefined,
    ...state,
    snapshot,
    written: undefined,
    destroyed: false,
    flashOut: undefined,
    flashIn: NO_FLASHES,
  }
  const session = new CookieSession(data, state.count === undefined, error, full)
  return session
}

/** The state of a session made by this package; a foreign object gets a fresh state. */
export function stateOf(session: Session<object>): SessionState {
  let state = stateIn(session)
  if (state === undefined) {
    state = {
      snapshot: '',
      iat: undefined,
      created: undefined,
      version: undefined,
      flashOut: undefined,
      flashIn: NO_FLASHES,
      count: undefined,
      spill: undefined,
      written: undefined,
      destroyed: false,
    }
    attach(session, state)
  }
  return state
}

/** A function that puts `session` back as it is now (data, `isNew`, its remembered state). */
export function captureSession<T extends object>(session: Session<T>): () => void {
  const state = stateOf(session)
  const saved = { ...state }
  const data = session.data
  const isNew = session.isNew
  return () => {
    session.data = data
    ;(session as { isNew: boolean }).isNew = isNew
    Object.assign(state, saved)
  }
}

/**
 * After a commit: the session now holds what was stored. `data` may be a function that produces it,
 * called on the first read of `session.data` (a route that commits and returns never pays for it).
 */
export function settle<T extends object>(
  session: Session<T>,
  data: T | (() => T),
  issued: { iat: number; created: number } | undefined,
  written: Written,
  /** `JSON.stringify(data)`; required when `data` is a function. */
  json: string = JSON.stringify(data),
  /** The part now in the store, if any. */
  spill?: SpillState,
): void {
  const state = stateOf(session)
  const defer = state.defer
  if (typeof data !== 'function') session.data = data
  else if (defer !== undefined) defer(data)
  else session.data = data()
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
}

/** The flash values a session's render sees (from the proxy, or from this response's own commit). */
export function receiveFlashes(session: Session<object>, flashes: Flashes): void {
  stateOf(session).flashIn = flashes
}
