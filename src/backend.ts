import { decode as fromB64, encode as toB64 } from 'jose/base64url'
import { CompactSign } from 'jose/jws/compact/sign'
import { compactVerify } from 'jose/jws/compact/verify'
import { deflateRaw, inflateRaw } from './compress.js'
import { randomBytes } from './random.js'

export type Mode = 'encrypt' | 'sign'

/** A JWE/JWS protected header: `alg` (and `enc`), `kid`, `iat`, `exp`, `z`. */
export type ProtectedHeader = { alg: string; enc?: string } & Record<string, string | number>

/**
 * The primitives a seal needs, behind one interface so that the package can pick them per runtime
 * (package.json `exports` conditions): jose and Web Crypto everywhere (Edge, Workers, Node), or
 * node:crypto and node:zlib on Node (`src/node/`). Both produce the same standard tokens
 * (JWE `dir` + `A256GCM`, JWS `HS256`) and raw deflate streams: either opens what the other sealed.
 */
export interface SealBackend {
  readonly name: 'web' | 'node'
  /** Turns 32 bytes of HKDF output into this backend's key object. */
  importKey(mode: Mode, raw: Uint8Array<ArrayBuffer>): Promise<unknown>
  /**
   * Seals `plaintext` under the protected header `header` (`headerB64` is the base64url of its
   * JSON) and returns the compact token after its first `.`: JWE `.iv.ciphertext.tag`, JWS
   * `payload.signature`.
   */
  seal(mode: Mode, key: unknown, header: ProtectedHeader, headerB64: string, plaintext: Uint8Array): Promise<string>
  /** Opens `headerB64.rest`; `undefined` when the tag or signature does not verify. */
  open(mode: Mode, key: unknown, headerB64: string, rest: string): Promise<Uint8Array | undefined>
  /**
   * Optional: `'open'` when this backend's `open` itself refuses a long segment (ciphertext or
   * payload) that is not canonical base64url (RFC 4648 section 3.5: alphabet only, no padding, the
   * unused bits of the last character zero), from the bytes it decodes anyway. Without it, a
   * regular expression decides before `open` is called.
   */
  canonical?: 'open'
  deflateRaw(bytes: Uint8Array): Promise<Uint8Array>
  /** At most `cap` bytes: `undefined` past the cap; throws on a corrupt stream. */
  inflateRaw(bytes: Uint8Array, cap: number): Promise<Uint8Array | undefined>
}

const IV_BYTES = 12
const TAG_BITS = 128
const TAG_BYTES = TAG_BITS / 8
const latin1 = (text: string): Uint8Array<ArrayBuffer> => Uint8Array.from(text, (c) => c.charCodeAt(0))

/**
 * Web Crypto everywhere (Edge, Workers, Node), fflate for deflate. JWS through jose; JWE `dir` +
 * `A256GCM` straight on Web Crypto's AES-GCM (RFC 7516 section 5.1: the AAD is the ASCII of the
 * base64url protected header), as the node:crypto backend does: jose's JWE modules reference
 * `CompressionStream` for its own `zip`, which every Edge build of webpack reports as unsupported.
 * The tokens are jose's: each opens what the other sealed (src/backend.test.ts).
 */
export const webBackend: SealBackend = {
  name: 'web',
  importKey(mode, raw) {
    return mode === 'encrypt'
      ? crypto.subtle.importKey('raw', raw, { name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt'])
      : crypto.subtle.importKey('raw', raw, { name: 'HMAC', hash: 'SHA-256', length: 256 }, false, ['sign', 'verify'])
  },
  async seal(mode, key, header, headerB64, plaintext) {
    if (mode === 'encrypt') {
      const iv = randomBytes(IV_BYTES)
      const sealed = new Uint8Array(
        await crypto.subtle.encrypt(
          { name: 'AES-GCM', iv, additionalData: latin1(headerB64), tagLength: TAG_BITS },
          key as CryptoKey,
          plaintext as Uint8Array<ArrayBuffer>,
        ),
      )
      const cut = sealed.length - TAG_BYTES
      return `.${toB64(iv)}.${toB64(sealed.subarray(0, cut))}.${toB64(sealed.subarray(cut))}`
    }
    const token = await new CompactSign(plaintext).setProtectedHeader(header).sign(key as CryptoKey)
    return token.slice(token.indexOf('.') + 1)
  },
  async open(mode, key, headerB64, rest) {
    try {
      if (mode === 'encrypt') {
        // The caller has checked that every segment is canonical base64url of the right length.
        const parts = rest.split('.')
        const [encryptedKey, iv, ciphertext, tag] = parts
        if (parts.length !== 4 || encryptedKey !== '') return undefined
        const ivBytes = fromB64(iv!)
        const tagBytes = fromB64(tag!)
        if (ivBytes.length !== IV_BYTES || tagBytes.length !== TAG_BYTES) return undefined
        const body = fromB64(ciphertext!)
        const sealed = new Uint8Array(body.length + TAG_BYTES)
        sealed.set(body)
        sealed.set(tagBytes, body.length)
        return new Uint8Array(
          await crypto.subtle.decrypt(
            {
              name: 'AES-GCM',
              iv: ivBytes as Uint8Array<ArrayBuffer>,
              additionalData: latin1(headerB64),
              tagLength: TAG_BITS,
            },
            key as CryptoKey,
            sealed,
          ),
        )
      }
      return (await compactVerify(`${headerB64}.${rest}`, key as CryptoKey, { algorithms: ['HS256'] })).payload
    } catch {
      return undefined
    }
  },
  deflateRaw,
  inflateRaw,
}
