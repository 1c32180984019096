/**
 * `next-cookieman/core`: the framework-free engine, for adapters other than the Next.js one (a
 * plain Node server, Hono, a Worker). Web-standard headers in, sessions and Set-Cookie lines out;
 * nothing here imports a framework. The Next.js layer (`src/next/`) stands on this entry alone.
 *
 * @example
 * ```ts
 * import { createEngine } from 'next-cookieman/core'
 * const engine = createEngine<Cart>({ secret: process.env.SESSION_SECRET!, defaults: () => ({ cart: [] }) })
 * const session = await engine.decodeSession(request.headers)
 * session.data.cart.push('sku-1')
 * const { setCookie } = await engine.encodeSession(session, request.headers)
 * for (const line of setCookie) response.headers.append('set-cookie', line)
 * ```
 */
import { webBackend } from './backend.js'
import { createEngineWith, type Cookieman } from './engine.js'
import type { CookiemanOptions, SchemaOptions } from './options/types.js'
import type { SchemaOutput, SessionSchema } from './schema.js'

/** Creates the framework-free engine (see {@link Cookieman}). Options as for `createCookieman`. */
export function createEngine<S extends SessionSchema<object>>(options: SchemaOptions<S>): Cookieman<SchemaOutput<S>>
export function createEngine<T extends object>(options: CookiemanOptions<T>): Cookieman<T>
export function createEngine(options: unknown): Cookieman<object> {
  // Both overloads take options of this shape; resolveOptions checks them at run time.
  return createEngineWith(options as CookiemanOptions<object>, webBackend)
}

export type { Cookieman } from './engine.js'
export type { EncodeResult } from './encode.js'
export type { ProxyDecision } from './proxy-plan.js'
export type { HeadersLike, StoredCookie } from './request.js'
export type { BudgetSnapshot, CommitReport, ShrinkStep } from './report.js'
export type { CookieWrite } from './set-cookie.js'
export type { Budget, BudgetLimit } from './budget.js'
export type { Session } from './session.js'
export type { ShrinkFunction, ShrinkInfo } from './shrink/index.js'
export type { SchemaIssue, SchemaOutput, SchemaResult, SessionSchema } from './schema.js'
export { trimCount } from './shrink/trim-count.js'
export type {
  CookiemanOptions,
  SchemaOptions,
  CookieAttributes,
  LimitsOptions,
  BrowserEntryOverride,
  FrontOption,
} from './options/types.js'
export { SessionError, isSessionError } from './errors.js'
export { appendSetCookie, isNodeResponse, requestHeadersOf } from './node-http.js'
export type { NodeRequestLike, NodeResponseLike } from './node-http.js'
export { carried, shared } from './realm.js'
export type { SessionErrorCode } from './errors.js'
export { encodeProfile, PROFILE_HEADER } from './browsers/profile-header.js'
export { REJECTED_HEADER, SPENT_HEADER } from './request.js'
export { METHOD_HEADER } from './cross-site.js'
export { FLASH_HEADER } from './flash.js'
export type { Flashes, FlashValue } from './flash.js'
export { BUILTIN_FRONTS, frontById, frontsFromEnvironment } from './fronts/database.js'
export type { FrontEntry, FrontLimits } from './fronts/database.js'
export { BUILTIN_BROWSERS, RFC6265_MINIMUM } from './browsers/database.js'
export type { BrowserEntry, BrowserLimits, BrowserMatch } from './browsers/database.js'
export { profileFor } from './browsers/user-agent.js'
export type { BrowserInfo, BrowserProfile } from './browsers/user-agent.js'
