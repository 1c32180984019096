/**
 * Every default and every hard limit of the options, in one place: the README's option table and
 * the TSDoc `@default`s of ./types.ts say the same.
 */

export const DEFAULTS = {
  cookieName: 'session',
  mode: 'encrypt',
  /** seconds: 14 days */
  maxAge: 14 * 24 * 60 * 60,
  /** seconds: 30 days (or `maxAge` when that is longer) */
  absoluteMaxAge: 30 * 24 * 60 * 60,
  rolling: false,
  cookie: { path: '/', sameSite: 'lax', httpOnly: true, secure: true, partitioned: false },
  /**
   * The servers in front when none is named and no platform is recognized from the environment: a
   * stock nginx (the most restrictive common front: 8 KiB per request header line, 4 KiB of response
   * head), and `next start` behind it.
   */
  fronts: ['nginx'],
  /**
   * Headroom kept free in the Cookie header below the front's limit: one full cookie, its 4,096 bytes
   * of name and value and its `=` (the `; ` before it is already counted after our last pair), so a
   * cookie set later by the page, or one scoped to another path, still gets the request through to
   * the app, whose next commit re-fits the session. Below an 8 KiB line, half of the line.
   */
  reserveBytes: 4096 + 1,
  /**
   * Bytes of the response head kept for everything but our Set-Cookie lines: the status line, Next's
   * own headers (measured up to 495 bytes, a 404 page) and the app's.
   */
  responseReserveBytes: 1024,
  maxInflatedBytes: 256 * 1024,
} as const

/**
 * `compress` when not given: off in both modes. A compressed length is an oracle for a network
 * observer, who sees cookie lengths but cannot read even a `sign` token's data (TLS): with data an
 * attacker influences beside a secret in the session, the length gives the secret away.
 */
export function defaultCompress(_mode: 'encrypt' | 'sign'): boolean {
  return false
}

export const MAX_AGE_LIMIT = 400 * 24 * 60 * 60 // rfc6265bis: user agents cap Max-Age at 400 days
export const MIN_SECRET_LENGTH = 32
export const MAX_ATTRIBUTE_BYTES = 1024 // Chromium kMaxCookieAttributeValueSize; longer attributes are ignored
export const MAX_NAME_LENGTH = 256
/** Smallest values the numeric limits accept. */
export const MIN_COOKIE_HEADER_BYTES = 256
export const MIN_INFLATED_BYTES = 1024
export const MIN_RESPONSE_HEADER_BYTES = 1024
/**
 * What a browser's request takes of a front's whole-head limit besides the Cookie header: request
 * line, Host, User-Agent, Accept…, measured at 657 bytes for a Chromium navigation without cookies;
 * twice that covers long URLs and Referers.
 */
export const REQUEST_HEAD_ALLOWANCE = 2048
