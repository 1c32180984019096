/**
 * Random bytes for IVs and ids, drawn from a pool that one call of the platform's CSPRNG fills:
 * each call of `getRandomValues` costs ~5 µs whatever its size (about what AES-GCM takes for a
 * whole small session), so a seal asks for 12 bytes from the pool instead. Each byte is handed
 * out once; the pool is refilled when it runs out. Same generator, same bytes, fewer calls.
 */

const POOL_BYTES = 4096
let pool: Uint8Array<ArrayBuffer> = new Uint8Array(0)
let offset = 0

/** `n` fresh random bytes, in a new array the caller owns. */
export function randomBytes(n: number): Uint8Array<ArrayBuffer> {
  if (n > POOL_BYTES) return crypto.getRandomValues(new Uint8Array(n))
  if (offset + n > pool.length) {
    pool = crypto.getRandomValues(new Uint8Array(POOL_BYTES))
    offset = 0
  }
  const out = pool.slice(offset, offset + n)
  // Handed out once: the pool's copy is wiped, so nothing later can read it back from here.
  pool.fill(0, offset, offset + n)
  offset += n
  return out
}
