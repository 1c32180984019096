import type { OverBytes } from './run.js'

/** The largest `n` in `[0, hi]` for which the monotone (true, then false) `ok` holds; -1 if none. */
function largestWhere(ok: (n: number) => boolean, hi: number): number {
  let lo = -1
  let top = Math.max(0, hi) + 1
  while (top - lo > 1) {
    const mid = Math.floor((lo + top) / 2)
    if (ok(mid)) lo = mid
    else top = mid
  }
  return lo
}

/**
 * The `overBytes` of shrink functions: the JSON bytes a session is over the largest plaintext that
 * `fitsPlaintext` accepts (found once, when first asked). Without compression the plaintext is the
 * JSON, so this is exact. With it, the JSON that fits is estimated at the ratio of the last
 * measurement before the current shrink function's run (`measured`, then `freeze`); `latest` at the
 * ratio of the last measurement, for the sparse strategy's guesses (./sparse.ts).
 */
export function overBytes(
  fitsPlaintext: (plaintextBytes: number) => boolean,
  hi: number,
  maxInflatedBytes: number,
): OverBytes & { measured(jsonBytes: number, plaintextBytes: number): void } {
  let largest: number | undefined
  let ratio = 1
  let frozen = 1
  const fitting = (at: number): number => {
    largest ??= largestWhere(fitsPlaintext, hi)
    return largest < 0 ? -1 : Math.min(maxInflatedBytes, Math.floor(largest * at))
  }
  return {
    at(jsonBytes) {
      return jsonBytes - fitting(frozen)
    },
    latest(jsonBytes) {
      return jsonBytes - fitting(ratio)
    },
    measured(jsonBytes, plaintextBytes) {
      if (plaintextBytes > 0) ratio = jsonBytes / plaintextBytes
    },
    freeze() {
      frozen = ratio
    },
  }
}
