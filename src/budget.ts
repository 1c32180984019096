import type { BrowserEntry } from './browsers/database.js'
import { MAX_CHUNKS, type RequestChunks } from './chunk.js'
import type { ResolvedCookie, ResolvedOptions } from './options/types.js'
import { futileStale } from './futile.js'
import type { OtherCookies, RequestCookies } from './request.js'
import { setCookieLengths } from './set-cookie.js'

/**
 * The budget of one request in both directions: the next Cookie request header against the browser
 * and the fronts, and this response's Set-Cookie lines against the response head the fronts and the
 * browser pass, with our names already present (their deletions share the response). The rule that
 * says whether chunks fit it is in ./fit.ts.
 */

/** Which limit stops the session from growing, as the report and the budget view show it. */
export interface BudgetLimit {
  /**
   * `cookie-count`: the browser's cookies per host (chunks of its per-cookie size); `cookie-header`:
   * the Cookie request header the fronts accept; `response-head`: the response head the fronts (or
   * the browser) pass; `partition`: the browser's CHIPS partition.
   */
  by: 'cookie-count' | 'cookie-header' | 'response-head' | 'partition'
  /** The browser entry or front id the limit comes from, or `option` when the app gave the number. */
  source: string
  /** The largest sealed session (bytes of the token) this request's budget holds. */
  capacity: number
}

/** The budget of one commit, as the report shows it. */
export interface Budget {
  /** Largest `name + value` of one chunk, in bytes. */
  perCookie: number
  /** The browser's per-host cookie count. */
  cookies: number
  /** `limits.maxCookieHeaderBytes` (the fronts' Cookie line limit unless the app gave one). */
  headerBytes: number
  /** Bytes of the Cookie header left to us after the other cookies and `reserveBytes`. */
  available: number
  /** The id of the browser database entry used. */
  source: string
  /** The response head limit: the smallest of the fronts' and the browser's. */
  responseHeadBytes: number
  /** Bytes of Set-Cookie lines this response may carry, after `responseReserveBytes`. */
  responseAvailable: number
  /** The fronts the budget assumes, by id. */
  fronts: string[]
  /** Which limit stops the session from growing, and the largest sealed session it holds. */
  limit: BudgetLimit
}

/** One of our cookie names on the request (or written earlier in this response). */
export interface PresentChunk {
  name: string
  /** 0 for `NAME`, k for `NAME.k`. */
  index: number
  /** Its `name=value; ` bytes in the Cookie header while it stays. */
  pairBytes: number
  /** Its deletion's `Set-Cookie: …` line, CRLF included. */
  deletionBytes: number
}

/** Everything needed to decide whether a sealed session of a given length fits. */
export interface BudgetContext {
  /** The figures of the report's `budget` (its `limit` is worked out by ./fit.ts). */
  budget: Omit<Budget, 'limit'>
  baseName: string
  /** Largest `name + value` of one chunk (the browser's limit, less the attributes where it counts them). */
  perCookie: number
  /** Cookies we may use: the browser's count less the request's other cookies. */
  cookieSlots: number
  /** Bytes we may add to the Cookie header, each of our pairs counted with its `; ` separator. */
  headerAvailable: number
  /** Bytes of Set-Cookie lines (live chunks and deletions) this response may carry. */
  responseAvailable: number
  /** Per partition `name + value` bytes (CHIPS), when our cookies are partitioned. */
  partitionBytes: number | undefined
  /** Length of `; Path=/; Max-Age=…` on a live chunk. */
  attributeBytes: number
  /**
   * Deletions per response: a browser holds at most its per-host count of cookies, so never more
   * than that, and at least the largest count in the database (Chromium and Firefox keep 180).
   */
  deletionCap: number
  /** Our names present, the largest pair first (deleting those frees the most). */
  present: readonly PresentChunk[]
  /** Where each limit comes from. */
  sources: { cookieCount: string; cookieHeader: string; responseHead: string }
}

const DELETION_CAP = 180
export const SET_COOKIE_LINE = 'Set-Cookie: '.length + '\r\n'.length
export const COOKIE_LINE = 'Cookie: '.length + '\r\n'.length

export interface BudgetInput {
  entry: BrowserEntry
  others: OtherCookies
  baseName: string
  cookie: ResolvedCookie
  maxAge: number
  maxCookieHeaderBytes: number
  reserveBytes: number
  /** The fronts' response head limit; `undefined`: only the browser's applies. */
  maxResponseHeaderBytes?: number | undefined
  responseReserveBytes?: number | undefined
  /** Bytes of Set-Cookie lines this response already carries (the proxy's, before a commit). */
  responseSpent?: number | undefined
  fronts?: readonly string[] | undefined
  sources?: { cookieHeader: string; responseHead: string | undefined } | undefined
  /** Our cookie names present on the request, with their values (`undefined`: written earlier in this response). */
  present: ReadonlyArray<{ name: string; value: string | undefined }>
}

/** Our names on the request with their values, then those written earlier in this response. */
function presentOf(chunks: RequestChunks, written: readonly string[] = []): BudgetInput['present'] {
  const present: Array<{ name: string; value: string | undefined }> = chunks.names.map((name) => ({
    name,
    value: chunks.values.get(name),
  }))
  for (const name of written) if (!chunks.values.has(name)) present.push({ name, value: undefined })
  return present
}

function chunkIndex(name: string, baseName: string): number {
  return name.length === baseName.length ? 0 : Number(name.slice(baseName.length + 1))
}

export function makeBudget(input: BudgetInput): BudgetContext {
  const { entry, others, baseName, cookie, maxAge } = input
  const lengths = setCookieLengths(cookie, maxAge)
  const attributeBytes = lengths.live - 1
  const perCookie = entry.perCookieIncludesAttributes === true ? entry.perCookie - 1 - attributeBytes : entry.perCookie
  // The header line as nginx buffers it: `Cookie: `, the pairs, CRLF.
  const available = input.maxCookieHeaderBytes - input.reserveBytes - COOKIE_LINE - others.bytes
  const frontHead = input.maxResponseHeaderBytes ?? Infinity
  const responseHeadBytes = Math.min(frontHead, entry.responseHeadBytes)
  const responseAvailable = responseHeadBytes - (input.responseReserveBytes ?? 0) - (input.responseSpent ?? 0)
  const present = input.present
    .map(({ name, value }) => ({
      name,
      index: chunkIndex(name, baseName),
      // Written earlier in this response: at most a full chunk.
      pairBytes: (value === undefined ? perCookie : name.length + value.length) + 3,
      deletionBytes: SET_COOKIE_LINE + name.length + lengths.deletion,
    }))
    .sort((a, b) => b.pairBytes - a.pairBytes || a.index - b.index)
  return {
    budget: {
      perCookie,
      cookies: entry.cookies,
      headerBytes: input.maxCookieHeaderBytes,
      available: Math.max(0, available),
      source: entry.id,
      responseHeadBytes,
      responseAvailable: Math.max(0, responseAvailable),
      fronts: [...(input.fronts ?? [])],
    },
    baseName,
    perCookie,
    cookieSlots: Math.min(MAX_CHUNKS, entry.cookies - others.count),
    headerAvailable: available,
    responseAvailable,
    partitionBytes: cookie.partitioned ? entry.partitionBytes : undefined,
    attributeBytes,
    deletionCap: Math.max(entry.cookies, DELETION_CAP),
    present,
    sources: {
      cookieCount: entry.id,
      cookieHeader: input.sources?.cookieHeader ?? 'option',
      responseHead: frontHead < entry.responseHeadBytes ? (input.sources?.responseHead ?? 'option') : entry.id,
    },
  }
}

/** The budget of one request for an engine's options. */
function budgetOf(
  opts: Pick<
    ResolvedOptions<object>,
    | 'cookieName'
    | 'cookie'
    | 'maxAge'
    | 'maxCookieHeaderBytes'
    | 'reserveBytes'
    | 'maxResponseHeaderBytes'
    | 'responseReserveBytes'
    | 'fronts'
    | 'limitSources'
  >,
  entry: BrowserEntry,
  others: OtherCookies,
  present: BudgetInput['present'],
  responseSpent = 0,
): BudgetContext {
  return makeBudget({
    entry,
    others,
    baseName: opts.cookieName,
    cookie: opts.cookie,
    maxAge: opts.maxAge,
    maxCookieHeaderBytes: opts.maxCookieHeaderBytes,
    reserveBytes: opts.reserveBytes,
    maxResponseHeaderBytes: opts.maxResponseHeaderBytes,
    responseReserveBytes: opts.responseReserveBytes,
    responseSpent,
    fronts: opts.fronts.map((f) => f.id),
    sources: opts.limitSources,
    present,
  })
}

/**
 * The budget of a request as a commit or the proxy meets it: our names present (and those written
 * earlier in this response) may be deleted, but stale chunks a deletion evidently cannot remove
 * (see ./futile.ts) count as other cookies.
 */
export function requestBudget(
  opts: Parameters<typeof budgetOf>[0],
  entry: BrowserEntry,
  request: RequestCookies,
  written: readonly string[] = [],
  responseSpent = 0,
): BudgetContext {
  const futile = futileStale(request, opts.cookieName)
  const present = presentOf(request.chunks, written).filter((c) => futile?.names.has(c.name) !== true)
  return budgetOf(opts, entry, futile?.others ?? request.others, present, responseSpent)
}
