import { SessionError } from './errors.js'
import type { HeadersLike } from './request.js'

/**
 * The cross-site write check of commits. `SameSite=Lax` sends the session cookie on a request from
 * a sibling subdomain (same site), and a `text/plain` form or fetch POST needs no preflight: without
 * a check, any page on `evil.example.com` could write a victim's session through a route handler
 * of `app.example.com`. Next checks the Origin of server actions; this checks every commit.
 *
 * A commit is refused when the request's `Origin` is present and is neither the request's own host
 * (`Host`, or `X-Forwarded-Host` behind a proxy) nor an allowed origin (`Origin: null`, sent from
 * sandboxed and privacy-sensitive contexts, is never allowed), or, without an `Origin`, when
 * `Sec-Fetch-Site` says `cross-site` or `same-site` on a request whose method is known to be unsafe.
 * Browsers send `Origin` on every request with an unsafe method, and on a GET only for CORS
 * requests, never for navigations: a cross-site GET navigation (an OAuth redirect back) may commit.
 */

/**
 * Request header through which the proxy (and the Node.js adapter) tells commits the request's
 * method: Next's `headers()` does not carry it. Always overwritten by the proxy; a page of another
 * site cannot set it (a custom header needs a CORS preflight).
 */
export const METHOD_HEADER = 'x-next-cookieman-method'

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

/** An allowed origin as given: a host (`idp.example.com`, `*.example.com`) or an origin (`https://…`). */
export function allowedHost(entry: string): string | undefined {
  const trimmed = entry.trim().toLowerCase()
  if (trimmed === '') return undefined
  if (!trimmed.includes('://')) return /^(\*\.)?[a-z0-9.-]+(:[0-9]+)?$/.test(trimmed) ? trimmed : undefined
  try {
    return new URL(trimmed).host || undefined
  } catch {
    return undefined
  }
}

function hostOf(origin: string): string | undefined {
  try {
    return new URL(origin).host.toLowerCase() || undefined
  } catch {
    return undefined
  }
}

function matches(host: string, allowed: string): boolean {
  if (allowed.startsWith('*.')) return host.endsWith(allowed.slice(1)) && host.length > allowed.length - 1
  return host === allowed
}

/** The method of the request, when an adapter knows it (a server action is always a POST). */
function methodOf(headers: HeadersLike): string | undefined {
  if (headers.get('next-action') !== null) return 'POST'
  const method = headers.get(METHOD_HEADER)
  return method === null || method === '' ? undefined : method.toUpperCase()
}

/** Why a commit answering `headers` must not write, or `undefined` when it may. */
export function crossSiteRefusal(
  headers: HeadersLike,
  allowedHosts: readonly string[],
  cookieName: string,
): SessionError | undefined {
  const origin = headers.get('origin')
  const advice = `add its origin to csrf.allowedOrigins if it is yours, or set csrf: false to turn the check off`
  if (origin !== null) {
    const host = origin.trim().toLowerCase() === 'null' ? undefined : hostOf(origin)
    const own = [headers.get('host'), headers.get('x-forwarded-host')?.split(',')[0]]
      .filter((h): h is string => h !== null && h !== undefined && h.trim() !== '')
      .map((h) => h.trim().toLowerCase())
    if (host !== undefined && (own.includes(host) || allowedHosts.some((a) => matches(host, a)))) return undefined
    return new SessionError(
      'ERR_SESSION_CROSS_SITE',
      `session ${cookieName} not written: the request came from another origin (${origin}) than this app's (${own[0] ?? 'no Host header'}); ${advice}`,
    )
  }
  const site = headers.get('sec-fetch-site')
  const method = methodOf(headers)
  if ((site === 'cross-site' || site === 'same-site') && method !== undefined && !SAFE_METHODS.has(method)) {
    return new SessionError(
      'ERR_SESSION_CROSS_SITE',
      `session ${cookieName} not written: a ${method} request from another site (Sec-Fetch-Site: ${site}, no Origin); ${advice}`,
    )
  }
  return undefined
}
