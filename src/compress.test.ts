import { describe, expect, it } from 'vitest'
import { createCookieman } from './create.js'
import { deflateRaw, inflateRaw } from './compress.js'
import { deriveKey } from './keys.js'
import { seal } from './seal.js'
import { SECRET } from './test-support/jar.js'

const encoder = new TextEncoder()

describe('deflate-raw', () => {
  it('round-trips', async () => {
    const input = encoder.encode(JSON.stringify({ list: Array.from({ length: 500 }, (_, i) => `item-${i}`) }))
    const packed = await deflateRaw(input)
    expect(packed.length).toBeLessThan(input.length / 3)
    expect(await inflateRaw(packed, input.length)).toEqual(input)
  })

  it('stops at the cap: one byte over gives undefined', async () => {
    const input = new Uint8Array(100_000)
    const packed = await deflateRaw(input)
    expect(await inflateRaw(packed, 100_000)).toEqual(input)
    expect(await inflateRaw(packed, 99_999)).toBeUndefined()
  })

  it('interoperates with zlib deflate-raw both ways, on varied text', async () => {
    const { deflateRawSync, inflateRawSync } = await import('node:zlib')
    const text = Array.from({ length: 30000 }, (_, i) => `item-${(i * 7919) % 100003}-${i % 17}`).join(',')
    const bytes = encoder.encode(text)
    const packed = await deflateRaw(bytes)
    expect(new TextDecoder().decode(inflateRawSync(packed))).toBe(text)
    expect(new TextDecoder().decode(await inflateRaw(deflateRawSync(bytes), bytes.length))).toBe(text)
    expect(await inflateRaw(packed, bytes.length - 1)).toBeUndefined()
  })

  it('throws on a corrupt stream', async () => {
    await expect(inflateRaw(new Uint8Array([0xff, 0xff, 0xff, 0xff]), 1000)).rejects.toThrow()
  })
})

describe('decompression bomb', () => {
  it('an authentic token that inflates past maxInflatedBytes is refused with ERR_SESSION_TOO_LARGE', async () => {
    // 64 MiB of JSON whitespace deflates to ~64 KB: sealed with the real key, so only the cap stops it.
    const bomb = await deflateRaw(encoder.encode('{"a":' + ' '.repeat(64 * 1024 * 1024) + '1}'))
    expect(bomb.length).toBeLessThan(70_000)
    for (const mode of ['sign', 'encrypt'] as const) {
      const errors: string[] = []
      const cm = createCookieman({ secret: SECRET, mode, compress: true, onError: (e) => errors.push(e.code) })
      const key = await deriveKey(SECRET, 'session', mode)
      const now = Math.floor(Date.now() / 1000)
      const wire = await seal(
        mode,
        key,
        { kid: key.kid, iat: now, exp: now + 60, created: now, compressed: true },
        bomb,
      )
      const s = await cm.decodeSession(new Headers({ cookie: `session=v1.1.${wire}` }))
      expect(s.isNew).toBe(true)
      expect(s.error?.code).toBe('ERR_SESSION_TOO_LARGE')
      expect(errors).toEqual(['ERR_SESSION_TOO_LARGE'])
    }
  })

  it('an authentic token just under the cap opens', async () => {
    const json = '{"a":"' + 'x'.repeat(2000) + '"}'
    const cm = createCookieman({ secret: SECRET, mode: 'sign', limits: { maxInflatedBytes: json.length } })
    const key = await deriveKey(SECRET, 'session', 'sign')
    const now = Math.floor(Date.now() / 1000)
    const packed = await deflateRaw(encoder.encode(json))
    const wire = await seal(
      'sign',
      key,
      { kid: key.kid, iat: now, exp: now + 60, created: now, compressed: true },
      packed,
    )
    const s = await cm.decodeSession(new Headers({ cookie: `session=v1.1.${wire}` }))
    expect(s.error).toBeUndefined()
    expect(s.data).toEqual({ a: 'x'.repeat(2000) })
  })

  it('data whose JSON is over the cap counts as not fitting at commit, so no stored session is unreadable', async () => {
    const cm = createCookieman<{ a?: string; b?: string }>({
      secret: SECRET,
      compress: true,
      limits: { maxInflatedBytes: 4096, maxCookieHeaderBytes: 65536 },
    })
    const s = await cm.decodeSession(new Headers())
    // Compresses to almost nothing, but 5,000 bytes of JSON are over the 4,096-byte cap.
    s.data.a = 'a'.repeat(5000)
    s.data.b = 'b'
    const { report } = await cm.encodeSession(s, new Headers())
    expect(report.droppedKeys).toEqual(['a'])
    expect(s.data).toEqual({ b: 'b' })
  })
})
