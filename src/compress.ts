import { deflateSync, Inflate } from 'fflate'

/**
 * deflate-raw (RFC 1951) through fflate, pure JavaScript: Next's Edge runtime (middleware.ts) has
 * no CompressionStream, and a synchronous codec is also much cheaper per call for session-sized data.
 */

export async function deflateRaw(bytes: Uint8Array): Promise<Uint8Array> {
  return deflateSync(bytes, { level: 6 })
}

// Deflate expands at most ~1032:1, so feeding 1 KiB of input at a time bounds what one step can
// produce (~1 MiB) before the cap is checked again. (Smaller slices cost more per call: 256 bytes
// made an 8 KB session's inflate twice as slow.)
const INPUT_SLICE = 1024

class CapExceeded extends Error {}

/**
 * Inflates at most `cap` bytes. Returns `undefined` past the cap; throws on a corrupt stream.
 * Call it only on data whose tag or signature has verified.
 */
export async function inflateRaw(bytes: Uint8Array, cap: number): Promise<Uint8Array | undefined> {
  const parts: Uint8Array[] = []
  let total = 0
  let ended = false
  const inflate = new Inflate((chunk, final) => {
    total += chunk.byteLength
    // Stop inflating at once: a bomb must cost no more than `cap` bytes of memory.
    if (total > cap) throw new CapExceeded()
    parts.push(chunk)
    if (final) ended = true
  })
  try {
    for (let offset = 0; offset < bytes.length; offset += INPUT_SLICE) {
      const end = Math.min(bytes.length, offset + INPUT_SLICE)
      inflate.push(bytes.subarray(offset, end), end === bytes.length)
    }
    if (bytes.length === 0) inflate.push(new Uint8Array(0), true)
  } catch (err) {
    if (err instanceof CapExceeded) return undefined
    throw err
  }
  if (!ended) throw new Error('deflate stream ended early')
  if (parts.length === 1) return parts[0]
  const out = new Uint8Array(total)
  let at = 0
  for (const part of parts) {
    out.set(part, at)
    at += part.byteLength
  }
  return out
}
