import type { BrowserEntry, BrowserLimits, BrowserMatch } from '../browsers/database.js'
import type { SessionError } from '../errors.js'
import type { FrontEntry, FrontLimits } from '../fronts/database.js'
import type { SchemaOutput, SessionSchema } from '../schema.js'
import type { ResolvedSpill, SessionStore, SpillOptions } from '../store/types.js'

/** The options of {@link createCookieman} as the app writes them, and as the engine reads them once resolved. */

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

/** A built-in front by id, or an entry of the app's own (a built-in id with some limits changed, or a new id). */
export type FrontOption =
  | string
  | (Partial<FrontLimits> & {
      id: string
      name?: string
      kind?: 'server' | 'platform'
      source?: string
      raise?: string
    })

/** The server side of the budget, plus database overrides. */
export interface LimitsOptions {
  /**
   * The servers a request passes before the app, by id (`nginx`, `apache`, `haproxy`, `caddy`,
   * `node`, `vercel`, `netlify`, `cloudflare`, `aws-alb`, `cloudfront`) or as entries with the
   * limits of your configuration. `node` (`next start`) is added unless a platform is named.
   * @default ['nginx'], or the platform recognized from the environment (e.g. `VERCEL` on Vercel)
   * @example ['haproxy']
   * @example [{ id: 'nginx', responseHeadBytes: 16384 }] // proxy_buffer_size 16k; proxy_buffers 8 16k;
   */
  fronts?: readonly FrontOption[] | undefined
  /**
   * Largest `Cookie` request header line (`Cookie: ` + value + CRLF) every front accepts, in bytes.
   * Given, it replaces the fronts' figure. nginx answers 400 past 8 KiB per header line; Node
   * (`next start`) 431 past 16 KiB of URL + headers.
   * @default the smallest of the fronts: 8192 behind a stock nginx
   */
  maxCookieHeaderBytes?: number | undefined
  /**
   * Largest response head (status line and every header) every front passes from the app, in bytes.
   * Given, it replaces the fronts' figure. A stock nginx answers 502 past its 4 KiB `proxy_buffer_size`.
   * @default the smallest of the fronts: 4095 behind a stock nginx
   */
  maxResponseHeaderBytes?: number | undefined
  /** Bytes of the Cookie header kept free below the limit for cookies the commit does not see. @default 4097 (one full cookie: 4,096 bytes of name and value and its `=`); below an 8 KiB line, half of it */
  reserveBytes?: number | undefined
  /** Bytes of the response head kept for the status line and every header but our Set-Cookie lines. @default 1024 */
  responseReserveBytes?: number | undefined
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
  /**
   * Lifetime of a session in seconds from its first issue, across every commit and rolling
   * re-issue: older sessions are `ERR_SESSION_EXPIRED` however recently they were re-issued (a
   * stolen copy kept alive by replaying it dies too). At least `maxAge`, at most 400 days.
   * @default 2592000 (30 days), or `maxAge` when that is longer
   */
  absoluteMaxAge?: number | undefined
  cookie?: CookieAttributes | undefined
  /**
   * Commits answering a request from another origin write nothing (`ERR_SESSION_CROSS_SITE` in the
   * report and to `onError`): the request's `Origin`, when present, must be this app's host (`Host`
   * or `X-Forwarded-Host`) or one of `allowedOrigins` (`https://idp.example.com`, `*.example.com`);
   * without one, `Sec-Fetch-Site: cross-site | same-site` refuses an unsafe method the proxy saw.
   * `false` turns the check off. @default { allowedOrigins: [] }
   */
  csrf?: false | { allowedOrigins?: readonly string[] | undefined } | undefined
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
  /**
   * A Standard Schema (zod 4, valibot, ArkType…) of the session data; `createCookieman` then infers
   * the data type from it. Every authentic session read is validated once (defaults merged under
   * it first) and the app sees the schema's output; data the schema refuses is a new session with
   * `ERR_SESSION_INVALID` (the issues as `cause`) to `onError`. A commit of data it refuses throws
   * `ERR_SESSION_INVALID` before anything is sealed.
   */
  schema?: SessionSchema<T> | undefined
  /**
   * The version of the data's shape this code reads and writes (an integer >= 1), sealed with the
   * data. Sessions of a lower version (or of none: version 0) go through `migrate` before the
   * schema sees them.
   */
  version?: number | undefined
  /**
   * Upgrades the data of an older session to the shape of `version` (needs `version`); gets the
   * stored data (defaults not merged) and its version (0 for a session written without one). What
   * it returns goes to the schema; a throw is `ERR_SESSION_INVALID`. Sessions of a higher version
   * (a newer deployment's) are not migrated: the schema decides.
   * @example migrate: (data, from) => (from < 2 ? { ...data, cart: data.items ?? [] } : data)
   */
  migrate?: ((data: Record<string, unknown>, fromVersion: number) => unknown) | undefined
  /**
   * A key-value store the app runs (Redis: `redisStore` from `next-cookieman/redis`): what the
   * budget would drop goes there instead, with a reference in the sealed cookie that authenticates
   * it, and comes back whole on the next read, in one store call. The session stays in its cookies
   * while it fits. A store that fails never fails a request: see `ERR_SESSION_STORE`.
   */
  store?: SessionStore | undefined
  /** Which keys spill first or never, and the store's time bound (needs `store`). */
  spill?: SpillOptions<Extract<keyof T, string>> | undefined
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

/** Options with a `schema`: the data type is the schema's output, inferred (no type parameter). */
export type SchemaOptions<S extends SessionSchema<object>> = CookiemanOptions<SchemaOutput<S>> & { schema: S }

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
  absoluteMaxAge: number
  /** Hosts besides the request's own whose requests may commit, or `false`: no check. */
  csrf: { allowedHosts: readonly string[] } | false
  cookie: ResolvedCookie
  maxCookieHeaderBytes: number
  reserveBytes: number
  /** `undefined`: no front limits the response head. */
  maxResponseHeaderBytes: number | undefined
  responseReserveBytes: number
  fronts: readonly FrontEntry[]
  /** Which front (or `option`) each limit comes from. */
  limitSources: { cookieHeader: string; responseHead: string | undefined }
  maxInflatedBytes: number
  browsers: readonly BrowserEntry[]
  rolling: boolean
  defaults: () => T
  onError: (err: SessionError) => void
  verify: ((data: Partial<T>) => boolean | Promise<boolean>) | undefined
  schema: SessionSchema<T> | undefined
  version: number | undefined
  migrate: ((data: Record<string, unknown>, fromVersion: number) => unknown) | undefined
  /** `undefined`: no store. */
  spill: ResolvedSpill | undefined
}
