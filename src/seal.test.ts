import { describe, expect, it } from 'vitest'
import * as base64url from 'jose/base64url'
import { headerSegment, type SealMeta } from './seal.js'
import { asciiBase64url } from './utf8.js'
import { nodeBackend } from './node/backend.js'

const encoder = new TextEncoder()
const viaJose = (text: string) => base64url.encode(encoder.encode(text))

describe('the protected header, written as text', () => {
  it('asciiBase64url is base64url of the bytes for every length and every ASCII character', () => {
    const ascii = Array.from({ length: 128 }, (_, i) => String.fromCharCode(i)).join('')
    for (let n = 0; n <= 130; n++) {
      const text = (ascii + ascii).slice(n % 128, (n % 128) + n)
      expect(asciiBase64url(text)).toBe(viaJose(text))
    }
    expect(asciiBase64url('{"alg":"dir"}')).toBe('eyJhbGciOiJkaXIifQ')
  })

  it("the node:crypto backend's native asciiBase64url gives the same for every length and every ASCII character", () => {
    const ascii = Array.from({ length: 128 }, (_, i) => String.fromCharCode(i)).join('')
    const native = nodeBackend.asciiBase64url!
    for (let n = 0; n <= 130; n++) {
      const text = (ascii + ascii).slice(n % 128, (n % 128) + n)
      expect(native(text)).toBe(asciiBase64url(text))
    }
    expect(native('{"alg":"dir"}')).toBe('eyJhbGciOiJkaXIifQ')
  })

  it('headerSegment is the base64url of JSON.stringify of the header, every field combination, both modes', () => {
    const spill = 'A'.repeat(42) + 'g'
    let checked = 0
    for (const mode of ['encrypt', 'sign'] as const)
      for (const created of [undefined, 0, 1764590400])
        for (const compressed of [false, true])
          for (const version of [undefined, 0, 7, 1_000_000])
            for (const s of [undefined, spill]) {
              const meta: SealMeta = { kid: 'aB3_-9', iat: 1764590400, exp: 1767182400, created, compressed, version }
              if (s !== undefined) meta.spill = s
              const header: Record<string, string | number> =
                mode === 'encrypt' ? { alg: 'dir', enc: 'A256GCM' } : { alg: 'HS256' }
              Object.assign(header, { kid: meta.kid, iat: meta.iat, exp: meta.exp })
              if (created !== undefined) header['ct'] = created
              if (compressed) header['z'] = 1
              if (version !== undefined) header['v'] = version
              if (s !== undefined) header['s'] = s
              expect(headerSegment(mode, meta)).toBe(viaJose(JSON.stringify(header)))
              expect(headerSegment(mode, meta, nodeBackend.asciiBase64url)).toBe(viaJose(JSON.stringify(header)))
              checked++
            }
    expect(checked).toBe(96)
  })
})
