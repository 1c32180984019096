import { parse } from 'cookie'
import { serializeWrite, type CookieWrite } from '../budget.js'
import { chunkPattern, collectChunks, headerCount, staleNames } from '../chunk.js'
import { cookiePairs } from '../cookie-pairs.js'
import {
  encodeProfile,
  PROFILE_HEADER,
  type BudgetSnapshot,
  type CommitReport,
  type Cookieman,
  type HeadersLike,
} from '../cookieman.js'
import { SessionError } from '../errors.js'
import type { Session } from '../session.js'
import { profileFor, type BrowserProfile } from '../user-agent.js'

/**
 * The Next.js App Router layer: the only code that imports `next`. It is imported lazily, so the
 * framework-free core (`decodeSession`/`encodeSession`) runs without Next installed, and `next/*.js`
 * (with the extension) resolves both in Next's bundlers and in plain Node ESM.
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

const nextHeaders = (): Promise<NextHeadersModule> => import('next/headers.js') as unknown as Promise<NextHeadersModule>
const nextServer = (): Promise<NextServerModule> => import('next/server.js') as unknown as Promise<NextServerModule>

/** A request as the proxy receives it (`NextRequest` is one). */
export interface ProxyRequest {
  readonly headers: Headers
}

/** What `createCookieman` returns: the core plus the App Router helpers. */
export interface NextCookieman<T extends object> extends Cookieman<T> {
  /**
   * The session of the current request, from `next/headers`: in server components (read-only),
   * server actions and route handlers. Called several times in one request, it decodes once.
   * @example const session = await cookieman.getSession()
   */
  getSession(): Promise<Session<T>>
  /**
   * Shrinks, seals and writes the session (server actions and route handlers). Throws
   * `ERR_SESSION_READ_ONLY` from a server component. With a `Response` or `Headers`, the Set-Cookie
   * lines are appended to it directly instead of going through `cookies().set()` (faster in route
   * handlers, which then return that response or those headers).
   * @example const report = await cookieman.commitSession(session)
   */
  commitSession(session: Session<T>, target?: Response | Headers): Promise<CommitReport>
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
   * (after a server action's commit, what the browser will hold). For budget views.
   */
  getBudget(): Promise<BudgetSnapshot>
}

/** Request header through which Next hands a proxy's response cookies to the rest of the request. */
const MIDDLEWARE_SET_COOKIE = 'x-middleware-set-cookie'

/**
 * The Cookie header the core should read: the request's own header (so that every reader agrees:
 * first duplicate wins, values as sent), except where a server action of this request rewrote our
 * chunks. Then Next's cookie store holds what the browser will hold (deleted chunks as empty values).
 */
function effectiveCookieHeader(raw: string, store: CookieStore, baseName: string): string {
  const ours = chunkPattern(baseName)
  const sent = new Map<string, string>()
  for (const { name, pair } of cookiePairs(raw)) {
    if (ours.test(name) && !sent.has(name)) sent.set(name, pair.slice(name.length + 1))
  }
  const stored = store.getAll().filter((c) => ours.test(c.name))
  const unchanged = stored.length === sent.size && stored.every((c) => sent.get(c.name) === c.value && c.value !== '')
  if (unchanged) return raw
  const others = cookiePairs(raw)
    .filter(({ name }) => !ours.test(name))
    .map(({ pair }) => pair)
  const written = stored.filter((c) => c.value !== '').map((c) => `${c.name}=${c.value}`)
  return [...others, ...written].join('; ')
}

/** Request headers as the core reads them, with the cookie header taken from Next's cookie store. */
function requestView(headers: HeadersLike, cookie: string): HeadersLike {
  return {
    get(name: string): string | null {
      return name.toLowerCase() === 'cookie' ? cookie : headers.get(name)
    },
  }
}

/** A response whose headers can be changed (`Response.redirect()` and friends have immutable ones). */
function mutable(response: Response): Response {
  try {
    response.headers.append('x-next-cookieman-probe', '1')
    response.headers.delete('x-next-cookieman-probe')
    return response
  } catch {
    return new Response(response.body, response)
  }
}

/** The request headers an earlier proxy's response overrides (Next trims the names), if any. */
function overrideList(response: Response | undefined): Set<string> | undefined {
  const list = response?.headers.get('x-middleware-override-headers')
  if (list === null || list === undefined) return undefined
  return new Set(
    list
      .split(',')
      .map((k) => k.trim())
      .filter((k) => k !== ''),
  )
}

/**
 * Sets the request headers that the rest of the request sees, the way `NextResponse.next({ request })`
 * does, keeping overrides an earlier proxy already put on `response`.
 */
function forwardRequestHeaders(response: Response, original: Headers, changes: Record<string, string>): void {
  const listed = overrideList(response)
  const forwarded = new Headers(original)
  if (listed !== undefined) {
    // Next keeps only the listed headers and takes their values from the response.
    for (const key of [...forwarded.keys()]) if (!listed.has(key)) forwarded.delete(key)
    for (const key of listed) {
      const value = response.headers.get(`x-middleware-request-${key}`)
      if (value !== null) forwarded.set(key, value)
      else forwarded.delete(key)
    }
  }
  for (const [key, value] of Object.entries(changes)) forwarded.set(key, value)
  const keys: string[] = []
  forwarded.forEach((value, key) => {
    response.headers.set(`x-middleware-request-${key}`, value)
    keys.push(key)
  })
  response.headers.set('x-middleware-override-headers', keys.join(','))
}

export function withNext<T extends object>(
  core: Cookieman<T>,
  config: { rolling: boolean; database: Parameters<typeof profileFor>[1]; deletion: (name: string) => CookieWrite },
): NextCookieman<T> {
  // One decode per request: Next hands every caller of headers() in a request the same object, in
  // a server action and in the render that follows it in the same response. So the page rendered
  // after an action that committed gets the action's session, settled to what was written.
  // headers(), not cookies(): in a route handler or a server action, the first cookies() call makes
  // Next copy every request cookie into a mutable store, re-serializing the whole jar per cookie
  // (the cost grows with the square of the cookie count). Reading a session needs none of it.
  const sessions = new WeakMap<object, Promise<Session<T>>>()

  async function getSession(): Promise<Session<T>> {
    const { cookies, headers } = await nextHeaders()
    const requestHeaders = await headers()
    let session = sessions.get(requestHeaders)
    if (session === undefined) {
      // A proxy that set or deleted cookies through its response: Next passes those on in
      // x-middleware-set-cookie and merges them into cookies() only. Then read through the store.
      const view =
        requestHeaders.get(MIDDLEWARE_SET_COOKIE) === null
          ? requestHeaders
          : requestView(
              requestHeaders,
              effectiveCookieHeader(requestHeaders.get('cookie') ?? '', await cookies(), core.cookieName),
            )
      session = core.decodeSession(view)
      sessions.set(requestHeaders, session)
    }
    return session
  }

  async function getBudget(): Promise<BudgetSnapshot> {
    const { cookies, headers } = await nextHeaders()
    const requestHeaders = await headers()
    const cookie = effectiveCookieHeader(requestHeaders.get('cookie') ?? '', await cookies(), core.cookieName)
    return core.inspect(requestView(requestHeaders, cookie))
  }

  async function commitSession(session: Session<T>, target?: Response | Headers): Promise<CommitReport> {
    const { cookies, headers } = await nextHeaders()
    const requestHeaders = await headers()
    if (target !== undefined) {
      const { setCookie, report } = await core.encodeSession(session, requestHeaders)
      const out = target instanceof Response ? target.headers : target
      for (const line of setCookie) out.append('set-cookie', line)
      return report
    }
    const { cookies: writes, report } = await core.encodeSession(session, requestHeaders)
    // An unchanged session writes nothing: leave Next's mutable cookie store uncreated (see getSession).
    if (writes.length === 0) return report
    const store = await cookies()
    writes.forEach((write, i) => {
      try {
        store.set(write.name, write.value, write.options)
      } catch (cause) {
        // Next refuses cookie writes while rendering a server component. The first write failing
        // means nothing was written; a later one cannot fail for that reason.
        if (i === 0) {
          throw new SessionError(
            'ERR_SESSION_READ_ONLY',
            'commitSession() cannot write cookies while a server component renders: call it from a server action or a route handler',
            { cause },
          )
        }
        throw cause
      }
    })
    return report
  }

  async function middleware(request: ProxyRequest, response?: unknown): Promise<Response> {
    const profile: BrowserProfile = profileFor(request.headers.get('user-agent'), config.database)
    const changes: Record<string, string> = { [PROFILE_HEADER]: encodeProfile(profile) }
    const writes: CookieWrite[] = []
    const composed = response instanceof Response ? mutable(response) : undefined

    // The Cookie header the rest of the request would see: an earlier proxy may have rewritten it.
    const listed = overrideList(composed)
    const incoming =
      listed === undefined
        ? (request.headers.get('cookie') ?? '')
        : listed.has('cookie')
          ? (composed?.headers.get('x-middleware-request-cookie') ?? '')
          : ''
    const base = core.cookieName
    const chunks = collectChunks(parse(incoming, { decode: (v) => v }), base)
    if (chunks.names.length > 0) {
      const stale = staleNames(chunks, base)
      let rewritten = false
      if (config.rolling && chunks.first !== undefined && headerCount(chunks.first) !== undefined) {
        const headers = new Headers(request.headers)
        headers.set(PROFILE_HEADER, changes[PROFILE_HEADER]!)
        const view = requestView(headers, incoming)
        const session = await core.decodeSession(view)
        if (session.error === undefined) {
          const result = await core.encodeSession(session, view)
          if (!result.report.unchanged) {
            writes.push(...result.cookies)
            rewritten = true
          }
        }
      }
      if (!rewritten) for (const name of stale) writes.push(config.deletion(name))
      if (writes.length > 0) {
        // The rest of this request must see what the browser will hold after the response: the
        // other cookies exactly as sent, ours as written.
        const ours = chunkPattern(base)
        const removed = new Set(writes.map((w) => w.name))
        const kept = cookiePairs(incoming)
          .filter(({ name }) => !(rewritten ? ours.test(name) : removed.has(name)))
          .map(({ pair }) => pair)
        const live = writes.filter((w) => w.options.maxAge > 0).map((w) => `${w.name}=${w.value}`)
        changes['cookie'] = [...kept, ...live].join('; ')
      }
    }

    let res: Response
    if (composed !== undefined) {
      res = composed
      forwardRequestHeaders(res, request.headers, changes)
    } else {
      const { NextResponse } = await nextServer()
      const forwarded = new Headers(request.headers)
      for (const [key, value] of Object.entries(changes)) forwarded.set(key, value)
      res = NextResponse.next({ request: { headers: forwarded } })
    }
    for (const write of writes) res.headers.append('set-cookie', serializeWrite(write))
    return res
  }

  return Object.assign(core, { getSession, commitSession, middleware, getBudget }) as NextCookieman<T>
}
