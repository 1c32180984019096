import { CompactEncrypt, CompactSign, base64url, compactDecrypt, compactVerify } from 'jose'
import { describe, expect, it, vi } from 'vitest'
import { webBackend, type Mode } from './backend.js'
import { deriveKey } from './keys.js'

// The web backend seals JWE and JWS on Web Crypto directly (jose's JWE modules would put
// CompressionStream in every Edge build): its tokens must be jose's, both ways.
const SECRET = 'web-backend-secret-0123456789-abcdefgh'
const encoder = new TextEncoder()
const decoder = new TextDecoder()
const MODES: Mode[] = ['encrypt', 'sign']
const TEXTS = ['', '{"hello":"world"}', '{"a":"é ✓ 𝄞"}', JSON.stringify({ x: 'y'.repeat(9000) })]

function headerOf(mode: Mode, kid: string): { alg: string; enc?: string; kid: string; iat: number } {
  return mode === 'encrypt' ? { alg: 'dir', enc: 'A256GCM', kid, iat: 1 } : { alg: 'HS256', kid, iat: 1 }
}

describe('web backend', () => {
  it.each(MODES)('%s: jose opens the tokens it seals', async (mode) => {
    const { key, kid } = await deriveKey(SECRET, 'session', mode, webBackend)
    const header = headerOf(mode, kid)
    const headerB64 = base64url.encode(JSON.stringify(header))
    for (const text of TEXTS) {
      const token = `${headerB64}.${await webBackend.seal(mode, key, headerB64, encoder.encode(text))}`
      const opened =
        mode === 'encrypt'
          ? await compactDecrypt(token, key as CryptoKey, {
              keyManagementAlgorithms: ['dir'],
              contentEncryptionAlgorithms: ['A256GCM'],
            })
          : await compactVerify(token, key as CryptoKey, { algorithms: ['HS256'] })
      expect(decoder.decode('plaintext' in opened ? opened.plaintext : opened.payload)).toBe(text)
      expect(opened.protectedHeader).toEqual(header)
      expect(token.split('.')).toHaveLength(mode === 'encrypt' ? 5 : 3)
    }
  })

  it.each(MODES)('%s: it opens what jose seals, and nothing altered', async (mode) => {
    const { key, kid } = await deriveKey(SECRET, 'session', mode, webBackend)
    const header = headerOf(mode, kid)
    for (const text of TEXTS) {
      const token =
        mode === 'encrypt'
          ? await new CompactEncrypt(encoder.encode(text))
              .setProtectedHeader(header as { alg: string; enc: string })
              .encrypt(key as CryptoKey)
          : await new CompactSign(encoder.encode(text)).setProtectedHeader(header).sign(key as CryptoKey)
      const dot = token.indexOf('.')
      const [headerB64, rest] = [token.slice(0, dot), token.slice(dot + 1)]
      expect(decoder.decode(await webBackend.open(mode, key, headerB64, rest))).toBe(text)
      // Another header (the AAD or signing input), or a changed tag or signature: refused.
      const other = base64url.encode(JSON.stringify({ ...header, iat: 2 }))
      expect(await webBackend.open(mode, key, other, rest)).toBeUndefined()
      const last = rest.length - 3
      const flipped = rest.slice(0, last) + (rest[last] === 'A' ? 'B' : 'A') + rest.slice(last + 1)
      expect(await webBackend.open(mode, key, headerB64, flipped)).toBeUndefined()
    }
  })

  it('a JWE with an encrypted key, or a short IV or tag, is refused before decryption', async () => {
    const { key, kid } = await deriveKey(SECRET, 'session', 'encrypt', webBackend)
    const header = headerOf('encrypt', kid)
    const headerB64 = base64url.encode(JSON.stringify(header))
    const rest = await webBackend.seal('encrypt', key, headerB64, encoder.encode('{}'))
    const [, iv, body, tag] = rest.split('.')
    const decrypt = vi.spyOn(crypto.subtle, 'decrypt')
    try {
      for (const bad of [
        `AAAA.${iv}.${body}.${tag}`,
        `.${iv!.slice(4)}.${body}.${tag}`,
        `.${iv}AAAA.${body}.${tag}`,
        `.${iv}.${body}.${tag!.slice(4)}`,
        `.${iv}.${body}`,
      ]) {
        expect(await webBackend.open('encrypt', key, headerB64, bad)).toBeUndefined()
      }
      expect(decrypt).not.toHaveBeenCalled()
      expect(await webBackend.open('encrypt', key, headerB64, `.${iv}.${body}.${tag}`)).toEqual(encoder.encode('{}'))
      expect(decrypt).toHaveBeenCalledTimes(1)
    } finally {
      decrypt.mockRestore()
    }
  })

  it('every seal draws a fresh 96-bit IV', async () => {
    const { key, kid } = await deriveKey(SECRET, 'session', 'encrypt', webBackend)
    const header = headerOf('encrypt', kid)
    const headerB64 = base64url.encode(JSON.stringify(header))
    const ivs = new Set<string>()
    for (let i = 0; i < 200; i++) {
      const iv = (await webBackend.seal('encrypt', key, headerB64, encoder.encode('{}'))).split('.')[1]!
      expect(base64url.decode(iv)).toHaveLength(12)
      ivs.add(iv)
    }
    expect(ivs.size).toBe(200)
  })
})
