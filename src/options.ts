import { configError, type SessionError } from './errors.js'
import { RFC6265_MINIMUM, type BrowserEntry, type BrowserLimits, type BrowserMatch } from './limits.js'

/** Attributes of every chunk cookie. */
export interface CookieAttributes {
  /** @default '/' */
  path?: string | undefined
  /** Omitted by default: a host-only cookie. Not allowed with the `__Host-` prefix. */
  domain?: string | undefined
  /** @default 'lax' */
  sameSite?: 'lax' | 'strict' | 'none' | undefined
  /** @default true */
  httpOnly?: boolean | undefined
  /** @default true. Browsers accept Secure cookies from http://localhost; elsewhere on plain http set false. */
  secure?: boolean | undefined
  /** CHIPS partitioned cookie (needs Secure). @default false */
  partitioned?: boolean | undefined
  /** Chromium cookie priority. Omitted by default. */
  priority?: 'low' | 'medium' | 'high' | undefined
}

/** A browser entry to add (every limit given) or a change to an entry of the same id. */
export type BrowserEntryOverride = Partial<BrowserLimits> & { match?: BrowserMatch; source?: string }

/** The server side of the budget, plus database overrides. */
export interface LimitsOptions {
  /**
   * Largest `Cookie` request header the servers in front of the app accept, in bytes.
   * nginx answers 400 past 8 KiB per header line; Node (`next start`) 431 past 16 KiB of URL + headers.
   * @default 8192
   */
  maxCookieHeaderBytes?: number | undefined
  /** Bytes of the Cookie header kept free for cookies set later by others. @default 512 */
  reserveBytes?: number | undefined
  /** Hard cap on the inflated size of a compressed session, and on the session JSON at commit. @default 262144 */
  maxInflatedBytes?: number | undefined
  /**
   * Override built-in entries by id (`blink`, `blink-legacy`, `gecko`, `gecko-legacy`, `webkitgtk`,
   * `webkit-apple`, `trident`, `msie-legacy`, `presto`) or add new ones (with `match` and every limit).
   * @example { blink: { cookies: 150 }, 'my-kiosk': { match: { browser: ['Kiosk'] }, perCookie: 4096, cookies: 50, responseHeadBytes: 65536, source: 'vendor docs' } }
   */
  browsers?: Record<string, BrowserEntryOverride> | undefined
}

/** Options of {@link createCookieman}, but `defaults`. Unknown keys are refused. */
export interface BaseOptions<T extends object = object> {
  /** One secret or several (rotation: the first seals, all open). Each at least 32 characters. */
  secret: string | readonly string[]
  /** Name of the first chunk; the others are `NAME.1`, `NAME.2`… @default 'session' */
  cookieName?: string | undefined
  /** `encrypt`: JWE dir + A256GCM. `sign`: JWS HS256, readable by the client. @default 'encrypt' */
  mode?: 'encrypt' | 'sign' | undefined
  /** deflate-raw before sealing. @default true in 'sign' mode, false in 'encrypt' mode */
  compress?: boolean | undefined
  /** Lifetime in seconds, enforced server-side through `exp`. At most 400 days. @default 1209600 (14 days) */
  maxAge?: number | undefined
  cookie?: CookieAttributes | undefined
  limits?: LimitsOptions | undefined
  /** Re-issue an unchanged session once more than half of `maxAge` has passed. @default false */
  rolling?: boolean | undefined
  /** Called once for every rejected cookie and for a commit that could not fit. */
  onError?: ((err: SessionError) => void) | undefined
  /**
   * Called with every authentic, unexpired session's data before it is used; return false to reject it
   * (a new session with `ERR_SESSION_EXPIRED`). A stateless cookie cannot be revoked before `exp`:
   * this is where the app can, e.g. on a session-version or password-change mismatch.
   * @example verify: async (data) => !data.userId || (await db.sessionVersion(data.userId)) === data.version
   */
  verify?: ((data: Partial<T>) => boolean | Promise<boolean>) | undefined
}

/**
 * `defaults` is required when `T` has required keys: a new session must hold a valid `T`.
 * It gives the data of a new or unreadable session, merged under decoded data.
 */
export type DefaultsOption<T extends object> = {} extends T
  ? { /** @default () => ({}) */ defaults?: (() => T) | undefined }
  : { defaults: () => T }

/** Options of {@link createCookieman}. Unknown keys are refused. */
export type CookiemanOptions<T extends object> = BaseOptions<T> & DefaultsOption<T>

export interface ResolvedCookie {
  path: string
  domain: string | undefined
  sameSite: 'lax' | 'strict' | 'none'
  httpOnly: boolean
  secure: boolean
  partitioned: boolean
  priority: 'low' | 'medium' | 'high' | undefined
}

export interface ResolvedOptions<T extends object> {
  secrets: readonly string[]
  cookieName: string
  mode: 'encrypt' | 'sign'
  compress: boolean
  maxAge: number
  cookie: ResolvedCookie
  maxCookieHeaderBytes: number
  reserveBytes: number
  maxInflatedBytes: number
  browsers: readonly BrowserEntry[]
  rolling: boolean
  defaults: () => T
  onError: (err: SessionError) => void
  verify: ((data: Partial<T>) => boolean | Promise<boolean>) | undefined
}

export const MAX_AGE_LIMIT = 400 * 24 * 60 * 60 // rfc6265bis: user agents cap Max-Age at 400 days
const MIN_SECRET_LENGTH = 32
const MAX_ATTRIBUTE_BYTES = 1024 // Chromium kMaxCookieAttributeValueSize; longer attributes are ignored

// RFC 6265 section 4.1.1: cookie-name = token (RFC 2616 section 2.2: no CTLs or separators).
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/
// RFC 6265 section 4.1.1: path-value = <any CHAR except CTLs or ";">; the `cookie` serializer also
// refuses "<", so it is refused here rather than at the first commit.
const PATH_VALUE = /^\/[\u0020-\u003A\u003D-\u007E]*$/
const MAX_NAME_LENGTH = 256
// RFC 1034 section 3.5 labels, with an optional leading dot as RFC 6265 section 5.2.3 tolerates.
const DOMAIN_VALUE = /^\.?[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/i

const OPTION_KEYS = [
  'secret',
  'cookieName',
  'mode',
  'compress',
  'maxAge',
  'cookie',
  'limits',
  'rolling',
  'defaults',
  'onError',
  'verify',
] as const
const COOKIE_KEYS = ['path', 'domain', 'sameSite', 'httpOnly', 'secure', 'partitioned', 'priority'] as const
const LIMIT_KEYS = ['maxCookieHeaderBytes', 'reserveBytes', 'maxInflatedBytes', 'browsers'] as const
const ENTRY_KEYS = [
  'match',
  'source',
  'perCookie',
  'perCookieIncludesAttributes',
  'cookies',
  'responseHeadBytes',
  'partitionBytes',
] as const

function refuseUnknownKeys(value: object, known: readonly string[], where: string): void {
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) {
      throw configError(`unknown option ${where}${key}: expected one of ${known.join(', ')}`)
    }
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function positiveInteger(value: unknown, name: string, fallback: number, min = 1): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    throw configError(`option ${name} must be an integer >= ${min}, got ${String(value)}`)
  }
  return value
}

function optionalBoolean(value: unknown, name: string, fallback: boolean): boolean {
  if (value === undefined) return fallback
  if (typeof value !== 'boolean') throw configError(`option ${name} must be a boolean, got ${typeof value}`)
  return value
}

function resolveSecrets(secret: unknown): string[] {
  const list = typeof secret === 'string' ? [secret] : Array.isArray(secret) ? (secret as unknown[]) : undefined
  if (list === undefined || list.length === 0) {
    throw configError('option secret is required: a string of at least 32 characters, or an array of them')
  }
  return list.map((s, i) => {
    if (typeof s !== 'string' || s.length < MIN_SECRET_LENGTH) {
      const len = typeof s === 'string' ? s.length : 0
      throw configError(
        `option secret${Array.isArray(secret) ? `[${i}]` : ''} is too weak: ${len} characters, at least ${MIN_SECRET_LENGTH} needed (generate one with: openssl rand -base64 32)`,
      )
    }
    return s
  })
}

function resolveCookie(input: unknown, cookieName: string): ResolvedCookie {
  if (input !== undefined && !isRecord(input)) throw configError('option cookie must be an object')
  const c = input ?? {}
  refuseUnknownKeys(c, COOKIE_KEYS, 'cookie.')
  const path = c['path'] ?? '/'
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
  const sameSite = c['sameSite'] ?? 'lax'
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
    httpOnly: optionalBoolean(c['httpOnly'], 'cookie.httpOnly', true),
    secure: optionalBoolean(c['secure'], 'cookie.secure', true),
    partitioned: optionalBoolean(c['partitioned'], 'cookie.partitioned', false),
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

const MATCH_KEYS = ['engine', 'browser', 'os', 'minVersion', 'maxVersion'] as const

function resolveMatch(input: unknown, where: string): BrowserMatch {
  if (!isRecord(input)) throw configError(`option ${where} must be an object`)
  refuseUnknownKeys(input, MATCH_KEYS, `${where}.`)
  for (const key of ['engine', 'browser', 'os'] as const) {
    const list = input[key]
    if (list !== undefined && (!Array.isArray(list) || list.length === 0 || list.some((v) => typeof v !== 'string'))) {
      throw configError(`option ${where}.${key} must be a non-empty array of ua-parser-js names, e.g. ['Blink']`)
    }
  }
  for (const key of ['minVersion', 'maxVersion'] as const) {
    if (input[key] !== undefined) positiveInteger(input[key], `${where}.${key}`, 0, 0)
  }
  return input as BrowserMatch
}

function resolveBrowsers(input: unknown, builtin: readonly BrowserEntry[]): BrowserEntry[] {
  if (input === undefined) return []
  if (!isRecord(input)) throw configError('option limits.browsers must be an object keyed by entry id')
  return Object.entries(input).map(([id, override]) => {
    if (!isRecord(override)) throw configError(`option limits.browsers.${id} must be an object`)
    refuseUnknownKeys(override, ENTRY_KEYS, `limits.browsers.${id}.`)
    const base = builtin.find((e) => e.id === id)
    const merged = { ...base, ...override, id } as Partial<BrowserEntry> & { id: string }
    for (const key of ['perCookie', 'cookies', 'responseHeadBytes'] as const) {
      if (merged[key] === undefined) {
        throw configError(`option limits.browsers.${id}.${key} is required for a new entry`)
      }
      positiveInteger(merged[key], `limits.browsers.${id}.${key}`, 0)
    }
    if (merged.partitionBytes !== undefined) {
      positiveInteger(merged.partitionBytes, `limits.browsers.${id}.partitionBytes`, 0)
    }
    if (merged.match === undefined) throw configError(`option limits.browsers.${id}.match is required for a new entry`)
    const match = resolveMatch(merged.match, `limits.browsers.${id}.match`)
    // An empty match would catch every browser before the built-in entries: only the fallback has one.
    if (id !== RFC6265_MINIMUM.id && Object.keys(match).length === 0) {
      throw configError(`option limits.browsers.${id}.match must name an engine, browser or OS`)
    }
    return {
      ...(merged as BrowserEntry),
      match,
      source: typeof merged.source === 'string' ? merged.source : `limits.browsers.${id} (app configuration)`,
    }
  })
}

/**
 * Defaults as plain JSON data, fresh on every call: a shared constant returned by the app's
 * function is never mutated by one request and seen by the next.
 */
function resolveDefaults<T extends object>(fn: (() => T) | undefined): () => T {
  if (fn === undefined) return () => ({}) as T
  const probe: unknown = fn()
  if (!isRecord(probe)) {
    throw configError(`option defaults must return a plain object, got ${probe === null ? 'null' : typeof probe}`)
  }
  return () => JSON.parse(JSON.stringify(fn())) as T
}

/** Validates options; throws `SessionError` `ERR_SESSION_CONFIG` with what to change. */
export function resolveOptions<T extends object>(
  options: CookiemanOptions<T>,
  builtinBrowsers: readonly BrowserEntry[],
): ResolvedOptions<T> {
  if (!isRecord(options)) throw configError('createCookieman needs an options object with at least a secret')
  refuseUnknownKeys(options, OPTION_KEYS, '')
  const secrets = resolveSecrets(options.secret)
  const cookieName = options.cookieName ?? 'session'
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
  const mode = options.mode ?? 'encrypt'
  if (mode !== 'encrypt' && mode !== 'sign') {
    throw configError(`option mode must be 'encrypt' or 'sign', got ${JSON.stringify(mode)}`)
  }
  const maxAge = positiveInteger(options.maxAge, 'maxAge', 14 * 24 * 60 * 60)
  if (maxAge > MAX_AGE_LIMIT) {
    throw configError(`option maxAge is ${maxAge} s; browsers cap cookies at 400 days (${MAX_AGE_LIMIT} s)`)
  }
  const limits = options.limits ?? {}
  if (!isRecord(limits)) throw configError('option limits must be an object')
  refuseUnknownKeys(limits, LIMIT_KEYS, 'limits.')
  const maxCookieHeaderBytes = positiveInteger(limits.maxCookieHeaderBytes, 'limits.maxCookieHeaderBytes', 8192, 256)
  const reserveBytes = positiveInteger(limits.reserveBytes, 'limits.reserveBytes', 512, 0)
  if (reserveBytes >= maxCookieHeaderBytes) {
    throw configError(
      `option limits.reserveBytes (${reserveBytes}) must be smaller than limits.maxCookieHeaderBytes (${maxCookieHeaderBytes})`,
    )
  }
  if (options.defaults !== undefined && typeof options.defaults !== 'function') {
    throw configError('option defaults must be a function returning the data of a new session')
  }
  if (options.verify !== undefined && typeof options.verify !== 'function') {
    throw configError('option verify must be a function (data) => boolean | Promise<boolean>')
  }
  if (options.onError !== undefined && typeof options.onError !== 'function') {
    throw configError('option onError must be a function')
  }
  return {
    secrets,
    cookieName,
    mode,
    compress: optionalBoolean(options.compress, 'compress', mode === 'sign'),
    maxAge,
    cookie: resolveCookie(options.cookie, cookieName),
    maxCookieHeaderBytes,
    reserveBytes,
    maxInflatedBytes: positiveInteger(limits.maxInflatedBytes, 'limits.maxInflatedBytes', 256 * 1024, 1024),
    browsers: resolveBrowsers(limits.browsers, [...builtinBrowsers, RFC6265_MINIMUM]),
    rolling: optionalBoolean(options.rolling, 'rolling', false),
    defaults: resolveDefaults(options.defaults),
    onError: options.onError ?? (() => {}),
    verify: options.verify,
  }
}
