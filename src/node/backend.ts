import { createCipheriv, createDecipheriv, createHmac, createSecretKey, timingSafeEqual } from 'node:crypto'
import type { KeyObject } from 'node:crypto'
import { deflateRawSync, inflateRawSync } from 'node:zlib'
import type { SealBackend } from '../backend.js'
import { randomBytes } from '../random.js'
import { B64URL } from '../utf8.js'

/**
 * The Node.js fast path: the same tokens as the jose backend (JWE compact `dir` + `A256GCM`, RFC
 * 7516 section 5.1: the AAD is the ASCII of the base64url protected header; JWS compact `HS256`),
 * sealed synchronously with node:crypto and encoded with Buffer's native base64url. Raw deflate
 * through node:zlib. Only the package's `node` export condition loads this file: the Edge build of
 * middleware.ts never sees a `node:` import.
 */

const IV_BYTES = 12
const TAG_BYTES = 16

const b64 = (bytes: Uint8Array): string =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url')
const bytesOf = (buffer: Buffer): Uint8Array => new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength)

/**
 * The bytes of a base64url segment, `undefined` unless it is canonical (alphabet only, no padding,
 * the unused bits of the last character zero). Buffer's decoder skips ASCII characters outside the
 * alphabet, takes `+` and `/` as `-` and `_`, keeps only the low byte of a character past U+00FF and
 * ignores the unused bits: so the segment must be ASCII (its UTF-8 length is its length), hold no
 * `+` or `/`, decode to exactly 3/4 of its length (one skipped character makes it shorter) and end
 * in a character whose unused bits are zero. Native passes only, and no copy: a re-encode to
 * compare made a 22 KB string per read of a 16 KB session.
 */
export function canonicalBytes(segment: string): Buffer | undefined {
  const n = segment.length
  const rest = n % 4
  if (rest === 1 || Buffer.byteLength(segment, 'utf8') !== n) return undefined
  if (segment.includes('+') || segment.includes('/')) return undefined
  const bytes = Buffer.from(segment, 'base64url')
  if (bytes.length !== Math.floor((n * 3) / 4)) return undefined
  // Two characters carry 12 bits for one byte, three 18 bits for two: 4 and 2 bits unused.
  if (rest !== 0 && (B64URL.indexOf(segment[n - 1]!) & (rest === 2 ? 15 : 3)) !== 0) return undefined
  return bytes
}

export const nodeBackend: SealBackend = {
  name: 'node',
  async importKey(_mode, raw) {
    return createSecretKey(raw)
  },
  async seal(mode, key, headerB64, plaintext) {
    if (mode === 'encrypt') {
      const iv = randomBytes(IV_BYTES)
      const cipher = createCipheriv('aes-256-gcm', key as KeyObject, iv, { authTagLength: TAG_BYTES })
      cipher.setAAD(Buffer.from(headerB64, 'latin1'))
      const ciphertext = cipher.update(plaintext)
      cipher.final() // AES-GCM is a stream cipher mode: final() adds no bytes, it computes the tag
      return `.${b64(iv)}.${ciphertext.toString('base64url')}.${cipher.getAuthTag().toString('base64url')}`
    }
    const payload = b64(plaintext)
    const signature = createHmac('sha256', key as KeyObject)
      .update(`${headerB64}.${payload}`)
      .digest('base64url')
    return `${payload}.${signature}`
  },
  async open(mode, key, headerB64, rest) {
    // The caller has checked the short segments (iv, tag, signature); the long one is checked here.
    const parts = rest.split('.')
    if (mode === 'encrypt') {
      const [encryptedKey, iv, ciphertext, tag] = parts
      if (parts.length !== 4 || encryptedKey !== '') return undefined
      const tagBytes = Buffer.from(tag!, 'base64url')
      const ivBytes = Buffer.from(iv!, 'base64url')
      if (tagBytes.length !== TAG_BYTES || ivBytes.length !== IV_BYTES) return undefined
      const body = canonicalBytes(ciphertext!)
      if (body === undefined) return undefined
      try {
        const decipher = createDecipheriv('aes-256-gcm', key as KeyObject, ivBytes, { authTagLength: TAG_BYTES })
        decipher.setAAD(Buffer.from(headerB64, 'latin1'))
        decipher.setAuthTag(tagBytes)
        const plain = decipher.update(body)
        decipher.final() // AES-GCM holds nothing back: final() verifies the tag and adds no bytes
        return bytesOf(plain)
      } catch {
        return undefined
      }
    }
    const [payload, signature] = parts
    if (parts.length !== 2) return undefined
    const expected = createHmac('sha256', key as KeyObject)
      .update(`${headerB64}.${payload!}`)
      .digest()
    const given = Buffer.from(signature!, 'base64url')
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined
    const body = canonicalBytes(payload!)
    return body === undefined ? undefined : bytesOf(body)
  },
  canonical: 'open',
  asciiBase64url: (text) => Buffer.from(text, 'latin1').toString('base64url'),
  // One native pass where the regular expression's scan of a 16 KB session took four times longer.
  utf8Length: (text) => Buffer.byteLength(text, 'utf8'),
  async deflateRaw(bytes) {
    return bytesOf(deflateRawSync(bytes, { level: 6 }))
  },
  async inflateRaw(bytes, cap) {
    try {
      // zlib stops as soon as the output passes maxOutputLength: a bomb costs at most ~cap bytes.
      return bytesOf(inflateRawSync(bytes, { maxOutputLength: cap }))
    } catch (error) {
      if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') return undefined
      throw error
    }
  },
}
