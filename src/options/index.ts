import { allowedHost } from '../cross-site.js'
import { BUILTIN_BROWSERS, RFC6265_MINIMUM, type BrowserEntry } from '../browsers/database.js'
import { configError } from '../errors.js'
import { resolveBrowsers } from './browsers.js'
import { isRecord, optionalBoolean, positiveInteger, refuseUnknownKeys } from './check.js'
import { resolveCookie, resolveCookieName } from './cookie.js'
import { resolveFronts } from './fronts.js'
import { secretWeakness } from './secret.js'
import { DEFAULTS, MAX_AGE_LIMIT, MIN_INFLATED_BYTES, MIN_SECRET_LENGTH, defaultCompress } from './defaults.js'
import type { SessionSchema } from '../schema.js'
import { resolveSpill } from './spill.js'
import type { CookiemanOptions, ResolvedOptions } from './types.js'

export type * from './types.js'

const OPTION_KEYS = [
  'secret',
  'cookieName',
  'mode',
  'compress',
  'maxAge',
  'absoluteMaxAge',
  'cookie',
  'limits',
  'rolling',
  'defaults',
  'onError',
  'verify',
  'csrf',
  'schema',
  'version',
  'migrate',
  'store',
  'spill',
] as const
const LIMIT_KEYS = [
  'fronts',
  'maxCookieHeaderBytes',
  'maxResponseHeaderBytes',
  'reserveBytes',
  'responseReserveBytes',
  'maxInflatedBytes',
  'browsers',
] as const

// (Node's crypto is reached through the global here: the Edge build must not name a node: module.)
const GENERATE = `generate one with: node -p "crypto.randomBytes(32).toString('base64url')"`

function resolveSecrets(secret: unknown): string[] {
  const list = typeof secret === 'string' ? [secret] : Array.isArray(secret) ? (secret as unknown[]) : undefined
  if (list === undefined || list.length === 0) {
    throw configError('option secret is required: a string of at least 32 characters, or an array of them')
  }
  return list.map((s, i) => {
    if (typeof s !== 'string' || s.length < MIN_SECRET_LENGTH) {
      const len = typeof s === 'string' ? s.length : 0
      throw configError(
        `option secret${Array.isArray(secret) ? `[${i}]` : ''} is too weak: ${len} characters, at least ${MIN_SECRET_LENGTH} needed (${GENERATE})`,
      )
    }
    const weakness = secretWeakness(s)
    if (weakness !== undefined) {
      throw configError(`option secret${Array.isArray(secret) ? `[${i}]` : ''} is too weak: ${weakness} (${GENERATE})`)
    }
    return s
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
  builtinBrowsers: readonly BrowserEntry[] = BUILTIN_BROWSERS,
): ResolvedOptions<T> {
  if (!isRecord(options)) throw configError('createCookieman needs an options object with at least a secret')
  refuseUnknownKeys(options, OPTION_KEYS, '')
  const secrets = resolveSecrets(options.secret)
  const cookieName = resolveCookieName(options.cookieName)
  const mode = options.mode ?? DEFAULTS.mode
  if (mode !== 'encrypt' && mode !== 'sign') {
    throw configError(`option mode must be 'encrypt' or 'sign', got ${JSON.stringify(mode)}`)
  }
  const maxAge = positiveInteger(options.maxAge, 'maxAge', DEFAULTS.maxAge)
  if (maxAge > MAX_AGE_LIMIT) {
    throw configError(`option maxAge is ${maxAge} s; browsers cap cookies at 400 days (${MAX_AGE_LIMIT} s)`)
  }
  const absoluteMaxAge = positiveInteger(
    options.absoluteMaxAge,
    'absoluteMaxAge',
    Math.max(DEFAULTS.absoluteMaxAge, maxAge),
  )
  if (absoluteMaxAge > MAX_AGE_LIMIT) {
    throw configError(`option absoluteMaxAge is ${absoluteMaxAge} s; at most 400 days (${MAX_AGE_LIMIT} s)`)
  }
  if (absoluteMaxAge < maxAge) {
    throw configError(`option absoluteMaxAge (${absoluteMaxAge} s) must be at least maxAge (${maxAge} s)`)
  }
  const limits = options.limits ?? {}
  if (!isRecord(limits)) throw configError('option limits must be an object')
  refuseUnknownKeys(limits, LIMIT_KEYS, 'limits.')
  const resolved = resolveFronts(limits)
  const { maxCookieHeaderBytes, maxResponseHeaderBytes } = resolved
  // One full cookie by default; below an 8 KiB line, half of it, so that a session keeps room.
  const reserveBytes = positiveInteger(
    limits.reserveBytes,
    'limits.reserveBytes',
    maxCookieHeaderBytes >= 8192 ? DEFAULTS.reserveBytes : Math.floor(maxCookieHeaderBytes / 2),
    0,
  )
  if (reserveBytes >= maxCookieHeaderBytes) {
    throw configError(
      `option limits.reserveBytes (${reserveBytes}) must be smaller than limits.maxCookieHeaderBytes (${maxCookieHeaderBytes}${resolved.cookieHeaderSource === 'option' ? '' : `, from front ${resolved.cookieHeaderSource}`})`,
    )
  }
  const responseReserveBytes = positiveInteger(
    limits.responseReserveBytes,
    'limits.responseReserveBytes',
    DEFAULTS.responseReserveBytes,
    0,
  )
  if (maxResponseHeaderBytes !== undefined && responseReserveBytes >= maxResponseHeaderBytes) {
    throw configError(
      `option limits.responseReserveBytes (${responseReserveBytes}) must be smaller than the response head limit (${maxResponseHeaderBytes}${resolved.responseHeadSource === 'option' ? '' : `, from front ${resolved.responseHeadSource}`})`,
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
  const csrf = resolveCsrf(options.csrf)
  const { schema, version, migrate } = resolveShape(options)
  const spill = resolveSpill(options.store, options.spill)
  return {
    secrets,
    cookieName,
    mode,
    compress: optionalBoolean(options.compress, 'compress', defaultCompress(mode)),
    maxAge,
    absoluteMaxAge,
    csrf,
    cookie: resolveCookie(options.cookie, cookieName),
    maxCookieHeaderBytes,
    reserveBytes,
    maxResponseHeaderBytes,
    responseReserveBytes,
    fronts: resolved.fronts,
    limitSources: { cookieHeader: resolved.cookieHeaderSource, responseHead: resolved.responseHeadSource },
    maxInflatedBytes: positiveInteger(
      limits.maxInflatedBytes,
      'limits.maxInflatedBytes',
      DEFAULTS.maxInflatedBytes,
      MIN_INFLATED_BYTES,
    ),
    browsers: resolveBrowsers(limits.browsers, [...builtinBrowsers, RFC6265_MINIMUM]),
    rolling: optionalBoolean(options.rolling, 'rolling', DEFAULTS.rolling),
    defaults: resolveDefaults(options.defaults),
    onError: options.onError ?? (() => {}),
    verify: options.verify,
    schema,
    version,
    migrate,
    spill,
  }
}

/** `csrf`: `false`, or `{ allowedOrigins }` (origins or hosts, `*.` for subdomains). */
function resolveCsrf(csrf: unknown): { allowedHosts: readonly string[] } | false {
  if (csrf === undefined) return { allowedHosts: [] }
  if (csrf === false) return false
  if (!isRecord(csrf)) throw configError('option csrf must be false or { allowedOrigins: string[] }')
  refuseUnknownKeys(csrf, ['allowedOrigins'], 'csrf.')
  const list = csrf['allowedOrigins'] ?? []
  if (!Array.isArray(list)) throw configError('option csrf.allowedOrigins must be an array of origins')
  const allowedHosts = list.map((entry: unknown) => {
    const host = typeof entry === 'string' ? allowedHost(entry) : undefined
    if (host === undefined) {
      throw configError(
        `option csrf.allowedOrigins: ${JSON.stringify(entry)} is not an origin (https://idp.example.com) or a host (idp.example.com, *.example.com)`,
      )
    }
    return host
  })
  return { allowedHosts }
}

/** The largest `version`: it is written in base36, at most 7 digits. */
const MAX_VERSION = 2_147_483_647

/** `schema` (a Standard Schema), `version` (an integer >= 1) and `migrate` (needs a version). */
function resolveShape<T extends object>(
  options: CookiemanOptions<T>,
): Pick<ResolvedOptions<T>, 'schema' | 'version' | 'migrate'> {
  const schema = options.schema as unknown
  if (schema !== undefined) {
    const standard = (schema as { '~standard'?: { version?: unknown; validate?: unknown } } | null)?.['~standard']
    if (
      (typeof schema !== 'object' && typeof schema !== 'function') ||
      schema === null ||
      typeof standard !== 'object' ||
      standard === null ||
      standard.version !== 1 ||
      typeof standard.validate !== 'function'
    ) {
      throw configError(
        'option schema must be a Standard Schema v1 (a zod 4, valibot or ArkType schema, for example z.object({ ... }))',
      )
    }
  }
  const version = options.version === undefined ? undefined : positiveInteger(options.version, 'version', 1)
  if (version !== undefined && version > MAX_VERSION) {
    throw configError(`option version must be at most ${MAX_VERSION}, got ${version}`)
  }
  if (options.migrate !== undefined) {
    if (typeof options.migrate !== 'function') {
      throw configError('option migrate must be a function (data, fromVersion) => data')
    }
    if (version === undefined) {
      throw configError('option migrate needs a version: the version of the data shape this code reads and writes')
    }
  }
  return { schema: schema as SessionSchema<T> | undefined, version, migrate: options.migrate }
}
