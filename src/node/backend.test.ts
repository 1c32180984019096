import { randomBytes } from 'node:crypto'
import { deflateRawSync } from 'node:zlib'
import { compactDecrypt, compactVerify } from 'jose'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { webBackend, type Mode, type SealBackend } from '../backend.js'
import { createCookieman as createWeb } from '../create.js'
import { deriveKey } from '../keys.js'
import { canonicalSegment, open, seal, type SealMeta } from '../seal.js'
import { utf8Length } from '../utf8.js'
import { canonicalBytes, nodeBackend } from './backend.js'
import { createCookieman as createNode } from './index.js'

// The Node entry seals with node:crypto, the default entry (Edge, Workers) with Web Crypto and jose: a session
// written by one must open with the other, because a proxy on Edge and a route on Node read the
// same cookies, and a deploy can move an app between runtimes.
const SECRET = 'node-backend-secret-0123456789-abcdefgh'
const encoder = new TextEncoder()
const decoder = new TextDecoder()
const now = Math.floor(Date.now() / 1000)
const BACKENDS: Array<[string, SealBackend, SealBackend]> = [
  ['node -> web', nodeBackend, webBackend],
  ['web -> node', webBackend, nodeBackend],
]
const MODES: Mode[] = ['encrypt', 'sign']

describe.each(BACKENDS)('tokens are interchangeable: %s', (_label, writer, reader) => {
  it.each(MODES)('%s: the reader opens what the writer sealed, and the same key id is derived', async (mode) => {
    const w = await deriveKey(SECRET, 'session', mode, writer)
    const r = await deriveKey(SECRET, 'session', mode, reader)
    expect(w.kid).toBe(r.kid)
    for (const text of ['', '{}', '{"a":"é ✓ 𝄞"}', JSON.stringify({ x: 'y'.repeat(9000) })]) {
      for (const compressed of [false, true]) {
        const meta: SealMeta = { kid: w.kid, iat: now, exp: now + 60, created: now, compressed }
        const plaintext = compressed ? await writer.deflateRaw(encoder.encode(text)) : encoder.encode(text)
        const wire = await seal(mode, w, meta, plaintext)
        const opened = await open(mode, [r], wire)
        expect(opened.ok).toBe(true)
        if (!opened.ok) continue
        expect(opened.meta).toEqual(meta)
        const bytes = compressed ? await reader.inflateRaw(opened.plaintext, 1 << 20) : opened.plaintext
        expect(decoder.decode(bytes)).toBe(text)
      }
    }
  })

  it.each(MODES)('%s: a changed character fails verification on the reader', async (mode) => {
    const w = await deriveKey(SECRET, 'session', mode, writer)
    const r = await deriveKey(SECRET, 'session', mode, reader)
    const wire = await seal(
      mode,
      w,
      { kid: w.kid, iat: now, exp: now + 60, created: now, compressed: false },
      encoder.encode('{"a":1}'),
    )
    // Flip one payload character to another canonical one (the last characters carry padding bits).
    const i = wire.length - 30
    const flipped = wire.slice(0, i) + (wire[i] === 'A' ? 'B' : 'A') + wire.slice(i + 1)
    expect(await open(mode, [r], flipped)).toEqual({ ok: false, reason: 'verification' })
    const other = await deriveKey(SECRET + '!', 'session', mode, reader)
    expect(await open(mode, [{ ...other, kid: w.kid }], wire)).toEqual({ ok: false, reason: 'verification' })
  })

  it('whole sessions: a commit of one engine reads back in the other, compressed or not', async () => {
    const make = (backend: SealBackend, compress: boolean) =>
      (backend === nodeBackend ? createNode : createWeb)<{ cart?: string[] }>({
        secret: SECRET,
        compress,
        limits: { fronts: ['node'], maxCookieHeaderBytes: 65536 },
      })
    for (const compress of [false, true]) {
      const cm = make(writer, compress)
      const s = await cm.decodeSession(new Headers())
      s.data.cart = Array.from({ length: 900 }, (_, i) => `sku-${i}`)
      const { cookies, report } = await cm.encodeSession(s, new Headers())
      // 8,900 bytes of JSON: 11,867 of base64url over 4,096-byte cookies (no User-Agent: RFC 6265 minimum).
      expect(report.chunks).toBe(compress ? 1 : 3)
      const back = await make(reader, compress).decodeSession(
        new Headers({ cookie: cookies.map((c) => `${c.name}=${c.value}`).join('; ') }),
      )
      expect(back.error).toBeUndefined()
      expect(back.data.cart).toEqual(s.data.cart)
    }
  })
})

describe('node backend', () => {
  it('decides canonical base64url exactly as the shared regular expressions do', () => {
    // With what Buffer's decoder skips or misreads: padding, `+` and `/`, whitespace, a NUL, Latin-1
    // and characters whose low byte is in the alphabet (U+0141, U+012D), a lone surrogate.
    const alphabet =
      'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=+/ .%\t\n\u0000\u00c1\u0141\u012d\ud800'.split(
        '',
      )
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...alphabet), { maxLength: 40 }), (chars) => {
        const segment = chars.join('')
        expect(canonicalBytes(segment) !== undefined).toBe(canonicalSegment(segment))
      }),
      { numRuns: 20_000 },
    )
    for (const s of [
      '',
      'AA',
      'AB',
      'AAE',
      'AAB',
      'A',
      'AA==',
      'a-_b',
      'AA=A',
      'AAA=',
      '\u0141AAA',
      'AAA\u0141',
      'AB\tCD',
    ]) {
      expect(canonicalBytes(s) !== undefined).toBe(canonicalSegment(s))
    }
  })

  it("the node:crypto backend's native utf8Length counts as utf8Length does: every width, surrogate pairs, lone surrogates", () => {
    const native = nodeBackend.utf8Length!
    const cases: Array<[string, number]> = [
      ['', 0],
      ['{"a":1}', 7],
      ['é', 2],
      ['\u0800', 3],
      ['\uffff', 3],
      ['\ud83d\ude00', 4],
      ['a\ud800', 4],
      ['\udc00b', 4],
      ['\ud800\ud800', 6],
      ['\udbff\udfff\ud800', 7],
    ]
    for (const [text, bytes] of cases) {
      expect(utf8Length(text)).toBe(bytes)
      expect(native(text)).toBe(bytes)
    }
    // Every code unit, alone and after each kind of neighbour.
    for (let c = 0; c < 0x10000; c += 7) {
      for (const before of ['', 'x', '\u00e9', '\ud800', '\udc00']) {
        const text = before + String.fromCharCode(c) + 'y'
        expect(native(text)).toBe(utf8Length(text))
      }
    }
  })

  it('opens no token whose long segment is spelled other than canonically (the bytes it decodes to would verify)', async () => {
    for (const mode of MODES) {
      const { key } = await deriveKey(SECRET, 'session', mode, nodeBackend)
      const header = mode === 'encrypt' ? { alg: 'dir', enc: 'A256GCM' } : { alg: 'HS256' }
      const headerB64 = Buffer.from(JSON.stringify(header)).toString('base64url')
      // 2 KB of random text: its ~2,700 base64url characters lack both `-` and `_` with odds of 1 in 10^37.
      const json = JSON.stringify({ text: randomBytes(1536).toString('latin1') })
      const rest = await nodeBackend.seal(mode, key, headerB64, encoder.encode(json))
      expect(new TextDecoder().decode(await nodeBackend.open(mode, key, headerB64, rest))).toBe(json)
      const parts = rest.split('.')
      const long = mode === 'encrypt' ? 2 : 0
      const segment = parts[long]!
      // Buffer's decoder skips `%` and takes `+` and `/` for `-` and `_`: the same bytes, spelled otherwise.
      const plusSlash = segment.replaceAll('-', '+').replaceAll('_', '/')
      expect(plusSlash).not.toBe(segment)
      for (const spelling of [`${segment.slice(0, 4)}%${segment.slice(4)}`, plusSlash]) {
        expect(Buffer.from(spelling, 'base64url').equals(Buffer.from(segment, 'base64url'))).toBe(true)
        const altered = parts.map((p, i) => (i === long ? spelling : p)).join('.')
        expect(await nodeBackend.open(mode, key, headerB64, altered)).toBeUndefined()
      }
    }
  })

  it('writes standard compact tokens that jose opens with the header rebuilt', async () => {
    for (const mode of MODES) {
      const node = await deriveKey(SECRET, 'session', mode, nodeBackend)
      const web = await deriveKey(SECRET, 'session', mode, webBackend)
      const header = {
        alg: mode === 'encrypt' ? 'dir' : 'HS256',
        ...(mode === 'encrypt' ? { enc: 'A256GCM' } : {}),
        kid: node.kid,
      }
      const headerB64 = Buffer.from(JSON.stringify(header)).toString('base64url')
      const rest = await nodeBackend.seal(mode, node.key, headerB64, encoder.encode('{"hello":"world"}'))
      const token = `${headerB64}.${rest}`
      const payload =
        mode === 'encrypt'
          ? (await compactDecrypt(token, web.key as CryptoKey)).plaintext
          : (await compactVerify(token, web.key as CryptoKey)).payload
      expect(decoder.decode(payload)).toBe('{"hello":"world"}')
      expect(token.split('.')).toHaveLength(mode === 'encrypt' ? 5 : 3)
    }
  })

  it('inflates up to the cap exactly, refuses past it, throws on a corrupt stream', async () => {
    const input = encoder.encode('x'.repeat(100_000))
    const packed = await nodeBackend.deflateRaw(input)
    expect(await nodeBackend.inflateRaw(packed, 100_000)).toEqual(input)
    expect(await nodeBackend.inflateRaw(packed, 99_999)).toBeUndefined()
    await expect(nodeBackend.inflateRaw(packed.subarray(0, packed.length - 2), 1 << 20)).rejects.toThrow()
    await expect(nodeBackend.inflateRaw(new Uint8Array([0xff, 0xff, 0xff, 0xff]), 1000)).rejects.toThrow()
  })

  it('an authentic 64 MiB deflate bomb is refused with ERR_SESSION_TOO_LARGE, with bounded memory', async () => {
    const bomb = deflateRawSync(encoder.encode('{"a":' + ' '.repeat(64 * 1024 * 1024) + '1}'))
    const errors: string[] = []
    const cm = createNode({ secret: SECRET, compress: true, onError: (e) => errors.push(e.code) })
    const key = await deriveKey(SECRET, 'session', 'encrypt', nodeBackend)
    const wire = await seal(
      'encrypt',
      key,
      { kid: key.kid, iat: now, exp: now + 60, created: now, compressed: true },
      bomb,
    )
    const heap = process.memoryUsage().arrayBuffers
    const s = await cm.decodeSession(new Headers({ cookie: `session=v1.1.${wire}` }))
    expect(process.memoryUsage().arrayBuffers - heap).toBeLessThan(8 * 1024 * 1024)
    expect(s.isNew).toBe(true)
    expect(s.error?.code).toBe('ERR_SESSION_TOO_LARGE')
    expect(errors).toEqual(['ERR_SESSION_TOO_LARGE'])
  })
})
