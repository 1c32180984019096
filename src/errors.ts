/**
 * Every code a {@link SessionError} can carry. Decide on `err.code`, never on the message text.
 *
 * - `ERR_SESSION_TAMPERED`: every chunk arrived but the token failed verification (altered, swapped,
 *   mixed from two sessions, sealed with a secret we do not hold).
 * - `ERR_SESSION_CHUNK_MISSING`: the header in `NAME` names more chunks than arrived, or `NAME.k`
 *   arrived without `NAME`.
 * - `ERR_SESSION_MALFORMED`: the cookie is not in our format at all.
 * - `ERR_SESSION_EXPIRED`: the token verified, but its `exp` has passed, or its `iat` lies more than
 *   60 s in the future.
 * - `ERR_SESSION_TOO_LARGE`: even the empty session does not fit the budget (reported by a commit,
 *   never thrown), or an authentic payload inflates past `maxInflatedBytes` on read.
 * - `ERR_SESSION_READ_ONLY`: a commit from a server component.
 * - `ERR_SESSION_CONFIG`: bad options, thrown by `createCookieman` and `register`.
 * - `ERR_SESSION_CONTEXT`: the session was asked for where no request can be read: `getSession()`
 *   inside `'use cache'` (shared by every visitor; use `'use cache: private'` or pass the values
 *   in), or without a request outside the App Router (Pages Router, a Node server: `getSession(req)`).
 * - `ERR_SESSION_CROSS_SITE`: a commit answering a request from another origin (its `Origin`, or
 *   `Sec-Fetch-Site` on an unsafe method) wrote nothing (reported by the commit and to `onError`,
 *   never thrown); allow origins with `csrf.allowedOrigins`, or turn the check off with `csrf: false`.
 * - `ERR_SESSION_INVALID`: with a `schema`, authentic data the schema refuses on read (or that
 *   `migrate` failed on): a new session with `defaults()`, the issues as `cause`, never thrown; and
 *   thrown by a commit whose data the schema refuses (a bug in the app), before anything is sealed.
 * - `ERR_SESSION_STORE`: with a `store`, the part of the session kept there could not be read (the
 *   store failed, timed out, or holds nothing under the reference): the session holds the cookie's
 *   part; or a commit could not write it: the session was fitted to its cookies by the drop rules
 *   (reported by the commit and to `onError`, never thrown). A stored part that fails verification
 *   is `ERR_SESSION_TAMPERED`: a new session.
 */
/** Marks a SessionError realm-wide (see `SessionError[Symbol.hasInstance]`). */
const BRAND = Symbol.for('next-cookieman.SessionError')

export type SessionErrorCode =
  | 'ERR_SESSION_TAMPERED'
  | 'ERR_SESSION_CHUNK_MISSING'
  | 'ERR_SESSION_MALFORMED'
  | 'ERR_SESSION_EXPIRED'
  | 'ERR_SESSION_TOO_LARGE'
  | 'ERR_SESSION_READ_ONLY'
  | 'ERR_SESSION_CONFIG'
  | 'ERR_SESSION_CONTEXT'
  | 'ERR_SESSION_CROSS_SITE'
  | 'ERR_SESSION_INVALID'
  | 'ERR_SESSION_STORE'

/**
 * The one error class of next-cookieman. Bad cookies never throw: they reach the app as
 * `session.error` and through the `onError` hook. Misused options throw at `createCookieman`.
 *
 * @example
 * ```ts
 * onError(err) {
 *   if (err.code === 'ERR_SESSION_TAMPERED') metrics.increment('session.tampered')
 * }
 * ```
 */
export class SessionError extends Error {
  override readonly name = 'SessionError'
  readonly code: SessionErrorCode

  constructor(code: SessionErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.code = code
    Object.defineProperty(this, BRAND, { value: true })
  }

  /**
   * `instanceof SessionError` holds for an error of any copy of this package in the realm: bundlers
   * may load the package more than once (webpack, once per layer of a Next.js app).
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    // A subclass keeps the ordinary prototype check: a plain SessionError is no MyError.
    if (this !== SessionError) return Function.prototype[Symbol.hasInstance].call(this, value)
    return value instanceof Error && (value as { [BRAND]?: unknown })[BRAND] === true
  }

  /** `{ name, code, message }`: a report with an error survives `JSON.stringify` (route handlers). */
  toJSON(): { name: 'SessionError'; code: SessionErrorCode; message: string } {
    return { name: this.name, code: this.code, message: this.message }
  }
}

/** `true` when `value` is a {@link SessionError}, optionally with the given code. */
export function isSessionError(value: unknown, code?: SessionErrorCode): value is SessionError {
  return value instanceof SessionError && (code === undefined || value.code === code)
}

export function configError(message: string): SessionError {
  return new SessionError('ERR_SESSION_CONFIG', message)
}
