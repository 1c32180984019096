import { parse } from 'cookie'
import { serializeWrite, type CookieWrite } from '../budget.js'
import { collectChunks, headerCount } from '../chunk.js'
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

function cookieHeaderOf(store: CookieStore): string {
  return store
    .getAll()
    .map((c) => `${c.name}=${c.value}`)
    .join('; ')
}

/** Request headers as the core reads them, with the cookie header taken from Next's cookie store. */
function requestView(headers: HeadersLike, cookie: string): HeadersLike {
  return {
    get(name: string): string | null {
      return name.toLowerCase() === 'cookie' ? cookie : headers.get(name)
    },
  }
}

/**
 * Sets the request headers that the rest of the request sees, the way `NextResponse.next({ request })`
 * does, keeping overrides an earlier proxy already put on `response`.
 */
function forwardRequestHeaders(response: Response, original: Headers, changes: Record<string, string>): void {
  const overridden = response.headers.get('x-middleware-override-headers')
  const forwarded = new Headers(original)
  if (overridden !== null) {
    forwarded.forEach((_v, key) => {
      if (!overridden.split(',').includes(key)) forwarded.delete(key)
    })
    for (const key of overridden.split(',')) {
      if (key === '') continue
      const value = response.headers.get(`x-middleware-request-${key}`)
      if (value !== null) forwarded.set(key, value)
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
  // One decode per request: Next hands every caller of cookies() in a request the same store object.
  const sessions = new WeakMap<object, Promise<Session<T>>>()

  async function getSession(): Promise<Session<T>> {
    const { cookies, headers } = await nextHeaders()
    const store = await cookies()
    let session = sessions.get(store)
    if (session === undefined) {
      const view = requestView(await headers(), cookieHeaderOf(store))
      session = core.decodeSession(view)
      sessions.set(store, session)
    }
    return session
  }

  async function getBudget(): Promise<BudgetSnapshot> {
    const { cookies, headers } = await nextHeaders()
    return core.inspect(requestView(await headers(), cookieHeaderOf(await cookies())))
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
    const store = await cookies()
    const { cookies: writes, report } = await core.encodeSession(session, requestHeaders)
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

    const cookieHeader = request.headers.get('cookie') ?? ''
    const cookies = parse(cookieHeader, { decode: (v) => v })
    const chunks = collectChunks(cookies, core.cookieName)
    if (chunks.names.length > 0) {
      // Stale chunks are known without verifying anything: past the header's count, or orphans.
      const count = chunks.first === undefined ? 0 : (headerCount(chunks.first) ?? 0)
      const stale = [...chunks.numbered.keys()].filter((k) => k >= count)
      let replaced: Record<string, string> | undefined
      if (config.rolling && count > 0) {
        const forwarded = requestView(
          new Headers({ ...Object.fromEntries(request.headers), [PROFILE_HEADER]: changes[PROFILE_HEADER]! }),
          cookieHeader,
        )
        const session = await core.decodeSession(forwarded)
        if (session.error === undefined) {
          const result = await core.encodeSession(session, forwarded)
          if (!result.report.unchanged) {
            writes.push(...result.cookies)
            replaced = {}
            for (const w of result.cookies) if (w.options.maxAge > 0) replaced[w.name] = w.value
          }
        }
      }
      if (writes.length === 0) for (const k of stale) writes.push(config.deletion(`${core.cookieName}.${k}`))
      if (writes.length > 0) {
        // The rest of this request must see what the browser will hold after the response.
        const removed = new Set(writes.filter((w) => w.options.maxAge === 0).map((w) => w.name))
        const next = Object.entries(cookies).filter(([name]) => !removed.has(name) && !(replaced && name in replaced))
        for (const [name, value] of Object.entries(replaced ?? {})) next.push([name, value])
        changes['cookie'] = next.map(([name, value]) => `${name}=${value ?? ''}`).join('; ')
      }
    }

    let res: Response
    if (response instanceof Response) {
      res = response
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
