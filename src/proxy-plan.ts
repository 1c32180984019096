import { encodeProfile, PROFILE_HEADER } from './browsers/profile-header.js'
import { METHOD_HEADER } from './cross-site.js'
import { profileFor } from './browsers/user-agent.js'
import { requestBudget, SET_COOKIE_LINE, type BudgetContext } from './budget.js'
import { deletionsFor } from './fit.js'
import { headerCount, staleNames } from './chunk.js'
import { GONE_MAX_AGE, goneName, markerOf, tagOf } from './futile.js'
import { FLASH_HEADER, flashName, isPageRender } from './flash.js'
import type { EngineContext } from './context.js'
import type { EncodeResult } from './encode.js'
import { keptChunks } from './fit.js'
import {
  cookieHeaderOf,
  pairValue,
  readRequest,
  rebuildCookieHeader,
  REJECTED_HEADER,
  SPENT_HEADER,
  withHeaders,
  type HeadersLike,
  type RequestCookies,
} from './request.js'
import type { Session } from './session.js'
import { deletionWrite, liveWrite, NO_STORE, serializeWrite, type CookieWrite } from './set-cookie.js'

/**
 * The proxy's decision, as data: what a proxy or middleware in front of the app's routes does for
 * one request, whatever the framework. It parses the User-Agent once (the readers of the request
 * get the profile through {@link PROFILE_HEADER}, always overwritten); re-fits a session that no
 * longer fits this request's budget (other cookies grew, a cookie of a narrower path appeared), so
 * every request that reaches the app repairs the jar; with `rolling` re-issues a session past half
 * of `maxAge`, unless the re-issue would have to trim it or would not fit the response (the stored
 * session stays readable); and deletes our chunks that no reader will use. Its writes are bounded
 * by the response budget the commits use. The adapter writes what it returns: the request headers
 * the rest of the request must see, the Set-Cookie lines and the headers of the response.
 */
export interface ProxyDecision {
  /**
   * Request headers to set for the rest of the request (lower-case names): the browser profile and
   * the response bytes spent always, and `cookie` when the response changes our cookies, so that
   * the same request's readers see what the browser will hold after the response (the other
   * cookies exactly as sent).
   */
  requestHeaders: Record<string, string>
  /** One `Set-Cookie` header value each, for the response. */
  setCookie: string[]
  /** The same cookies, structured. */
  cookies: CookieWrite[]
  /** Headers for the response (lower-case names): `cache-control` whenever it sets a cookie. */
  responseHeaders: Record<string, string>
}

/** The read and write stages the proxy uses for a rolling re-issue or a re-fit. */
export interface ProxyStages<T extends object> {
  decode(headers: HeadersLike): Promise<Session<T>>
  encode(session: Session<T>, headers: HeadersLike): Promise<EncodeResult>
}

/**
 * Deletions of our chunks no reader will use, within the request's response budget, unless
 * evidently futile. `named`: the chunk count `NAME`'s header names (stale: every `NAME.k` past it).
 */
function staleDeletions<T extends object>(
  ctx: EngineContext<T>,
  request: RequestCookies,
  budget: BudgetContext,
  named: number | undefined,
): CookieWrite[] {
  const { opts } = ctx
  const base = opts.cookieName
  const stale = staleNames(request.chunks, base)
  const marker = markerOf(request.header, base)
  if (stale.length === 0) return marker === undefined ? [] : [deletionWrite(goneName(base), opts.cookie)]
  const tag = tagOf(stale)
  if (marker === tag) return []
  const mark = liveWrite(goneName(base), tag, opts.cookie, GONE_MAX_AGE)
  // The same names as `stale`: `NAME` itself is never stale.
  const { names, bytes } = deletionsFor(budget, Math.max(1, named ?? 0), budget.responseAvailable)
  const writes = names.map((name) => deletionWrite(name, opts.cookie))
  // Remembered only once every one of them was tried: a set cut short is tried again next time.
  const whole = names.length === stale.length && bytes + lineLength(serializeWrite(mark)) <= budget.responseAvailable
  return whole ? [...writes, mark] : writes
}

/** Whether every chunk `count` names is on the request. */
function complete(chunks: RequestCookies['chunks'], count: number): boolean {
  for (let i = 1; i < count; i++) if (!chunks.numbered.has(i)) return false
  return true
}

/**
 * A request that does not commit a session of its own: GET or HEAD (when the adapter knows the
 * method), and never a server action (`next-action`).
 */
function readOnly(method: string | undefined, headers: HeadersLike): boolean {
  if (headers.get('next-action') !== null) return false
  return method === undefined || method === 'GET' || method === 'HEAD'
}

/** Length of a Set-Cookie line for a serialized value, CRLF included. */
const lineLength = (value: string) => SET_COOKIE_LINE + value.length

/**
 * Decides what the proxy does for a request with `headers`. `cookieHeader` is the Cookie header the
 * rest of the request would see (an earlier proxy may have rewritten it); default: the request's own.
 */
export async function planProxy<T extends object>(
  ctx: EngineContext<T>,
  stages: ProxyStages<T>,
  headers: HeadersLike,
  cookieHeader?: string | undefined,
  method?: string | undefined,
): Promise<ProxyDecision> {
  const { opts } = ctx
  const base = opts.cookieName
  const incoming = cookieHeader ?? cookieHeaderOf(headers)
  const profile = profileFor(headers.get('user-agent'), ctx.database)
  const encoded = encodeProfile(profile)
  const requestHeaders: Record<string, string> = {
    [PROFILE_HEADER]: encoded,
    [SPENT_HEADER]: '0',
    [REJECTED_HEADER]: '',
    [METHOD_HEADER]: method ?? '',
    [FLASH_HEADER]: '',
  }
  // The request as its readers will see it: this Cookie header, the profile just parsed.
  const view = withHeaders(headers, { cookie: incoming, ...requestHeaders })
  const request = readRequest(view, base)
  const { chunks } = request
  const writes: CookieWrite[] = []
  let rewritten = false
  if (chunks.names.length > 0) {
    const named = chunks.first === undefined ? undefined : headerCount(chunks.first)
    // Every chunk the header names is here (else the readers report it; nothing to re-fit or re-issue).
    const count = named !== undefined && complete(chunks, named) ? named : undefined
    const budget = requestBudget(opts, profile.entry, request)
    // A session whose chunks no longer fit this request's budget: re-fit it now.
    const refit = count !== undefined && keptChunks(chunks, count, budget) === undefined
    // A rolling re-issue only on a request that does not commit itself (the re-issue would take its
    // response room), and only of chunks the response can carry as they are (else it would trim).
    const reissue =
      opts.rolling &&
      readOnly(method, headers) &&
      count !== undefined &&
      keptChunks(chunks, count, budget, true) !== undefined
    if (count !== undefined && (refit || reissue)) {
      const session = await stages.decode(view)
      if (session.error === undefined) {
        const result = await stages.encode(session, view)
        const { report } = result
        // A re-fit trims, or drops a session that has no room left at all (ERR_SESSION_TOO_LARGE to
        // onError): the other cookies' requests must still get through. A rolling re-issue that
        // would trim or fail is skipped: what is stored stays readable.
        const take = !report.unchanged && (refit || (!report.shrunk && report.error === undefined))
        if (take) {
          writes.push(...result.cookies)
          rewritten = true
        }
      } else {
        // Rejected here and reported to onError here: the readers must not report it again. Ours
        // are deleted (the next commit would delete them), and the readers are told why.
        const names = deletionsFor(budget, 0, budget.responseAvailable).names
        writes.push(...names.map((name) => deletionWrite(name, opts.cookie)))
        if (names.length === chunks.names.length) requestHeaders[REJECTED_HEADER] = session.error.code
        rewritten = true
      }
    }
    if (!rewritten) writes.push(...staleDeletions(ctx, request, budget, named))
  } else if (markerOf(incoming, base) !== undefined) {
    // Nothing of ours left: the marker has served its purpose.
    writes.push(deletionWrite(goneName(base), opts.cookie))
  }
  // Flash values go to the first page render after their commit: out of the jar, into its request.
  const flash = flashName(base)
  const waiting = pairValue(incoming, flash)
  if (waiting !== undefined && waiting !== '' && isPageRender(method, headers)) {
    requestHeaders[FLASH_HEADER] = waiting
    writes.push(deletionWrite(flash, opts.cookie))
  }
  const setCookie = writes.map(serializeWrite)
  const responseHeaders: Record<string, string> = {}
  if (writes.length > 0) {
    responseHeaders['cache-control'] = NO_STORE
    requestHeaders[SPENT_HEADER] = String(setCookie.reduce((n, line) => n + lineLength(line), 0))
    // A re-issue replaces all of ours; deletions remove only the names they delete.
    const removed = new Set(writes.map((w) => w.name))
    // Written names carry their new value, deleted ones are gone; the rest stays as the browser holds it.
    const keep = (name: string) => !removed.has(name)
    const live = writes.filter((w) => w.options.maxAge > 0).map((w) => `${w.name}=${w.value}`)
    requestHeaders['cookie'] = rebuildCookieHeader(incoming, keep, live)
  }
  return { requestHeaders, setCookie, cookies: writes, responseHeaders }
}
