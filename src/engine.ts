import { webBackend, type SealBackend } from './backend.js'
import { requestBudget } from './budget.js'
import type { BrowserProfile } from './browsers/user-agent.js'
import { createContext } from './context.js'
import { decodeSession } from './decode.js'
import { encodeSession, type EncodeResult } from './encode.js'
import { configError } from './errors.js'
import type { CookiemanOptions } from './options/types.js'
import { planProxy, type ProxyDecision } from './proxy-plan.js'
import { budgetSnapshot, type BudgetSnapshot } from './report.js'
import { readRequest, trustedRequest, type HeadersLike, type StoredCookie } from './request.js'
import type { Session } from './session.js'
import type { ShrinkFunction } from './shrink/index.js'

type KeyOf<T> = Extract<keyof T, string>

/**
 * The framework-free engine: Web-standard headers in, sessions and Set-Cookie lines out. Every
 * framework adapter (the Next.js layer among them) is a small layer over this interface.
 */
export interface Cookieman<T extends object> {
  /** The name of the first chunk; the others are `NAME.1`, `NAME.2`… */
  readonly cookieName: string
  /**
   * Registers a shrink function for one key or several. Shrinkers run in registration order.
   * @example cookieman.register('recent', (data, last) => { data.recent?.pop(); if (last || !data.recent?.length) delete data.recent; return data })
   */
  register(keys: KeyOf<T> | readonly KeyOf<T>[], fn: ShrinkFunction<T>): this
  /** Reads the session from request headers. Never throws on bad cookies. */
  decodeSession(headers: HeadersLike): Promise<Session<T>>
  /** Shrinks, seals and chunks the session for the browser that sent `headers`. */
  encodeSession(session: Session<T>, headers: HeadersLike): Promise<EncodeResult>
  /** The browser profile for a request: the proxy's forwarded one, else parsed from the User-Agent. */
  profile(headers: HeadersLike): BrowserProfile
  /** The budget of a request and what our cookies and the others take of it, without decoding. */
  inspect(headers: HeadersLike): BudgetSnapshot
  /**
   * What a proxy or middleware does for a request, as data (see {@link ProxyDecision}): the request
   * headers the rest of the request must see and the Set-Cookie lines to send. `cookieHeader` is
   * the Cookie header the rest of the request would see, when an earlier proxy rewrote it. `method`
   * lets a `rolling` re-issue wait for a request that does not commit itself (GET or HEAD).
   * @example const { requestHeaders, setCookie } = await cookieman.planProxy(request.headers, undefined, request.method)
   */
  planProxy(
    headers: HeadersLike,
    cookieHeader?: string | undefined,
    method?: string | undefined,
  ): Promise<ProxyDecision>
  /**
   * The request headers every reader must trust: the request's own Cookie header (first of two
   * same-name cookies, values as sent), with `written` laid over it, the cookies written earlier in
   * the same request (a proxy's response cookies, a commit's; an empty value for a deletion). Pass
   * the writes, not a framework's whole cookie store.
   */
  trustedHeaders(headers: HeadersLike, written?: readonly StoredCookie[]): HeadersLike
}

/**
 * Creates the framework-free engine. Options are validated here (`ERR_SESSION_CONFIG`). `backend`
 * is chosen by the package entry point: Web Crypto by default, node:crypto from the Node entry.
 */
export function createEngineWith<T extends object>(
  options: CookiemanOptions<T>,
  backend: SealBackend = webBackend,
  /** The clock, in milliseconds: an adapter whose framework watches `Date.now()` passes its own. */
  now?: () => number,
): Cookieman<T> {
  const ctx = createContext(options, backend, now)
  const { opts } = ctx
  const decode = (headers: HeadersLike) => decodeSession(ctx, headers)
  const encode = (session: Session<T>, headers: HeadersLike) => encodeSession(ctx, session, headers)
  // The proxy re-fits and re-issues the session the request carries, never the request's data: no
  // cross-site check there (the deletions and re-issue of a stored session are no write of data).
  const reissue = (session: Session<T>, headers: HeadersLike) => encodeSession(ctx, session, headers, false)
  return {
    cookieName: opts.cookieName,
    register(keysArg, fn) {
      const list: readonly string[] = typeof keysArg === 'string' ? [keysArg] : keysArg
      if (!Array.isArray(list) || list.length === 0 || list.some((k) => typeof k !== 'string' || k === '')) {
        throw configError('register needs a key or a non-empty array of keys')
      }
      if (typeof fn !== 'function') throw configError('register needs a shrink function (data, last) => data')
      for (const key of list) {
        if (ctx.shrinkers.some((s) => s.keys.includes(key))) {
          throw configError(`a shrink function is already registered for key ${JSON.stringify(key)}`)
        }
      }
      ctx.shrinkers.push({ keys: [...list], fn })
      return this
    },
    decodeSession: decode,
    encodeSession: encode,
    profile: ctx.profile,
    inspect(headers) {
      const request = readRequest(headers, opts.cookieName)
      const profile = ctx.profile(headers)
      const budget = requestBudget(opts, profile.entry, request)
      return budgetSnapshot(request, budget, profile, opts.reserveBytes)
    },
    planProxy: (headers, cookieHeader, method) =>
      planProxy(
        ctx,
        { decode: (view) => decodeSession(ctx, view, false), encode: reissue },
        headers,
        cookieHeader,
        method,
      ),
    trustedHeaders: (headers, written) => trustedRequest(headers, written),
  }
}
