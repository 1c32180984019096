import { serialize } from 'cookie'
import { MAX_CHUNKS, chunkHeader, chunkName } from './chunk.js'
import type { BrowserEntry } from './limits.js'
import type { ResolvedCookie } from './options.js'

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
  /** The per-cookie limit also covers `=` and the attributes. */
  includesAttributes: boolean
  perCookie: number
}

/** What the other cookies of the request take. */
export interface OtherCookies {
  count: number
  /** Their bytes in the Cookie header, each pair with its `; ` separator. */
  bytes: number
}

// Headers of a response other than our Set-Cookie lines: status line, Next's own headers, the app's.
export const RESPONSE_HEAD_RESERVE = 8192
const SET_COOKIE_LINE = 'Set-Cookie: '.length + '\r\n'.length
export const COOKIE_LINE = 'Cookie: '.length + '\r\n'.length

/** One cookie to write, structured (for `cookies().set`) and as the `Set-Cookie` value it serializes to. */
export interface CookieWrite {
  name: string
  value: string
  options: {
    maxAge: number
    expires?: Date
    path: string
    domain?: string
    httpOnly: boolean
    secure: boolean
    sameSite: 'lax' | 'strict' | 'none'
    partitioned: boolean
    priority?: 'low' | 'medium' | 'high'
  }
}

function attributes(cookie: ResolvedCookie, maxAge: number): CookieWrite['options'] {
  return {
    maxAge,
    path: cookie.path,
    ...(cookie.domain !== undefined && { domain: cookie.domain }),
    httpOnly: cookie.httpOnly,
    secure: cookie.secure,
    sameSite: cookie.sameSite,
    partitioned: cookie.partitioned,
    ...(cookie.priority !== undefined && { priority: cookie.priority }),
  }
}

export function serializeWrite(write: CookieWrite): string {
  return serialize(write.name, write.value, { ...write.options, encode: (v) => v })
}

/** Deletes `name`: Max-Age=0 and an epoch Expires, same Path and Domain. */
export function deletionWrite(name: string, cookie: ResolvedCookie): CookieWrite {
  return { name, value: '', options: { ...attributes(cookie, 0), expires: new Date(0) } }
}

export function liveWrite(name: string, value: string, cookie: ResolvedCookie, maxAge: number): CookieWrite {
  return { name, value, options: attributes(cookie, maxAge) }
}

/** A Set-Cookie that deletes `name`: Max-Age=0 and an epoch Expires, same Path and Domain. */
export function deletionCookie(name: string, cookie: ResolvedCookie): string {
  return serializeWrite(deletionWrite(name, cookie))
}

export function liveCookie(name: string, value: string, cookie: ResolvedCookie, maxAge: number): string {
  return serializeWrite(liveWrite(name, value, cookie, maxAge))
}

/**
 * Lengths of our Set-Cookie lines without their name: the attributes are fixed per instance, so a
 * live line is `name=` + value + a constant and a deletion line is `name=` + a constant.
 */
const lineLengths = new WeakMap<ResolvedCookie, Map<number, { live: number; deletion: number }>>()
function lengthsOf(cookie: ResolvedCookie, maxAge: number): { live: number; deletion: number } {
  let byMaxAge = lineLengths.get(cookie)
  if (byMaxAge === undefined) lineLengths.set(cookie, (byMaxAge = new Map()))
  let lengths = byMaxAge.get(maxAge)
  if (lengths === undefined) {
    lengths = { live: liveCookie('x', '', cookie, maxAge).length - 1, deletion: deletionCookie('x', cookie).length - 1 }
    byMaxAge.set(maxAge, lengths)
  }
  return lengths
}

export function makeBudget(options: {
  entry: BrowserEntry
  others: OtherCookies
  baseName: string
  cookie: ResolvedCookie
  maxAge: number
  maxCookieHeaderBytes: number
  reserveBytes: number
  /** Our cookie names present on the request: their deletions may share the response. */
  presentNames: readonly string[]
}): BudgetContext {
  const { entry, others, baseName, cookie, maxAge } = options
  const lengths = lengthsOf(cookie, maxAge)
  const attributeBytes = lengths.live - 1
  const includesAttributes = entry.perCookieIncludesAttributes === true
  const perCookie = includesAttributes ? entry.perCookie - 1 - attributeBytes : entry.perCookie
  // The header line as nginx buffers it: `Cookie: `, the pairs, CRLF.
  const available = options.maxCookieHeaderBytes - options.reserveBytes - COOKIE_LINE - others.bytes
  let deletions = 0
  for (const name of options.presentNames) deletions += SET_COOKIE_LINE + name.length + lengths.deletion
  return {
    budget: {
      perCookie,
      cookies: entry.cookies,
      headerBytes: options.maxCookieHeaderBytes,
      available: Math.max(0, available),
      source: entry.id,
    },
    baseName,
    cookieSlots: Math.min(MAX_CHUNKS, entry.cookies - others.count),
    headerAvailable: available,
    responseAvailable: entry.responseHeadBytes - RESPONSE_HEAD_RESERVE - deletions,
    partitionBytes: cookie.partitioned ? entry.partitionBytes : undefined,
    attributeBytes,
    includesAttributes,
    perCookie,
  }
}

/** How a payload is laid over chunks. */
export interface Plan {
  count: number
  /** Largest value length of each chunk (the first one's includes the header). */
  capacities: number[]
  /** Bytes our chunks add to the Cookie header, separators included. */
  headerBytes: number
}

/**
 * The fewest chunks that hold `payloadLength` bytes, or `undefined` when the budget cannot. Fewer,
 * fuller chunks are also the cheapest in every other budget item, so the smallest count decides.
 */
export function plan(payloadLength: number, ctx: BudgetContext): Plan | undefined {
  const capacities: number[] = []
  let capacitySum = 0
  let nameBytes = 0
  for (let n = 1; n <= ctx.cookieSlots; n++) {
    const name = chunkName(ctx.baseName, n - 1)
    const capacity = ctx.perCookie - name.length
    if (capacity <= 0) return undefined
    capacities.push(capacity)
    capacitySum += capacity
    nameBytes += name.length
    const valueBytes = payloadLength + chunkHeader(n).length
    // `name=value; ` per chunk: the smallest n already over the header budget means none fits.
    const headerBytes = nameBytes + 3 * n + valueBytes
    if (headerBytes > ctx.headerAvailable) return undefined
    if (capacitySum < valueBytes) continue
    if (ctx.partitionBytes !== undefined && nameBytes + valueBytes > ctx.partitionBytes) return undefined
    const responseBytes = n * (SET_COOKIE_LINE + 1 + ctx.attributeBytes) + nameBytes + valueBytes
    if (responseBytes > ctx.responseAvailable) return undefined
    return { count: n, capacities, headerBytes }
  }
  return undefined
}
