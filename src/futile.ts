import { staleNames } from './chunk.js'
import { pairValue, type OtherCookies, type RequestCookies } from './request.js'

/**
 * The cookie that remembers which stale chunks the proxy deleted last: when the same ones come back,
 * their deletions evidently cannot work (another Path or Domain set them, e.g. a sibling subdomain)
 * and are not sent again until the marker expires (a day) or the set changes. Not a name the
 * reader takes for ours (`NAME.gone` is not `NAME.k`).
 */
export const goneName = (base: string) => `${base}.gone`
export const GONE_MAX_AGE = 24 * 60 * 60

export function markerOf(header: string, base: string): string | undefined {
  return pairValue(header, goneName(base))
}

/** FNV-1a of the sorted names: the same set, the same tag. */
export function tagOf(names: readonly string[]): string {
  let h = 0x811c9dc5
  for (const c of [...names].sort().join(',')) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193) >>> 0
  return h.toString(36)
}

/**
 * Our stale chunks on the request that a deletion evidently cannot remove: the marker names this
 * very set. They are not deleted again, and they count like someone else's cookies (they stay in
 * the jar), so the budget keeps its headroom.
 */
export function futileStale(
  request: RequestCookies,
  base: string,
): { names: ReadonlySet<string>; others: OtherCookies } | undefined {
  // The stale chunks first: most requests have none, and then the header is not scanned for the marker.
  const stale = staleNames(request.chunks, base)
  if (stale.length === 0) return undefined
  const marker = markerOf(request.header, base)
  if (marker === undefined || tagOf(stale) !== marker) return undefined
  let bytes = 0
  for (const name of stale) bytes += name.length + 1 + (request.chunks.values.get(name)?.length ?? 0) + 2
  return {
    names: new Set(stale),
    others: { count: request.others.count + stale.length, bytes: request.others.bytes + bytes },
  }
}
