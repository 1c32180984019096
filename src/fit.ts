import { chunkHeader, chunkName, type RequestChunks } from './chunk.js'
import { SET_COOKIE_LINE, type BudgetContext, type BudgetLimit, type PresentChunk } from './budget.js'

/**
 * The fit arithmetic, in one place: the one rule that says whether chunks fit a request's budget,
 * used both to lay out a new session ({@link plan}) and to keep the chunks a request already carries
 * ({@link fitsChunks}), and the limit that bounds a session ({@link budgetLimit}). Deletions of stale
 * chunks share the response: live chunks come first, deletions take what is left, and a stale chunk
 * not deleted stays in the jar, counted like someone else's cookie.
 */

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

/** The stale chunks a response deletes, and what the ones it cannot delete keep taking of the jar. */
export interface Deletions {
  names: string[]
  /** Bytes of their Set-Cookie lines. */
  bytes: number
  /** Stale chunks left in the jar: their count and `name=value; ` bytes. */
  leftCount: number
  leftBytes: number
}

/**
 * The deletions of our names that `count` new chunks leave stale (`count` 0: all of them), as many
 * as fit in `room` bytes of response head, the largest first, and at most `deletionCap`, listed
 * by index.
 */
export function deletionsFor(ctx: BudgetContext, count: number, room: number): Deletions {
  const out: Deletions = { names: [], bytes: 0, leftCount: 0, leftBytes: 0 }
  const chosen: PresentChunk[] = []
  for (const chunk of ctx.present) {
    if (chunk.index < count) continue
    if (chosen.length < ctx.deletionCap && out.bytes + chunk.deletionBytes <= room) {
      chosen.push(chunk)
      out.bytes += chunk.deletionBytes
    } else {
      out.leftCount++
      out.leftBytes += chunk.pairBytes
    }
  }
  // Chosen by size, listed by index.
  out.names = chosen.sort((a, b) => a.index - b.index).map((c) => c.name)
  return out
}

type Refusal = BudgetLimit['by']

/**
 * Why chunks do not fit, or `undefined` when they do: each one the browser's per-cookie limit, their
 * count the cookie slots, their `name=value; ` pairs the Cookie header, their `name + value` the
 * CHIPS partition, and, when they are `sent` in this response, their Set-Cookie lines the response
 * head. Stale chunks the response has no room to delete stay in the jar and count too.
 */
function refusal(layout: ChunkLayout, ctx: BudgetContext, sent: boolean): Refusal | undefined {
  const { count, nameBytes, valueBytes } = layout
  if (count > ctx.cookieSlots || layout.largest > ctx.perCookie) return 'cookie-count'
  if (ctx.partitionBytes !== undefined && nameBytes + valueBytes > ctx.partitionBytes) return 'partition'
  const live = sent ? count * (SET_COOKIE_LINE + 1 + ctx.attributeBytes) + nameBytes + valueBytes : 0
  if (live > ctx.responseAvailable) return 'response-head'
  const left = ctx.present.length === 0 ? undefined : deletionsFor(ctx, count, ctx.responseAvailable - live)
  if (left !== undefined && count + left.leftCount > ctx.cookieSlots) return 'cookie-count'
  if (nameBytes + valueBytes + 3 * count + (left?.leftBytes ?? 0) > ctx.headerAvailable) return 'cookie-header'
  return undefined
}

export function fitsChunks(layout: ChunkLayout, ctx: BudgetContext, sent: boolean): boolean {
  return refusal(layout, ctx, sent) === undefined
}

/** How a payload is laid over chunks. */
export interface Plan {
  count: number
  /** Largest value length of each chunk (the first one's includes the header). */
  capacities: number[]
  /** Our `name=value` bytes in the next Cookie header (separators not counted). */
  bytes: number
  /** Bytes of its live Set-Cookie lines. */
  lineBytes: number
}

function layOut(payloadLength: number, ctx: BudgetContext): Plan | Refusal {
  // Every layout puts the whole payload in the Cookie header: past that, none fits.
  if (payloadLength > ctx.headerAvailable) return 'cookie-header'
  const capacities: number[] = []
  let capacitySum = 0
  let nameBytes = 0
  for (let count = 1; count <= ctx.cookieSlots; count++) {
    const name = chunkName(ctx.baseName, count - 1).length
    const capacity = ctx.perCookie - name
    if (capacity <= 0) return 'cookie-count'
    capacities.push(capacity)
    capacitySum += capacity
    nameBytes += name
    const valueBytes = payloadLength + chunkHeader(count).length
    if (capacitySum < valueBytes) continue
    // The first chunk holds the header whole (more chunks only lengthen the header).
    if (capacities[0]! < chunkHeader(count).length) return 'cookie-count'
    // Every chunk is full (name + value = perCookie) but the last, which takes the rest.
    const largest = count === 1 ? name + valueBytes : ctx.perCookie
    const refused = refusal({ count, nameBytes, valueBytes, largest }, ctx, true)
    if (refused !== undefined) return refused
    const lineBytes = count * (SET_COOKIE_LINE + 1 + ctx.attributeBytes) + nameBytes + valueBytes
    return { count, capacities, bytes: nameBytes + count + valueBytes, lineBytes }
  }
  return 'cookie-count'
}

/**
 * The fewest chunks that hold `payloadLength` bytes, or `undefined` when the budget cannot. Fewer,
 * fuller chunks are also the cheapest in every other budget item, so the smallest count decides.
 */
export function plan(payloadLength: number, ctx: BudgetContext): Plan | undefined {
  const laid = layOut(payloadLength, ctx)
  return typeof laid === 'string' ? undefined : laid
}

/** The largest sealed length this budget holds, and the limit that stops one byte more. */
export function budgetLimit(ctx: BudgetContext): BudgetLimit {
  // Fitting is monotonic in the length: bisect between a length that fits and one that cannot.
  let lo = -1
  let hi = Math.max(0, ctx.headerAvailable) + 1
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2)
    if (typeof layOut(mid, ctx) === 'string') hi = mid
    else lo = mid
  }
  const refused = layOut(hi, ctx)
  const by = typeof refused === 'string' ? refused : 'cookie-header'
  const source =
    by === 'cookie-header'
      ? ctx.sources.cookieHeader
      : by === 'response-head'
        ? ctx.sources.responseHead
        : ctx.sources.cookieCount
  return { by, source, capacity: Math.max(0, lo) }
}

/**
 * The chunks of a valid session on the request, if they still fit this request's budget (and, when
 * `sent`, this response's: for a re-issue of the same chunks).
 */
export function keptChunks(
  chunks: RequestChunks,
  count: number | undefined,
  budget: BudgetContext,
  sent = false,
): { names: string[]; bytes: number } | undefined {
  if (count === undefined) return { names: [], bytes: 0 }
  const names: string[] = []
  let nameBytes = 0
  let valueBytes = 0
  let largest = 0
  for (let i = 0; i < count; i++) {
    const value = i === 0 ? chunks.first : chunks.numbered.get(i)
    if (value === undefined) return undefined
    const name = chunkName(budget.baseName, i)
    names.push(name)
    nameBytes += name.length
    valueBytes += value.length
    largest = Math.max(largest, name.length + value.length)
  }
  if (!fitsChunks({ count, nameBytes, valueBytes, largest }, budget, sent)) return undefined
  return { names, bytes: nameBytes + count + valueBytes }
}
