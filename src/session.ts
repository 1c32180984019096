import type { SessionError } from './errors.js'
import type { Flashes, FlashValue } from './flash.js'
import { attach, stateIn } from './session-state.js'
import type { SessionState, Written } from './session-state.js'

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

const parseOnRead = (session: object, json: string): void => CookieSession.parseOnRead(session, json)

/** The JSON bytes all flash values of one commit may take. */
export const MAX_FLASH_BYTES = 1024

class CookieSession<T extends object> implements Session<T> {
  declare data: T
  isNew: boolean
  declare error?: SessionError
  #current: T | undefined
  /** When set, `data` is the parse of this JSON, done on its first read (see {@link settle}). */
  #json: string | undefined
  readonly #state: SessionState

  /**
   * `data`, an own enumerable accessor (`{ ...session }` and Object.keys still see it) whose two
   * functions every session shares. Functions made per session that hold its data, stored on an
   * object, made V8 move every session's data out of the young generation: each decode of a 16 KB
   * session promoted its whole parse to the old space.
   */
  static readonly #dataProperty: PropertyDescriptor = {
    enumerable: true,
    configurable: true,
    get(this: CookieSession<object>): object {
      this.#state.untouched = false
      if (this.#json !== undefined) {
        this.#current = JSON.parse(this.#json) as object
        this.#json = undefined
      }
      return this.#current!
    },
    set(this: CookieSession<object>, value: object): void {
      this.#state.untouched = false
      this.#current = value
      this.#json = undefined
    },
  }

  /** {@link SessionState.defer} of the sessions of this copy of the package. */
  static parseOnRead(session: object, json: string): void {
    const own = session as CookieSession<object>
    own.#current = undefined
    own.#json = json
  }

  constructor(data: T, isNew: boolean, error: SessionError | undefined, state: SessionState) {
    this.#current = data
    this.#state = state
    Object.defineProperty(this, 'data', CookieSession.#dataProperty)
    state.defer = parseOnRead
    state.untouched = true
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

/** The flash values a session's render sees (from the proxy, or from this response's own commit). */
export function receiveFlashes(session: Session<object>, flashes: Flashes): void {
  stateOf(session).flashIn = flashes
}
