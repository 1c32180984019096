import type { BrowserEntry } from './browsers/database.js'
import { MAX_CHUNKS, chunkHeader, chunkName } from './chunk.js'
import type { ResolvedCookie, ResolvedOptions } from './options/types.js'
import type { OtherCookies } from './request.js'
import { setCookieLengths } from './set-cookie.js'

/**
 * The fit arithmetic, in one place: the budget of one request (browser limits, server limits, what
 * the other cookies take) and the one rule that says whether chunks fit it, used both to lay out a
 * new session ({@link plan}) and to keep the chunks a request already carries ({@link fitsChunks}).
 */

/** The budget of one commit, as the report shows it. */
export interface Budget {
  /** Largest `name + value` of one chunk, in bytes. */
  perCookie: number
  /** The browser's per-host cookie count. */
  cookies: number
  /** `limits.maxCookieHeaderBytes`. */
  headerBytes: number
  /** Bytes of the Cookie header left to us after the other cookies and `reserveBytes`. */
  available: number
  /** The id of the database entry used. */
  source: string
}

/** Everything needed to decide whether a sealed session of a given length fits. */
export interface BudgetContext {
  budget: Budget
  baseName: string
  /** Largest `name + value` of one chunk (the browser's limit, less the attributes where it counts them). */
  perCookie: number
  /** Cookies we may use: the browser's count less the request's other cookies. */
  cookieSlots: number
  /** Bytes we may add to the Cookie header, each of our pairs counted with its `; ` separator. */
  headerAvailable: number
  /** Bytes of Set-Cookie lines we may send, after the other headers and our deletions. */
  responseAvailable: number
  /** Per partition `name + value` bytes (CHIPS), when our cookies are partitioned. */
  partitionBytes: number | undefined
  /** Length of `; Path=/; Max-Age=…` on a live chunk. */
  attributeBytes: number
}

// Headers of a response other than our Set-Cookie lines: status line, Next's own headers, the app's.
export const RESPONSE_HEAD_RESERVE = 8192
const SET_COOKIE_LINE = 'Set-Cookie: '.length + '\r\n'.length
export const COOKIE_LINE = 'Cookie: '.length + '\r\n'.length

export interface BudgetInput {
  entry: BrowserEntry
  others: OtherCookies
  baseName: string
  cookie: ResolvedCookie
  maxAge: number
  maxCookieHeaderBytes: number
  reserveBytes: number
  /** Our cookie names present on the request: their deletions may share the response. */
  presentNames: readonly string[]
}

export function makeBudget(input: BudgetInput): BudgetContext {
  const { entry, others, baseName, cookie, maxAge } = input
  const lengths = setCookieLengths(cookie, maxAge)
  const attributeBytes = lengths.live - 1
  const perCookie = entry.perCookieIncludesAttributes === true ? entry.perCookie - 1 - attributeBytes : entry.perCookie
  // The header line as nginx buffers it: `Cookie: `, the pairs, CRLF.
  const available = input.maxCookieHeaderBytes - input.reserveBytes - COOKIE_LINE - others.bytes
  let deletions = 0
  for (const name of input.presentNames) deletions += SET_COOKIE_LINE + name.length + lengths.deletion
  return {
    budget: {
      perCookie,
      cookies: entry.cookies,
      headerBytes: input.maxCookieHeaderBytes,
      available: Math.max(0, available),
      source: entry.id,
    },
    baseName,
    perCookie,
    cookieSlots: Math.min(MAX_CHUNKS, entry.cookies - others.count),
    headerAvailable: available,
    responseAvailable: entry.responseHeadBytes - RESPONSE_HEAD_RESERVE - deletions,
    partitionBytes: cookie.partitioned ? entry.partitionBytes : undefined,
    attributeBytes,
  }
}

/** A set of chunks as the fit rule sees them. */
export interface ChunkLayout {
  count: number
  /** Sum of the chunk names' lengths. */
  nameBytes: number
  /** Sum of the chunk values' lengths (the first one's header included). */
  valueBytes: number
  /** The largest `name + value` of one chunk. */
  largest: number
}

/**
 * Whether chunks fit: each one the browser's per-cookie limit, their count the cookie slots, their
 * `name=value; ` pairs the Cookie header, their `name + value` the CHIPS partition, and, when they
 * are `sent` in this response, their Set-Cookie lines the response head.
 */
export function fitsChunks(layout: ChunkLayout, ctx: BudgetContext, sent: boolean): boolean {
  const { count, nameBytes, valueBytes } = layout
  if (count > ctx.cookieSlots || layout.largest > ctx.perCookie) return false
  if (nameBytes + valueBytes + 3 * count > ctx.headerAvailable) return false
  if (ctx.partitionBytes !== undefined && nameBytes + valueBytes > ctx.partitionBytes) return false
  if (sent && count * (SET_COOKIE_LINE + 1 + ctx.attributeBytes) + nameBytes + valueBytes > ctx.responseAvailable) {
    return false
  }
  return true
}

/** How a payload is laid over chunks. */
export interface Plan {
  count: number
  /** Largest value length of each chunk (the first one's includes the header). */
  capacities: number[]
  /** Our `name=value` bytes in the next Cookie header (separators not counted). */
  bytes: number
}

/**
 * The fewest chunks that hold `payloadLength` bytes, or `undefined` when the budget cannot. Fewer,
 * fuller chunks are also the cheapest in every other budget item, so the smallest count decides.
 */
export function plan(payloadLength: number, ctx: BudgetContext): Plan | undefined {
  // Every layout puts the whole payload in the Cookie header: past that, none fits.
  if (payloadLength > ctx.headerAvailable) return undefined
  const capacities: number[] = []
  let capacitySum = 0
  let nameBytes = 0
  for (let count = 1; count <= ctx.cookieSlots; count++) {
    const name = chunkName(ctx.baseName, count - 1).length
    const capacity = ctx.perCookie - name
    if (capacity <= 0) return undefined
    capacities.push(capacity)
    capacitySum += capacity
    nameBytes += name
    const valueBytes = payloadLength + chunkHeader(count).length
    if (capacitySum < valueBytes) continue
    // The first chunk holds the header whole (more chunks only lengthen the header).
    if (capacities[0]! < chunkHeader(count).length) return undefined
    // Every chunk is full (name + value = perCookie) but the last, which takes the rest.
    const largest = count === 1 ? name + valueBytes : ctx.perCookie
    if (!fitsChunks({ count, nameBytes, valueBytes, largest }, ctx, true)) return undefined
    return { count, capacities, bytes: nameBytes + count + valueBytes }
  }
  return undefined
}

/** The budget of one request for an engine's options. */
export function budgetOf(
  opts: Pick<ResolvedOptions<object>, 'cookieName' | 'cookie' | 'maxAge' | 'maxCookieHeaderBytes' | 'reserveBytes'>,
  entry: BrowserEntry,
  others: OtherCookies,
  presentNames: readonly string[],
): BudgetContext {
  return makeBudget({
    entry,
    others,
    baseName: opts.cookieName,
    cookie: opts.cookie,
    maxAge: opts.maxAge,
    maxCookieHeaderBytes: opts.maxCookieHeaderBytes,
    reserveBytes: opts.reserveBytes,
    presentNames,
  })
}
