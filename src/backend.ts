import { CompactEncrypt, CompactSign, compactDecrypt, compactVerify } from 'jose'
import { deflateRaw, inflateRaw } from './compress.js'

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
   * Optional: whether `segment` is canonical base64url (RFC 4648 section 3.5: alphabet only, no
   * padding, the unused bits of the last character zero). Without it, a regular expression decides.
   */
  canonical?: (segment: string) => boolean
  deflateRaw(bytes: Uint8Array): Promise<Uint8Array>
  /** At most `cap` bytes: `undefined` past the cap; throws on a corrupt stream. */
  inflateRaw(bytes: Uint8Array, cap: number): Promise<Uint8Array | undefined>
}

/** jose over Web Crypto, fflate for deflate: runs on every runtime Next.js has. */
export const webBackend: SealBackend = {
  name: 'web',
  importKey(mode, raw) {
    return mode === 'encrypt'
      ? crypto.subtle.importKey('raw', raw, { name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt'])
      : crypto.subtle.importKey('raw', raw, { name: 'HMAC', hash: 'SHA-256', length: 256 }, false, ['sign', 'verify'])
  },
  async seal(mode, key, header, _headerB64, plaintext) {
    const token =
      mode === 'encrypt'
        ? await new CompactEncrypt(plaintext)
            .setProtectedHeader(header as { alg: string; enc: string })
            .encrypt(key as CryptoKey)
        : await new CompactSign(plaintext).setProtectedHeader(header).sign(key as CryptoKey)
    return token.slice(token.indexOf('.') + 1)
  },
  async open(mode, key, headerB64, rest) {
    const token = `${headerB64}.${rest}`
    try {
      return mode === 'encrypt'
        ? (
            await compactDecrypt(token, key as CryptoKey, {
              keyManagementAlgorithms: ['dir'],
              contentEncryptionAlgorithms: ['A256GCM'],
            })
          ).plaintext
        : (await compactVerify(token, key as CryptoKey, { algorithms: ['HS256'] })).payload
    } catch {
      return undefined
    }
  },
  deflateRaw,
  inflateRaw,
}
