import * as base64url from 'jose/base64url'
import { webBackend, type Mode, type SealBackend } from './backend.js'

/** A secret turned into a key, with the identifier the token carries to pick it on read. */
export interface SealingKey {
  kid: string
  /** The backend's key object (a CryptoKey for `web`, a KeyObject for `node`). */
  key: unknown
  backend: SealBackend
}

const encoder = new TextEncoder()
export const KID_LENGTH = 4 // 3 bytes of HKDF output, 4 base64url characters

async function hkdf(secret: string, salt: string, info: string, bits: number): Promise<ArrayBuffer> {
  const ikm = await crypto.subtle.importKey('raw', encoder.encode(secret), 'HKDF', false, ['deriveBits'])
  return crypto.subtle.deriveBits(
    { name: 'HKDF', hash: 'SHA-256', salt: encoder.encode(salt), info: encoder.encode(info) },
    ikm,
    bits,
  )
}

/**
 * Derives the key for one secret (RFC 5869 HKDF-SHA-256, the cookie name as salt, the mode in the
 * info so a signing key never doubles as an encryption key). The `kid` comes from a separate HKDF
 * output, so it says nothing about the key itself. Every backend derives the same bytes.
 */
export async function deriveKey(
  secret: string,
  cookieName: string,
  mode: Mode,
  backend: SealBackend = webBackend,
): Promise<SealingKey> {
  const [material, kidBits] = await Promise.all([
    hkdf(secret, cookieName, `next-cookieman/v1/${mode}`, 256),
    hkdf(secret, cookieName, 'next-cookieman/v1/kid', 24),
  ])
  const key = await backend.importKey(mode, new Uint8Array(material))
  return { kid: base64url.encode(new Uint8Array(kidBits)), key, backend }
}

/** Derives every secret's key once; the first one seals. */
export function deriveKeys(
  secrets: readonly string[],
  cookieName: string,
  mode: Mode,
  backend: SealBackend = webBackend,
): Promise<SealingKey[]> {
  return Promise.all(secrets.map((s) => deriveKey(s, cookieName, mode, backend)))
}
