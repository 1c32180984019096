/**
 * How a Next.js proxy (`proxy.ts`, `middleware.ts`) hands request headers and cookies to the rest
 * of the request: Next's own `x-middleware-*` headers on the proxy's response. Nothing here
 * imports `next`; it only reads and writes those headers.
 */

import { parseSetCookie } from 'cookie'
import type { StoredCookie } from '../core.js'

/** Request header through which Next hands a proxy's response cookies to the rest of the request. */
export const MIDDLEWARE_SET_COOKIE = 'x-middleware-set-cookie'

// A comma that starts the next cookie of a joined Set-Cookie list: followed by a cookie name and
// `=` (the comma inside an Expires date is followed by a day number and a space).
const NEXT_COOKIE = /,(?=\s*[!#$%&'*+\-.^_`|~0-9A-Za-z]+=)/

/**
 * The cookies a proxy set or deleted through its response, from Next's `x-middleware-set-cookie`
 * request header (Set-Cookie values joined by commas), as name and value exactly as the browser
 * will store them (an empty value for a deletion: no value, Max-Age <= 0, or an Expires not after
 * `clock()`, read once and only for an Expires). `[]` when the header is absent.
 */
export function middlewareWrites(header: string | null, clock: () => number): StoredCookie[] {
  if (header === null || header === '') return []
  let now: number | undefined
  const out: StoredCookie[] = []
  for (const part of header.split(NEXT_COOKIE)) {
    if (part.trim() === '') continue
    const cookie = parseSetCookie(part.trim(), { decode: (v) => v })
    if (cookie.name === '') continue
    const gone =
      cookie.value === undefined ||
      cookie.value === '' ||
      (cookie.maxAge !== undefined && cookie.maxAge <= 0) ||
      (cookie.expires !== undefined && cookie.expires.getTime() <= (now ??= clock()))
    out.push({ name: cookie.name, value: gone ? '' : cookie.value! })
  }
  return out
}

/** A response whose headers can be changed (`Response.redirect()` and friends have immutable ones). */
export function mutable(response: Response): Response {
  try {
    response.headers.append('x-next-cookieman-probe', '1')
    response.headers.delete('x-next-cookieman-probe')
    return response
  } catch {
    return new Response(response.body, response)
  }
}

/** The request headers an earlier proxy's response overrides (Next trims the names), if any. */
function overrideList(response: Response | undefined): Set<string> | undefined {
  const list = response?.headers.get('x-middleware-override-headers')
  if (list === null || list === undefined) return undefined
  return new Set(
    list
      .split(',')
      .map((k) => k.trim())
      .filter((k) => k !== ''),
  )
}

/**
 * The Cookie header the rest of the request would see when an earlier proxy's response rewrote the
 * request headers; `undefined` when none did (the request's own header stands).
 */
export function forwardedCookieHeader(composed: Response | undefined): string | undefined {
  const listed = overrideList(composed)
  if (listed === undefined) return undefined
  return listed.has('cookie') ? (composed?.headers.get('x-middleware-request-cookie') ?? '') : ''
}

/**
 * Sets the request headers that the rest of the request sees, the way `NextResponse.next({ request })`
 * does, keeping overrides an earlier proxy already put on `response`.
 */
export function forwardRequestHeaders(response: Response, original: Headers, changes: Record<string, string>): void {
  const listed = overrideList(response)
  const forwarded = new Headers(original)
  if (listed !== undefined) {
    // Next keeps only the listed headers and takes their values from the response.
    for (const key of [...forwarded.keys()]) if (!listed.has(key)) forwarded.delete(key)
    for (const key of listed) {
      const value = response.headers.get(`x-middleware-request-${key}`)
      if (value !== null) forwarded.set(key, value)
      else forwarded.delete(key)
    }
  }
  for (const [key, value] of Object.entries(changes)) forwarded.set(key, value)
  const keys: string[] = []
  forwarded.forEach((value, key) => {
    response.headers.set(`x-middleware-request-${key}`, value)
    keys.push(key)
  })
  response.headers.set('x-middleware-override-headers', keys.join(','))
}
