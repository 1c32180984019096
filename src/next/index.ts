import {
  isNodeResponse,
  SessionError,
  type NodeRequestLike,
  type NodeResponseLike,
  type BudgetSnapshot,
  type CommitReport,
  type Cookieman,
  type CookieWrite,
  type HeadersLike,
  type Session,
} from '../core.js'
import { inSharedCache, loadWorkUnits, nextNow, onResponseSent, outsideWorkUnits } from './work-units.js'
import { nodeAdapter } from './node.js'
import { nodeRequestOf, requestState, type RequestLike, type RequestState } from './requests.js'
import {
  forwardedCookieHeader,
  forwardRequestHeaders,
  MIDDLEWARE_SET_COOKIE,
  middlewareWrites,
  mutable,
} from './protocol.js'

/**
 * The Next.js App Router layer: the only code that imports `next`, and an adapter over the public
 * core entry (`../core.js`) alone. It is imported lazily, so the core runs without Next installed,
 * and `next/*.js` (with the extension) resolves both in Next's bundlers and in plain Node ESM.
 */

/** The subset of Next's cookie store we use (`ReadonlyRequestCookies` / mutable cookies). */
interface CookieStore {
  getAll(): Array<{ name: string; value: string }>
  set(name: string, value: string, options?: CookieWrite['options']): unknown
}

interface NextHeadersModule {
  cookies(): Promise<CookieStore>
  headers(): Promise<HeadersLike>
}

interface NextServerModule {
  NextResponse: { next(init?: { request?: { headers?: Headers } }): Response }
}

// Imported once: a bundler's dynamic import (Turbopack's loader) resolves its chunks on every call.
let headersModule: Promise<NextHeadersModule> | undefined
let serverModule: Promise<NextServerModule> | undefined
/** `next/headers`, once it and the work stores are loaded: later reads skip the awaits. */
let headersLoaded: NextHeadersModule | undefined
const nextHeaders = (): Promise<NextHeadersModule> =>
  (headersModule ??= import('next/headers.js') as unknown as Promise<NextHeadersModule>)
const nextServer = (): Promise<NextServerModule> =>
  (serverModule ??= import('next/server.js') as unknown as Promise<NextServerModule>)

/** A request as the proxy receives it (`NextRequest` is one). */
export interface ProxyRequest {
  readonly headers: Headers
  readonly method?: string
}

/** What `createCookieman` returns: the core plus the App Router helpers. */
export interface NextCookieman<T extends object> extends Cookieman<T> {
  /**
   * The session of the current request. Without an argument, from `next/headers` (App Router: server
   * components, read-only, server actions and route handlers). With a request, from its headers: a
   * Node.js `IncomingMessage` (Pages Router API routes, `getServerSideProps`'s `context.req`, a
   * custom server) or anything with Web `Headers`. Called several times in one request, it decodes
   * once, whichever copy of the module (webpack builds one per layer) calls it.
   * @example const session = await cookieman.getSession()
   * @example const session = await cookieman.getSession(req) // Pages Router, Node servers
   */
  getSession(request?: NodeRequestLike | { readonly headers: HeadersLike }): Promise<Session<T>>
  /**
   * Shrinks, seals and writes the session (server actions and route handlers). Throws
   * `ERR_SESSION_READ_ONLY` from a server component. With a `Response` or `Headers`, the Set-Cookie
   * lines are appended to it directly instead of going through `cookies().set()` (faster in route
   * handlers, which then return that response or those headers). With a Node.js `ServerResponse`
   * (Pages Router, Node servers), they are added after the Set-Cookie lines already on it, which
   * stay; a second commit in the same request replaces the first's lines for the names it writes
   * again. Commit after your own `res.setHeader('Set-Cookie', …)`, which replaces every line. Throws
   * `ERR_SESSION_READ_ONLY` once that response's headers were sent.
   * @example const report = await cookieman.commitSession(session)
   * @example const report = await cookieman.commitSession(session, res) // Pages Router, Node servers
   */
  commitSession(session: Session<T>, target?: Response | Headers | NodeResponseLike): Promise<CommitReport>
  /**
   * The proxy (`proxy.ts`, Next 16) or middleware (`middleware.ts`) helper: forwards the browser
   * profile parsed from the User-Agent to `getSession` (a client-sent copy is always replaced),
   * deletes stale chunks, and with `rolling` re-issues the session after half of `maxAge`.
   * Pass your own response to compose: `cookieman.middleware(request, response)`.
   * @example export const proxy = cookieman.middleware
   */
  middleware: (request: ProxyRequest, response?: unknown) => Promise<Response>
  /**
   * The budget of the current request and what the session takes of it, read through `next/headers`
   * (after a server action's commit, what the browser will hold), or from `request` as `getSession`
   * reads it (Pages Router, Node servers; after a commit to `res`, what the browser will hold). For
   * budget views.
   */
  getBudget(request?: NodeRequestLike | { readonly headers: HeadersLike }): Promise<BudgetSnapshot>
}

export function withNext<T extends object>(core: Cookieman<T>): NextCookieman<T> {
  const stateOf = (request: object): RequestState => requestState(request, core.cookieName)
  const { nodeView, commitToNode } = nodeAdapter(core, stateOf)

  /**
   * The request headers of the current request, and the view of them every reader trusts: the
   * Cookie header as sent, with the cookies written earlier in this request laid over it, those a
   * proxy set or deleted through its response (Next lists them in x-middleware-set-cookie) and
   * those this request's commits wrote through cookies(). Next's cookie store is never read: it
   * keeps the last of two same-name cookies and percent-decodes values, where every other reader
   * keeps the first, as sent. And cookies() stays uncreated: in a route handler or a server action,
   * the first call makes Next copy every request cookie into a mutable store, re-serializing the
   * whole jar per cookie.
   */
  async function currentRequest(): Promise<{
    requestHeaders: HeadersLike
    view: HeadersLike
    cookies: NextHeadersModule['cookies']
  }> {
    const { cookies, headers } = (headersLoaded ??= (await Promise.all([nextHeaders(), loadWorkUnits()]))[0])
    if (inSharedCache()) {
      throw new SessionError(
        'ERR_SESSION_CONTEXT',
        "the session cannot be read inside 'use cache': a shared cache entry would hold one visitor's session for all. Use 'use cache: private', or read the session outside and pass what the cached function needs as arguments",
      )
    }
    let requestHeaders: HeadersLike
    try {
      requestHeaders = await headers()
    } catch (cause) {
      // Next's "called outside a request scope": the Pages Router, a custom server, a script.
      if (!outsideWorkUnits() || !/outside a request scope/.test(String((cause as { message?: unknown })?.message)))
        throw cause
      throw new SessionError(
        'ERR_SESSION_CONTEXT',
        'getSession() without a request reads next/headers, which only the App Router has: in the Pages Router (API routes, getServerSideProps) or a Node server, pass the request: getSession(req), commitSession(session, res)',
        { cause },
      )
    }
    const { written } = stateOf(requestHeaders)
    const writes = [
      ...middlewareWrites(requestHeaders.get(MIDDLEWARE_SET_COOKIE), nextNow),
      ...[...written].map(([name, value]) => ({ name, value })),
    ]
    const view = writes.length === 0 ? requestHeaders : core.trustedHeaders(requestHeaders, writes)
    return { requestHeaders, view, cookies }
  }

  async function getSession(request?: RequestLike): Promise<Session<T>> {
    let key: object
    let view: HeadersLike
    if (request !== undefined) {
      key = request
      view = nodeView(request)
    } else {
      const current = await currentRequest()
      key = current.requestHeaders
      view = current.view
    }
    const state = stateOf(key)
    if (state.session === undefined) {
      const decoded = (state.session = core.decodeSession(view))
      // Recorded before the caller's await resumes (a commit naming only `res` finds the request),
      // on a branch of its own that swallows the rejection the caller already sees.
      if (request !== undefined)
        decoded.then(
          (s) => nodeRequestOf.set(s, request),
          () => undefined,
        )
      // Let go once the response is sent: Next's request objects outlive it in the old generation,
      // and took the data along (46 KiB/request, 16 KB session). An after() callback decodes anew.
      else onResponseSent(() => (state.session = undefined))
    }
    return state.session as Promise<Session<T>>
  }

  async function getBudget(request?: RequestLike): Promise<BudgetSnapshot> {
    return core.inspect(request !== undefined ? nodeView(request) : (await currentRequest()).view)
  }

  async function commitSession(
    session: Session<T>,
    target?: Response | Headers | NodeResponseLike,
  ): Promise<CommitReport> {
    if (isNodeResponse(target)) return commitToNode(session, target)
    const { requestHeaders, view, cookies } = await currentRequest()
    const { setCookie, cookies: writes, responseHeaders, report, undo } = await core.encodeSession(session, view)
    if (target !== undefined) {
      const out = target instanceof Response ? target.headers : target
      for (const line of setCookie) out.append('set-cookie', line)
      for (const [key, value] of Object.entries(responseHeaders)) out.set(key, value)
      return report
    }
    // An unchanged session writes nothing: leave Next's mutable cookie store uncreated.
    if (writes.length === 0) return report
    const store = await cookies()
    writes.forEach((write, i) => {
      try {
        store.set(write.name, write.value, write.options)
      } catch (cause) {
        // Next refuses cookie writes while rendering a server component. The first write failing
        // means nothing was written; a later one cannot fail for that reason.
        if (i === 0) {
          undo()
          throw new SessionError(
            'ERR_SESSION_READ_ONLY',
            'commitSession() cannot write cookies while a server component renders: call it from a server action or a route handler',
            { cause },
          )
        }
        throw cause
      }
    })
    // What the readers of the rest of this request lay over the Cookie header.
    const { written } = stateOf(requestHeaders)
    for (const write of writes) written.set(write.name, write.options.maxAge > 0 ? write.value : '')
    return report
  }

  async function middleware(request: ProxyRequest, response?: unknown): Promise<Response> {
    const composed = response instanceof Response ? mutable(response) : undefined
    const decision = await core.planProxy(request.headers, forwardedCookieHeader(composed), request.method)
    let res: Response
    if (composed !== undefined) {
      res = composed
      forwardRequestHeaders(res, request.headers, decision.requestHeaders)
    } else {
      const { NextResponse } = await nextServer()
      const forwarded = new Headers(request.headers)
      for (const [key, value] of Object.entries(decision.requestHeaders)) forwarded.set(key, value)
      res = NextResponse.next({ request: { headers: forwarded } })
    }
    for (const line of decision.setCookie) res.headers.append('set-cookie', line)
    for (const [key, value] of Object.entries(decision.responseHeaders)) res.headers.set(key, value)
    return res
  }

  return Object.assign(core, { getSession, commitSession, middleware, getBudget }) as NextCookieman<T>
}
