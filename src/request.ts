import { parse } from 'cookie'
import { collectChunks, type RequestChunks } from './chunk.js'
import { carried } from './realm.js'

/**
 * The request stage: the only reader of the Cookie header. Every other stage gets our chunks and
 * the weight of the other cookies from here, and every reader (decode, commit, budget view, proxy)
 * trusts the same header, chosen by {@link trustedCookieHeader}.
 */

/** A Web-standard `Headers`, or anything with the same `get` (Next's `ReadonlyHeaders`). */
export interface HeadersLike {
  get(name: string): string | null
}

/** A cookie as a framework's cookie store holds it (Next's `cookies().getAll()` entries). */
export interface StoredCookie {
  name: string
  value: string
}

/** What the other cookies of the request take. */
export interface OtherCookies {
  count: number
  /** Their bytes in the Cookie header, each pair with its `; ` separator. */
  bytes: number
}

/** The Cookie header of one request as the engine reads it. */
export interface RequestCookies {
  /** The header value as received (`''` when absent). */
  header: string
  /** Our cookies: the first chunk, the numbered ones, every name of ours seen (first duplicate wins). */
  chunks: RequestChunks
  /** The request's other cookies (counted on first use: a read-only request never needs them). */
  readonly others: OtherCookies
}

/**
 * The pairs of a Cookie header as the browser sent them (`name=value`, trimmed), with each name.
 * For byte accounting and for rebuilding a header without touching the others' bytes; values and
 * duplicates as a reader sees them come from the `cookie` package's `parse`.
 */
export function cookiePairs(header: string): Array<{ name: string; pair: string }> {
  const out: Array<{ name: string; pair: string }> = []
  for (const raw of header.split(';')) {
    const pair = raw.trim()
    if (pair === '') continue
    const eq = pair.indexOf('=')
    out.push({ name: (eq < 0 ? pair : pair.slice(0, eq)).trim(), pair })
  }
  return out
}

/** The value of the first `name=` pair of a Cookie header, as sent; `undefined` when there is none. */
export function pairValue(header: string, name: string): string | undefined {
  // Most requests carry none: no parse of the header for them.
  if (!header.includes(`${name}=`)) return undefined
  return cookiePairs(header)
    .find((p) => p.name === name)
    ?.pair.slice(name.length + 1)
}

/** The Cookie header of a request, `''` when it has none. */
export function cookieHeaderOf(headers: HeadersLike): string {
  return headers.get('cookie') ?? ''
}

// decode and commit read the same request: parse its Cookie header once.
const parsed = carried<{ header: string; baseName: string; cookies: RequestCookies }>('request-cookies.v1')

/** Our chunks and the other cookies of a request, parsed once per headers object and cookie name. */
export function readRequest(headers: HeadersLike, baseName: string): RequestCookies {
  const header = cookieHeaderOf(headers)
  const cached = parsed.get(headers)
  if (cached !== undefined && cached.header === header && cached.baseName === baseName) return cached.cookies
  const cookies = parseCookieHeader(header, baseName)
  parsed.set(headers, { header, baseName, cookies })
  return cookies
}

function parseCookieHeader(header: string, baseName: string): RequestCookies {
  // Values exactly as sent: ours are base64url, and a percent-encoded spelling is not ours.
  return new ParsedCookies(header, collectChunks(parse(header, { decode: (v) => v }), baseName))
}

/**
 * A class, not an object literal with a getter: a getter made per request (a closure over the
 * header) made V8 keep every parsed request past the young generation.
 */
class ParsedCookies implements RequestCookies {
  #others: OtherCookies | undefined
  constructor(
    readonly header: string,
    readonly chunks: RequestChunks,
  ) {}

  get others(): OtherCookies {
    // Everything else in the header is someone else's, duplicates of our names included
    // (another Path or Domain: we cannot delete those). Each pair is counted as the browser will
    // send it next time, `name=value` plus `; `, whatever separators this request used.
    if (this.#others === undefined) {
      const ours = new Set(this.chunks.names)
      let count = 0
      let bytes = 0
      for (const { name, pair } of cookiePairs(this.header)) {
        if (ours.delete(name)) continue
        count++
        bytes += pair.length + 2
      }
      this.#others = { count, bytes }
    }
    return this.#others
  }
}

/** `headers` with some headers replaced (`changes` keyed by lower-case name). */
export function withHeaders(headers: HeadersLike, changes: Readonly<Record<string, string>>): HeadersLike {
  return {
    get(name: string): string | null {
      const key = name.toLowerCase()
      return Object.hasOwn(changes, key) ? changes[key]! : headers.get(name)
    },
  }
}

/** `headers` with another Cookie header. */
export function withCookieHeader(headers: HeadersLike, cookie: string): HeadersLike {
  return withHeaders(headers, { cookie })
}

/**
 * A Cookie header rebuilt: the pairs of `raw` whose name `keep` accepts, exactly as sent and in
 * their order, then `append` (`name=value` each).
 */
export function rebuildCookieHeader(raw: string, keep: (name: string) => boolean, append: readonly string[]): string {
  const kept = cookiePairs(raw)
    .filter(({ name }) => keep(name))
    .map(({ pair }) => pair)
  return [...kept, ...append].join('; ')
}

/**
 * The request headers every reader must trust (see {@link trustedCookieHeader}): `headers`
 * itself when no cookie was written earlier in the request.
 */
export function trustedRequest(headers: HeadersLike, written?: readonly StoredCookie[]): HeadersLike {
  const raw = cookieHeaderOf(headers)
  const trusted = trustedCookieHeader(raw, written)
  return trusted === raw ? headers : withCookieHeader(headers, trusted)
}

/**
 * The Cookie header every reader must trust, one rule for every path: the request's own (first
 * duplicate wins, values exactly as sent), with `written` laid over it, the cookies written earlier
 * in the same request (a proxy's response cookies, a commit), as the browser will send them next:
 * each written name's first pair is replaced in place, or removed for a deletion (an empty value),
 * and a later duplicate (another Path's or Domain's, which the browser still sends) stays as sent;
 * names the request did not send come first. Values are taken as written, never decoded.
 * Only writes are laid over: a framework's whole cookie store is not (Next's keeps the last of two
 * same-name cookies and percent-decodes values, which no other reader here does).
 */
export function trustedCookieHeader(raw: string, written?: readonly StoredCookie[]): string {
  if (written === undefined || written.length === 0) return raw
  const last = new Map<string, string>()
  for (const { name, value } of written) last.set(name, value)
  const replaced = new Set<string>()
  const pairs: string[] = []
  for (const { name, pair } of cookiePairs(raw)) {
    const value = last.get(name)
    if (value === undefined || replaced.has(name)) {
      pairs.push(pair)
      continue
    }
    replaced.add(name)
    if (value !== '') pairs.push(`${name}=${value}`)
  }
  const added = [...last].filter(([name, value]) => !replaced.has(name) && value !== '').map(([n, v]) => `${n}=${v}`)
  return [...added, ...pairs].join('; ')
}

/**
 * Request header through which the proxy tells the same request's commits how many bytes of
 * Set-Cookie lines its response already carries (always overwritten by the proxy, like the profile;
 * a client-sent copy without the proxy could only shrink the sender's own budget).
 */
export const SPENT_HEADER = 'x-next-cookieman-spent'

/**
 * Request header through which the proxy tells the readers that it rejected the session cookie (and
 * reported it to `onError`, and deleted it): the code, or `''`. The proxy always overwrites it; a
 * client that sends it without the proxy can only mark its own new session as rejected.
 */
export const REJECTED_HEADER = 'x-next-cookieman-rejected'

const REJECTED_CODES = new Set([
  'ERR_SESSION_TAMPERED',
  'ERR_SESSION_MALFORMED',
  'ERR_SESSION_EXPIRED',
  'ERR_SESSION_TOO_LARGE',
])

/** The code the proxy forwarded for a cookie it rejected, if any. */
export function rejectedCode(headers: HeadersLike): string | undefined {
  const code = headers.get(REJECTED_HEADER)
  return code !== null && REJECTED_CODES.has(code) ? code : undefined
}

/** The bytes of Set-Cookie lines the proxy already put in this request's response. */
export function responseSpentOf(headers: HeadersLike): number {
  const value = Number(headers.get(SPENT_HEADER) ?? 0)
  return Number.isSafeInteger(value) && value > 0 ? value : 0
}
