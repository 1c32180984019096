import { configError } from '../errors.js'
import { isRecord, optionalBoolean, refuseUnknownKeys } from './check.js'
import { DEFAULTS, MAX_ATTRIBUTE_BYTES, MAX_NAME_LENGTH } from './defaults.js'
import type { ResolvedCookie } from './types.js'

/** The cookie name and the attributes of every chunk: RFC 6265 grammar and the rfc6265bis prefix rules. */

// RFC 6265 section 4.1.1: cookie-name = token (RFC 2616 section 2.2: no CTLs or separators).
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/
// RFC 6265 section 4.1.1: path-value = <any CHAR except CTLs or ";">; the `cookie` serializer also
// refuses "<", so it is refused here rather than at the first commit.
const PATH_VALUE = /^\/[\u0020-\u003A\u003D-\u007E]*$/
// RFC 1034 section 3.5 labels, with an optional leading dot as RFC 6265 section 5.2.3 tolerates.
const DOMAIN_VALUE = /^\.?[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/i

const COOKIE_KEYS = ['path', 'domain', 'sameSite', 'httpOnly', 'secure', 'partitioned', 'priority'] as const

export function resolveCookieName(input: unknown): string {
  const cookieName = input ?? DEFAULTS.cookieName
  if (typeof cookieName === 'string' && cookieName.length > MAX_NAME_LENGTH) {
    throw configError(
      `option cookieName is ${cookieName.length} characters; keep it under ${MAX_NAME_LENGTH}: every chunk repeats it`,
    )
  }
  if (typeof cookieName !== 'string' || !TOKEN.test(cookieName)) {
    throw configError(
      `option cookieName must be an RFC 6265 token (letters, digits, !#$%&'*+-.^_\`|~), got ${JSON.stringify(cookieName)}`,
    )
  }
  // NAME.k and NAME.gone are another instance's chunk names: its proxy and commits would take this
  // cookie for a stale chunk of theirs and delete it.
  if (/\.([1-9][0-9]*|gone|flash)$/.test(cookieName)) {
    throw configError(
      `option cookieName ${JSON.stringify(cookieName)} ends like a chunk name (.N, .gone or .flash) of the cookie ${JSON.stringify(cookieName.slice(0, cookieName.lastIndexOf('.')))}: pick a name without that ending`,
    )
  }
  return cookieName
}

export function resolveCookie(input: unknown, cookieName: string): ResolvedCookie {
  if (input !== undefined && !isRecord(input)) throw configError('option cookie must be an object')
  const c = input ?? {}
  refuseUnknownKeys(c, COOKIE_KEYS, 'cookie.')
  const path = c['path'] ?? DEFAULTS.cookie.path
  if (typeof path !== 'string' || !PATH_VALUE.test(path)) {
    throw configError(
      `option cookie.path must start with "/" and hold no control characters, ";" or "<", got ${JSON.stringify(path)}`,
    )
  }
  const domain = c['domain']
  if (domain !== undefined && (typeof domain !== 'string' || !DOMAIN_VALUE.test(domain))) {
    throw configError(`option cookie.domain is not a valid domain: ${JSON.stringify(domain)}`)
  }
  for (const [name, v] of [
    ['path', path],
    ['domain', domain],
  ] as const) {
    if (typeof v === 'string' && v.length > MAX_ATTRIBUTE_BYTES) {
      throw configError(
        `option cookie.${name} is ${v.length} bytes; browsers ignore attributes over ${MAX_ATTRIBUTE_BYTES} bytes`,
      )
    }
  }
  const sameSite = c['sameSite'] ?? DEFAULTS.cookie.sameSite
  if (sameSite !== 'lax' && sameSite !== 'strict' && sameSite !== 'none') {
    throw configError(`option cookie.sameSite must be 'lax', 'strict' or 'none', got ${JSON.stringify(sameSite)}`)
  }
  const priority = c['priority']
  if (priority !== undefined && priority !== 'low' && priority !== 'medium' && priority !== 'high') {
    throw configError(`option cookie.priority must be 'low', 'medium' or 'high', got ${JSON.stringify(priority)}`)
  }
  const resolved: ResolvedCookie = {
    path,
    domain,
    sameSite,
    httpOnly: optionalBoolean(c['httpOnly'], 'cookie.httpOnly', DEFAULTS.cookie.httpOnly),
    secure: optionalBoolean(c['secure'], 'cookie.secure', DEFAULTS.cookie.secure),
    partitioned: optionalBoolean(c['partitioned'], 'cookie.partitioned', DEFAULTS.cookie.partitioned),
    priority,
  }
  if (sameSite === 'none' && !resolved.secure) {
    throw configError(
      "option cookie.sameSite 'none' needs cookie.secure: true (browsers reject SameSite=None without Secure)",
    )
  }
  if (resolved.partitioned && !resolved.secure) {
    throw configError(
      'option cookie.partitioned needs cookie.secure: true (browsers reject Partitioned without Secure)',
    )
  }
  // rfc6265bis section 4.1.3: cookie name prefixes.
  // rfc6265bis section 4.1.3, and browsers, match the prefixes case-insensitively.
  const lower = cookieName.toLowerCase()
  if (lower.startsWith('__secure-') || lower.startsWith('__host-')) {
    if (!resolved.secure)
      throw configError(`cookie name ${cookieName} needs cookie.secure: true (its prefix requires Secure)`)
  }
  if (lower.startsWith('__host-')) {
    if (resolved.domain !== undefined)
      throw configError(
        `cookie name ${cookieName} forbids cookie.domain (the __Host- prefix requires a host-only cookie)`,
      )
    if (resolved.path !== '/')
      throw configError(
        `cookie name ${cookieName} needs cookie.path '/' (the __Host- prefix requires Path=/), got ${JSON.stringify(resolved.path)}`,
      )
  }
  return resolved
}
