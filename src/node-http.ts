import { METHOD_HEADER } from './cross-site.js'
import type { HeadersLike } from './request.js'

/**
 * Node.js's `http` objects as far as the engine needs them, typed structurally (nothing here
 * imports `node:`): an `IncomingMessage` (the Pages Router's `req`, a custom server's request) and
 * a `ServerResponse` (`res`). Next's `NextApiRequest` / `NextApiResponse` are both.
 */

/** A Node.js request: `IncomingMessage`, `NextApiRequest`, `getServerSideProps`'s `context.req`. */
export interface NodeRequestLike {
  readonly headers: Readonly<Record<string, string | readonly string[] | undefined>>
  /** The request method: commits answering an unsafe one from another site are refused. */
  readonly method?: string | undefined
}

/** A Node.js response: `ServerResponse`, `NextApiResponse`, `getServerSideProps`'s `context.res`. */
export interface NodeResponseLike {
  readonly headersSent: boolean
  /** Node sets it on every `ServerResponse` (the request it answers). */
  readonly req?: NodeRequestLike | undefined
  getHeader(name: string): number | string | readonly string[] | undefined
  setHeader(name: string, value: string | readonly string[]): unknown
}

/** `true` for a Node.js response (it has `setHeader`), `false` for a Web `Response` or `Headers`. */
export function isNodeResponse(value: unknown): value is NodeResponseLike {
  return typeof value === 'object' && value !== null && typeof (value as NodeResponseLike).setHeader === 'function'
}

const views = new WeakMap<object, HeadersLike>()

/**
 * The headers of a request as the engine reads them: a Web `Headers` as it is, a Node.js request's
 * header object behind a `get` (Node joins repeated Cookie headers with `; `, as browsers send one).
 * One view per request object, so decode and commit share the parse of its Cookie header.
 */
export function requestHeadersOf(
  request: NodeRequestLike | { readonly headers: HeadersLike; readonly method?: string | undefined },
): HeadersLike {
  let view = views.get(request)
  if (view !== undefined) return view
  const headers = request.headers
  let base: HeadersLike
  if (typeof (headers as HeadersLike).get === 'function') base = headers as HeadersLike
  else {
    const record = headers as NodeRequestLike['headers']
    base = {
      get(name: string): string | null {
        const value = Object.hasOwn(record, name.toLowerCase()) ? record[name.toLowerCase()] : undefined
        if (value === undefined) return null
        if (typeof value === 'string') return value
        return value.join(name.toLowerCase() === 'cookie' ? '; ' : ', ')
      },
    }
  }
  // The method, for the cross-site check of commits: the request's own, never a header a client sent.
  const method = typeof request.method === 'string' ? request.method : undefined
  view =
    method === undefined
      ? base
      : { get: (name: string) => (name.toLowerCase() === METHOD_HEADER ? method : base.get(name)) }
  views.set(request, view)
  return view
}

/** The Set-Cookie lines already on a Node.js response, as a list. */
function setCookieLines(res: NodeResponseLike): string[] {
  const value = res.getHeader('set-cookie')
  if (value === undefined) return []
  return typeof value === 'string' || typeof value === 'number' ? [String(value)] : [...value]
}

/** The cookie name a Set-Cookie line sets. */
const nameOf = (line: string): string => line.slice(0, line.indexOf('=')).trim()

/**
 * Writes a commit's Set-Cookie lines on a Node.js response after every line already there (the
 * app's own cookies are never replaced). `previous` holds the lines earlier commits of the same
 * request put there, by cookie name: a name this commit writes again is replaced, the others stay
 * (a deletion an earlier commit sent still has to reach the browser). Returns the lines now ours,
 * by name, for the next commit.
 */
export function appendSetCookie(
  res: NodeResponseLike,
  lines: readonly string[],
  previous: ReadonlyMap<string, string> = new Map(),
): Map<string, string> {
  const earlier = new Set(previous.values())
  const ours = new Map(previous)
  for (const line of lines) ours.set(nameOf(line), line)
  res.setHeader('set-cookie', [...setCookieLines(res).filter((line) => !earlier.has(line)), ...ours.values()])
  return ours
}
