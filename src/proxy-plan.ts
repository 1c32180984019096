import { encodeProfile, PROFILE_HEADER } from './browsers/profile-header.js'
import { profileFor } from './browsers/user-agent.js'
import { chunkPattern, headerCount, staleNames } from './chunk.js'
import type { EngineContext } from './context.js'
import type { EncodeResult } from './encode.js'
import { cookieHeaderOf, readRequest, rebuildCookieHeader, withHeaders, type HeadersLike } from './request.js'
import type { Session } from './session.js'
import { deletionWrite, serializeWrite, type CookieWrite } from './set-cookie.js'

/**
 * The proxy's decision, as data: what a proxy or middleware in front of the app's routes does for
 * one request, whatever the framework. It parses the User-Agent once (the readers of the request
 * get the profile through {@link PROFILE_HEADER}, always overwritten), deletes our chunks that no
 * reader will use, and with `rolling` re-issues a session past half of `maxAge`. The adapter
 * writes what it returns: the request headers the rest of the request must see and the Set-Cookie
 * lines of the response.
 */
export interface ProxyDecision {
  /**
   * Request headers to set for the rest of the request (lower-case names): the browser profile
   * always, and `cookie` when the response changes our cookies, so that the same request's readers
   * see what the browser will hold after the response (the other cookies exactly as sent).
   */
  requestHeaders: Record<string, string>
  /** One `Set-Cookie` header value each, for the response. */
  setCookie: string[]
  /** The same cookies, structured. */
  cookies: CookieWrite[]
}

/** The read and write stages the proxy uses for a rolling re-issue. */
export interface ProxyStages<T extends object> {
  decode(headers: HeadersLike): Promise<Session<T>>
  encode(session: Session<T>, headers: HeadersLike): Promise<EncodeResult>
}

/**
 * Decides what the proxy does for a request with `headers`. `cookieHeader` is the Cookie header the
 * rest of the request would see (an earlier proxy may have rewritten it); default: the request's own.
 */
export async function planProxy<T extends object>(
  ctx: EngineContext<T>,
  stages: ProxyStages<T>,
  headers: HeadersLike,
  cookieHeader?: string | undefined,
): Promise<ProxyDecision> {
  const base = ctx.opts.cookieName
  const incoming = cookieHeader ?? cookieHeaderOf(headers)
  const profile = encodeProfile(profileFor(headers.get('user-agent'), ctx.database))
  const requestHeaders: Record<string, string> = { [PROFILE_HEADER]: profile }
  // The request as its readers will see it: this Cookie header, the profile just parsed.
  const view = withHeaders(headers, { cookie: incoming, [PROFILE_HEADER]: profile })
  const { chunks } = readRequest(view, base)
  const writes: CookieWrite[] = []
  if (chunks.names.length > 0) {
    let rewritten = false
    if (ctx.opts.rolling && chunks.first !== undefined && headerCount(chunks.first) !== undefined) {
      const session = await stages.decode(view)
      if (session.error === undefined) {
        const result = await stages.encode(session, view)
        if (!result.report.unchanged) {
          writes.push(...result.cookies)
          rewritten = true
        }
      }
    }
    if (!rewritten) for (const name of staleNames(chunks, base)) writes.push(deletionWrite(name, ctx.opts.cookie))
    if (writes.length > 0) {
      // A re-issue replaces all of ours; deletions remove only the names they delete.
      const ours = chunkPattern(base)
      const removed = new Set(writes.map((w) => w.name))
      const keep = rewritten ? (name: string) => !ours.test(name) : (name: string) => !removed.has(name)
      const live = writes.filter((w) => w.options.maxAge > 0).map((w) => `${w.name}=${w.value}`)
      requestHeaders['cookie'] = rebuildCookieHeader(incoming, keep, live)
    }
  }
  return { requestHeaders, setCookie: writes.map(serializeWrite), cookies: writes }
}
