/**
 * The chunk format. A session is one sealed wire string P, sliced over cookies `NAME`, `NAME.1`, …
 * `NAME` starts with a header naming the format version and the chunk count: `v1.<count>.`.
 * Nothing else marks a chunk, so mixing, dropping, reordering or truncating chunks changes P and
 * fails verification.
 */

export const FORMAT_VERSION = 1
/** Highest chunk count a header may name; far above any browser's per-host cookie count. */
export const MAX_CHUNKS = 9999

const HEADER = /^v1\.([1-9][0-9]{0,3})\./

export function chunkHeader(count: number): string {
  return `v${FORMAT_VERSION}.${count}.`
}

export function chunkName(base: string, index: number): string {
  return index === 0 ? base : `${base}.${index}`
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

const patterns = new Map<string, RegExp>()

/** Matches exactly `NAME` and `NAME.k` (k >= 1, no leading zero): `NAME-id` or `NAME.x` never match. */
export function chunkPattern(base: string): RegExp {
  let pattern = patterns.get(base)
  if (pattern === undefined) {
    // One per cookie name an app configures (a handful): compiled once, not per request.
    pattern = new RegExp(`^${escapeRegExp(base)}(?:\\.([1-9][0-9]*))?$`)
    patterns.set(base, pattern)
  }
  return pattern
}

/** Our cookies as found on a request: the first chunk, the numbered ones, every name seen. */
export interface RequestChunks {
  first: string | undefined
  /** index (1 … MAX_CHUNKS) → value: the chunks a header can name. */
  numbered: Map<number, string>
  /** Every cookie name of ours on the request, as sent, `NAME` first then by index. */
  names: string[]
  /** name → value for every name in `names`. */
  values: Map<string, string>
}

/** Numeric order of `NAME.k` suffixes without converting them (k may exceed 2^53). */
function byIndex(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0)
}

export function collectChunks(cookies: Readonly<Record<string, string | undefined>>, base: string): RequestChunks {
  const pattern = chunkPattern(base)
  const numbered = new Map<number, string>()
  const values = new Map<string, string>()
  const suffixes: string[] = []
  let first: string | undefined
  for (const [name, value] of Object.entries(cookies)) {
    if (value === undefined) continue
    const m = pattern.exec(name)
    if (m === null) continue
    values.set(name, value)
    if (m[1] === undefined) {
      first = value
      continue
    }
    suffixes.push(m[1])
    // Longer suffixes are past any count a header can name: kept by name for deletion only.
    if (m[1].length <= String(MAX_CHUNKS).length) numbered.set(Number(m[1]), value)
  }
  const names = suffixes.sort(byIndex).map((k) => `${base}.${k}`)
  if (first !== undefined) names.unshift(base)
  return { first, numbered, names, values }
}

export type AssembleResult =
  { ok: true; count: number; payload: string } | { ok: false; reason: 'missing' | 'malformed' }

/**
 * Joins chunks back into the wire string. Chunks past the header's count are stale leftovers of a
 * larger earlier session and are ignored (the next commit deletes them).
 */
export function assemble(chunks: RequestChunks): AssembleResult {
  if (chunks.first === undefined) return { ok: false, reason: 'missing' }
  const m = HEADER.exec(chunks.first)
  if (m === null) return { ok: false, reason: 'malformed' }
  const count = Number(m[1])
  // Cheap bound first, so a forged count of 9999 costs nothing.
  if (count - 1 > chunks.numbered.size) return { ok: false, reason: 'missing' }
  const parts = [chunks.first.slice(m[0].length)]
  for (let i = 1; i < count; i++) {
    const part = chunks.numbered.get(i)
    if (part === undefined) return { ok: false, reason: 'missing' }
    parts.push(part)
  }
  return { ok: true, count, payload: parts.join('') }
}

/** The chunk count a header names, if the value starts with a valid header. */
export function headerCount(first: string): number | undefined {
  const m = HEADER.exec(first)
  return m === null ? undefined : Number(m[1])
}

/**
 * Our cookies on a request that no reader will use, known without verifying anything: `NAME.k`
 * past the count `NAME`'s header names, or every `NAME.k` when `NAME` is missing or malformed.
 */
export function staleNames(chunks: RequestChunks, base: string): string[] {
  const count = chunks.first === undefined ? 0 : (headerCount(chunks.first) ?? 0)
  return chunks.names.filter((name) => {
    if (name === base) return false
    const suffix = name.slice(base.length + 1)
    return suffix.length > String(MAX_CHUNKS).length || Number(suffix) >= count
  })
}

/** Slices a wire string into chunk values of the given capacities (the header goes in front). */
export function split(payload: string, capacities: readonly number[]): string[] {
  const values: string[] = []
  let offset = 0
  capacities.forEach((capacity, i) => {
    const prefix = i === 0 ? chunkHeader(capacities.length) : ''
    const take = capacity - prefix.length
    values.push(prefix + payload.slice(offset, offset + take))
    offset += take
  })
  if (offset < payload.length) throw new RangeError('split: capacities do not cover the payload')
  return values
}
