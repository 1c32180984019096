import type { ResolvedCookie } from './options/types.js'

/**
 * The Set-Cookie stage: one cookie to write, structured (for APIs such as Next's `cookies().set`)
 * and serialized, byte for byte as the `cookie` package's `serialize` writes it (a test holds
 * them equal). Values are base64url, written as they are; the name and every attribute were
 * checked against the same grammar when the options were resolved, so nothing is re-checked
 * per line (the value check alone was a scan of every sealed byte).
 */
export interface CookieWrite {
  name: string
  value: string
  options: {
    maxAge: number
    expires?: Date
    path: string
    domain?: string
    httpOnly: boolean
    secure: boolean
    sameSite: 'lax' | 'strict' | 'none'
    partitioned: boolean
    priority?: 'low' | 'medium' | 'high'
  }
}

function attributes(cookie: ResolvedCookie, maxAge: number): CookieWrite['options'] {
  return {
    maxAge,
    path: cookie.path,
    ...(cookie.domain !== undefined && { domain: cookie.domain }),
    httpOnly: cookie.httpOnly,
    secure: cookie.secure,
    sameSite: cookie.sameSite,
    partitioned: cookie.partitioned,
    ...(cookie.priority !== undefined && { priority: cookie.priority }),
  }
}

/** The Cache-Control of every response that sets or deletes a session cookie: no shared cache may store it. */
export const NO_STORE = 'private, no-store'

const PRIORITY = { low: 'Low', medium: 'Medium', high: 'High' } as const
const SAME_SITE = { lax: 'Lax', strict: 'Strict', none: 'None' } as const

/** The `Set-Cookie` header value of a write. */
export function serializeWrite(write: CookieWrite): string {
  const o = write.options
  let line = `${write.name}=${write.value}; Max-Age=${o.maxAge}`
  if (o.domain) line += `; Domain=${o.domain}`
  if (o.path) line += `; Path=${o.path}`
  if (o.expires) line += `; Expires=${o.expires.toUTCString()}`
  if (o.httpOnly) line += '; HttpOnly'
  if (o.secure) line += '; Secure'
  if (o.partitioned) line += '; Partitioned'
  if (o.priority) line += `; Priority=${PRIORITY[o.priority]}`
  return `${line}; SameSite=${SAME_SITE[o.sameSite]}`
}

/**
 * Deletes `name`: Max-Age=0 and an epoch Expires (Next's `cookies().delete()` sends Expires
 * alone), same Path and Domain.
 */
export function deletionWrite(name: string, cookie: ResolvedCookie): CookieWrite {
  return { name, value: '', options: { ...attributes(cookie, 0), expires: new Date(0) } }
}

export function liveWrite(name: string, value: string, cookie: ResolvedCookie, maxAge: number): CookieWrite {
  return { name, value, options: attributes(cookie, maxAge) }
}

/** A Set-Cookie value that deletes `name` (see {@link deletionWrite}). */
export function deletionCookie(name: string, cookie: ResolvedCookie): string {
  return serializeWrite(deletionWrite(name, cookie))
}

export function liveCookie(name: string, value: string, cookie: ResolvedCookie, maxAge: number): string {
  return serializeWrite(liveWrite(name, value, cookie, maxAge))
}

/**
 * Lengths of our Set-Cookie values without their name: the attributes are fixed per instance, so a
 * live value is `name=` + value + a constant and a deletion is `name=` + a constant.
 */
const lineLengths = new WeakMap<ResolvedCookie, Map<number, { live: number; deletion: number }>>()
export function setCookieLengths(cookie: ResolvedCookie, maxAge: number): { live: number; deletion: number } {
  let byMaxAge = lineLengths.get(cookie)
  if (byMaxAge === undefined) lineLengths.set(cookie, (byMaxAge = new Map()))
  let lengths = byMaxAge.get(maxAge)
  if (lengths === undefined) {
    lengths = { live: liveCookie('x', '', cookie, maxAge).length - 1, deletion: deletionCookie('x', cookie).length - 1 }
    byMaxAge.set(maxAge, lengths)
  }
  return lengths
}
