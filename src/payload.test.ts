import { base64url } from 'jose'
import { describe, expect, it } from 'vitest'
import { freezeClock } from './test-support/clock.js'
import { webBackend, type SealBackend } from './backend.js'
import { createCookieman } from './create.js'
import { PayloadEncoder } from './payload.js'
import { CHROME_UA, Jar, SECRET } from './test-support/jar.js'
import { commit, make, NOW, skus } from './test-support/engine.js'

// The plaintext a session seals as (payload.ts, seal.ts): sign or encrypt, deflated when that helps.

freezeClock(NOW)

describe('modes', () => {
  it('sign mode is compressed only when asked', async () => {
    for (const [compress, z] of [
      [undefined, '2'],
      [true, '3'],
    ] as const) {
      const { cm } = make({ mode: 'sign', ...(compress !== undefined && { compress }) })
      const jar = new Jar(CHROME_UA)
      await commit(cm, jar, (d) => (d.cart = skus(100)))
      expect(jar.cookies.get('session')!.split('.')[5]).toBe(z) // flags: 2 the age field follows, + 1 deflated
      expect((await cm.decodeSession(jar.headers())).data.cart).toEqual(skus(100))
    }
  })

  it.each(['sign', 'encrypt'] as const)(
    '%s mode by default: the cookie length says nothing about a guess of a secret beside attacker data',
    async (mode) => {
      // A network observer sees lengths only. With compression, a guess that repeats the token
      // deflates shorter: the length is an oracle. Without it, every guess of one length weighs the same.
      const lengthWith = async (options: { compress?: boolean }, guess: string) => {
        const { cm } = make({ mode, ...options })
        const jar = new Jar(CHROME_UA)
        await commit(cm, jar, (d) => (d.recent = ['token=k7Qz9XwP4rLm2VbN', `search=${guess}`]))
        return jar.header().length
      }
      const right = 'token=k7Qz9XwP4rLm2VbN'
      const wrong = 'token=Hd3sJq8TfYc6GuEa'
      expect(await lengthWith({}, right)).toBe(await lengthWith({}, wrong))
      expect(await lengthWith({ compress: true }, right)).toBeLessThan(await lengthWith({ compress: true }, wrong))
    },
  )

  it('sign mode without compression carries base64url JSON', async () => {
    const { cm } = make({ mode: 'sign', compress: false })
    const jar = new Jar(CHROME_UA)
    await commit(cm, jar, (d) => d.cart.push('readable'))
    // v1 . count . kid . iat . exp . flags . age . payload . signature
    const payload = jar.cookies.get('session')!.split('.')[7]!
    expect(JSON.parse(new TextDecoder().decode(base64url.decode(payload)))).toEqual({ cart: ['readable'], recent: [] })
  })

  it('encrypt mode hides the data', async () => {
    const { cm } = make()
    const jar = new Jar(CHROME_UA)
    await commit(cm, jar, (d) => d.cart.push('secret-sku'))
    expect(jar.header()).not.toContain('secret-sku')
    for (const part of jar.cookies
      .get('session')!
      .split('.')
      .filter((p) => p.length % 4 !== 1)) {
      expect(new TextDecoder('latin1').decode(base64url.decode(part))).not.toContain('secret-sku')
    }
  })

  it('tiny sessions are stored uncompressed even when compression is on', async () => {
    // deflate-raw of the 10 bytes {"k":"Zq"} is 12 bytes.
    const cm = createCookieman<{ k?: string }>({ secret: SECRET, compress: true })
    const jar = new Jar(CHROME_UA)
    const s = await cm.decodeSession(jar.headers())
    s.data.k = 'Zq'
    jar.apply((await cm.encodeSession(s, jar.headers())).setCookie)
    expect(jar.cookies.get('session')!.split('.')[5]).toBe('2')
    expect((await cm.decodeSession(jar.headers())).data).toEqual({ k: 'Zq' })
  })

  it('compression stores a larger session in fewer chunks', async () => {
    const plain = make({ limits: { maxCookieHeaderBytes: 65536 } })
    const packed = make({ compress: true, limits: { maxCookieHeaderBytes: 65536 } })
    const a = new Jar(CHROME_UA)
    const b = new Jar(CHROME_UA)
    const cart = skus(1500)
    const ra = await commit(plain.cm, a, (d) => (d.cart = cart))
    const rb = await commit(packed.cm, b, (d) => (d.cart = cart))
    expect(ra.report.chunks).toBe(14)
    expect(rb.report.chunks).toBe(2)
    expect((await packed.cm.decodeSession(b.headers())).data.cart).toEqual(cart)
  })
})

describe('PayloadEncoder', () => {
  it('deflates each of the last two texts once: a shrink search ends on the state checked before last', async () => {
    const deflated: string[] = []
    const backend: SealBackend = {
      ...webBackend,
      deflateRaw(bytes) {
        deflated.push(new TextDecoder().decode(bytes))
        return webBackend.deflateRaw(bytes)
      },
    }
    const encoder = new PayloadEncoder(backend)
    const [a, b, c] = ['a', 'b', 'c'].map((x) => JSON.stringify({ k: x.repeat(200) }))
    const sizeA = await encoder.measure(a!, 210)
    await encoder.measure(b!, 210)
    expect(await encoder.measure(a!, 210)).toEqual(sizeA)
    expect((await encoder.deflated(b!)).plaintext.length).toBe(sizeA.bytes)
    expect(deflated).toEqual([a, b])
    await encoder.measure(c!, 210)
    await encoder.deflated(a!) // two texts later: deflated again
    expect(deflated).toEqual([a, b, c, a])
  })
})
