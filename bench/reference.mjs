// The reference for a sealed cookie on Node, shared by bench/adapters.mjs (encode/decode) and the
// benchmark server's reference routes: one JSON round trip and one synchronous AES-256-GCM JWE
// (compact, `dir`, the same token shape as next-cookieman's) with node:crypto, and nothing else: no
// budget, no claims, no unchanged check, no Set-Cookie line of its own. What a seal cannot go below
// on this runtime.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto'

const HEADER = Buffer.from(JSON.stringify({ alg: 'dir', enc: 'A256GCM' })).toString('base64url')

export function referenceSeal(secret) {
  const key = createHash('sha256').update(secret).digest()
  return {
    seal(data) {
      const iv = randomBytes(12)
      const cipher = createCipheriv('aes-256-gcm', key, iv)
      cipher.setAAD(Buffer.from(HEADER))
      const ciphertext = Buffer.concat([cipher.update(JSON.stringify(data)), cipher.final()])
      return `${HEADER}..${iv.toString('base64url')}.${ciphertext.toString('base64url')}.${cipher.getAuthTag().toString('base64url')}`
    },
    open(token) {
      const [header, , iv, ciphertext, tag] = token.split('.')
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'))
      decipher.setAAD(Buffer.from(header))
      decipher.setAuthTag(Buffer.from(tag, 'base64url'))
      const plain = Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()])
      return JSON.parse(plain.toString())
    },
  }
}

/**
 * The reference's cookies on the server: the token cut into values of at most `bytes` characters,
 * named `${name}.0`, `${name}.1`, ... (what any chunking layer does, with nothing to measure).
 */
export const REFERENCE_CHUNK_BYTES = 3900
export function referenceChunks(name, token, bytes = REFERENCE_CHUNK_BYTES) {
  const out = []
  for (let i = 0; i * bytes < token.length; i++)
    out.push({ name: `${name}.${i}`, value: token.slice(i * bytes, (i + 1) * bytes) })
  return out
}
/** The token back from a Cookie header holding `${name}.0` ... in any order; undefined without `.0`. */
export function referenceToken(name, cookieHeader) {
  const parts = []
  const prefix = `${name}.`
  for (const pair of (cookieHeader ?? '').split('; ')) {
    if (!pair.startsWith(prefix)) continue
    const eq = pair.indexOf('=')
    const index = Number(pair.slice(prefix.length, eq))
    if (Number.isInteger(index) && index >= 0) parts[index] = pair.slice(eq + 1)
  }
  return parts[0] === undefined ? undefined : parts.join('')
}
