import { decode as fromB64, encode as toB64 } from 'jose/base64url'
import { compactVerify } from 'jose/jws/compact/verify'
import { deflateRaw, inflateRaw } from './compress.js'
import { randomBytes } from './random.js'

export type Mode = 'encrypt' | 'sign'

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
   * Seals `plaintext` under the protected header whose base64url is `headerB64` (the JWE's AAD,
   * the start of the JWS signing input) and returns the compact token after its first `.`: JWE
   * `.iv.ciphertext.tag`, JWS `payload.signature`.
   */
  seal(mode: Mode, key: unknown, headerB64: string, plaintext: Uint8Array): Promise<string>
  /** Opens `headerB64.rest`; `undefined` when the tag or signature does not verify. */
  open(mode: Mode, key: unknown, headerB64: string, rest: string): Promise<Uint8Array | undefined>
  /**
   * Optional: `'open'` when this backend's `open` itself refuses a long segment (ciphertext or
   * payload) that is not canonical base64url (RFC 4648 section 3.5: alphabet only, no padding, the
   * unused bits of the last character zero), from the bytes it decodes anyway. Without it, a
   * regular expression decides before `open` is called.
   */
  canonical?: 'open'
  /**
   * Optional: base64url of ASCII text (the protected header), natively where the runtime has it;
   * without it, seal.ts writes it in JavaScript.
   */
  asciiBase64url?(text: string): string
  /**
   * Optional: the UTF-8 byte length of a string, natively where the runtime has it (lone surrogates
   * count as U+FFFD, 3 bytes, as ./utf8.ts counts them); without it, ./utf8.ts scans in JavaScript.
   */
  utf8Length?(text: string): number
  deflateRaw(bytes: Uint8Array): Promise<Uint8Array>
  /** At most `cap` bytes: `undefined` past the cap; throws on a corrupt stream. */
  inflateRaw(bytes: Uint8Array, cap: number): Promise<Uint8Array | undefined>
}

const IV_BYTES = 12
const TAG_BITS = 128
const TAG_BYTES = TAG_BITS / 8
const latin1 = (text: string): Uint8Array<ArrayBuffer> => Uint8Array.from(text, (c) => c.charCodeAt(0))

/**
 * Web Crypto everywhere (Edge, Workers, Node), fflate for deflate. Sealing straight on Web Crypto,
 * from the protected header's base64url as seal.ts writes it, as the node:crypto backend does: JWE
 * `dir` + `A256GCM` on AES-GCM (RFC 7516 section 5.1: the AAD is the ASCII of the base64url
 * protected header; jose's JWE modules reference `CompressionStream` for its own `zip`, which every
 * Edge build of webpack reports as unsupported), JWS `HS256` on HMAC; verification through jose.
 * The tokens are jose's: each opens what the other sealed (src/backend.test.ts).
 */
export const webBackend: SealBackend = {
  name: 'web',
  importKey(mode, raw) {
    return mode === 'encrypt'
      ? crypto.subtle.importKey('raw', raw, { name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt'])
      : crypto.subtle.importKey('raw', raw, { name: 'HMAC', hash: 'SHA-256', length: 256 }, false, ['sign', 'verify'])
  },
  async seal(mode, key, headerB64, plaintext) {
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
    // RFC 7515 section 5.1: HS256 over the ASCII of `headerB64.payloadB64`, as jose's CompactSign does.
    const payload = toB64(plaintext)
    const signature = await crypto.subtle.sign('HMAC', key as CryptoKey, latin1(`${headerB64}.${payload}`))
    return `${payload}.${toB64(new Uint8Array(signature))}`
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
