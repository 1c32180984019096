/**
 * Every default and every hard limit of the options, in one place: the README's option table and
 * the TSDoc `@default`s of ./types.ts say the same.
 */

export const DEFAULTS = {
  cookieName: 'session',
  mode: 'encrypt',
  /** seconds: 14 days */
  maxAge: 14 * 24 * 60 * 60,
  rolling: false,
  cookie: { path: '/', sameSite: 'lax', httpOnly: true, secure: true, partitioned: false },
  /** nginx answers 400 past 8 KiB per header line */
  maxCookieHeaderBytes: 8192,
  reserveBytes: 512,
  maxInflatedBytes: 256 * 1024,
} as const

/** `compress` when not given: on in `sign` mode (the data is readable anyway), off in `encrypt` mode. */
export function defaultCompress(mode: 'encrypt' | 'sign'): boolean {
  return mode === 'sign'
}

export const MAX_AGE_LIMIT = 400 * 24 * 60 * 60 // rfc6265bis: user agents cap Max-Age at 400 days
export const MIN_SECRET_LENGTH = 32
export const MAX_ATTRIBUTE_BYTES = 1024 // Chromium kMaxCookieAttributeValueSize; longer attributes are ignored
export const MAX_NAME_LENGTH = 256
/** Smallest values the numeric limits accept. */
export const MIN_COOKIE_HEADER_BYTES = 256
export const MIN_INFLATED_BYTES = 1024
