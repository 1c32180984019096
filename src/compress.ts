/** deflate-raw through the Web-standard CompressionStream, available in Node 20 and every Edge runtime. */

async function collect(readable: ReadableStream<Uint8Array>, cap: number): Promise<Uint8Array | undefined> {
  const reader = readable.getReader()
  const parts: Uint8Array[] = []
  let total = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    total += value.byteLength
    if (total > cap) {
      // Stop inflating at once: a bomb must cost no more than `cap` bytes of memory.
      await reader.cancel().catch(() => {})
      return undefined
    }
    parts.push(value)
  }
  if (parts.length === 1 && parts[0] !== undefined) return parts[0]
  const out = new Uint8Array(total)
  let offset = 0
  for (const part of parts) {
    out.set(part, offset)
    offset += part.byteLength
  }
  return out
}

function pipe(bytes: Uint8Array, transform: CompressionStream | DecompressionStream): ReadableStream<Uint8Array> {
  const writer = transform.writable.getWriter()
  // Errors surface on the readable side; these promises only settle the writer.
  writer.write(bytes as Uint8Array<ArrayBuffer>).catch(() => {})
  writer.close().catch(() => {})
  return transform.readable as ReadableStream<Uint8Array>
}

export async function deflateRaw(bytes: Uint8Array): Promise<Uint8Array> {
  const out = await collect(pipe(bytes, new CompressionStream('deflate-raw')), Number.POSITIVE_INFINITY)
  return out ?? new Uint8Array(0)
}

/**
 * Inflates at most `cap` bytes. Returns `undefined` past the cap; throws on a corrupt stream.
 * Call it only on data whose tag or signature has verified.
 */
export function inflateRaw(bytes: Uint8Array, cap: number): Promise<Uint8Array | undefined> {
  return collect(pipe(bytes, new DecompressionStream('deflate-raw')), cap)
}
