import { describe, expect, it, vi } from 'vitest'
import { createCookieman } from './create.js'
import { SECRET } from './test-support/jar.js'
import { freezeClock } from './test-support/clock.js'
import { encodeProfile, PROFILE_HEADER } from './browsers/profile-header.js'
import { profileFor } from './browsers/user-agent.js'
import { CHROME_UA, FIREFOX_UA, IE11_UA, Jar } from './test-support/jar.js'
import { type Cart, commit, make, NOW, skus } from './test-support/engine.js'

// The budget (budget.ts) as a commit meets it: the other cookies, the browser's limits, the
// forwarded profile and user overrides. budget.test.ts covers the arithmetic alone.

freezeClock(NOW)

describe('budget', () => {
  it('never exceeds the Cookie header budget, counting the other cookies', async () => {
    const { cm } = make()
    const jar = new Jar(CHROME_UA, { a: 'x'.repeat(1000), b: 'y'.repeat(2000) })
    const { report } = await commit(cm, jar, (d) => (d.cart = skus(1000)))
    expect(report.shrunk).toBe(true)
    expect(report.budget.available).toBe(8192 - 512 - 10 - (1002 + 2) - (2002 + 2))
    expect('Cookie: '.length + jar.header().length + 2 + 512).toBeLessThanOrEqual(8192)
    expect(report.bytes + 2 * report.chunks).toBeLessThanOrEqual(report.budget.available)
  })

  it('uses the RFC 6265 minimum for unknown agents: 4096 bytes including attributes', async () => {
    const { cm } = make({ limits: { maxCookieHeaderBytes: 65536 } })
    const jar = new Jar('')
    const { report } = await commit(cm, jar, (d) => (d.cart = skus(600)))
    const attributes = '; Max-Age=1209600; Path=/; HttpOnly; Secure; SameSite=Lax'.length
    expect(report.budget).toEqual({
      perCookie: 4096 - 1 - attributes,
      cookies: 50,
      headerBytes: 65536,
      available: 65536 - 512 - 10,
      source: 'rfc6265',
      responseHeadBytes: 65536,
      responseAvailable: 65536 - 1024,
      fronts: ['node'],
      limit: { by: 'response-head', source: 'rfc6265', capacity: report.budget.limit.capacity },
    })
    // The 64 KiB head less 1,024 reserved binds before 50 cookies: 16 lines `Set-Cookie: NAME=VALUE<attributes>` + CRLF.
    const names = Array.from({ length: 16 }, (_, i) => (i === 0 ? 'session' : `session.${i}`).length)
    const lines = 16 * ('Set-Cookie: '.length + 1 + attributes + 2) + names.reduce((a, b) => a + b)
    expect(report.budget.limit.capacity).toBe(65536 - 1024 - lines - 'v1.16.'.length)
    for (const [name, value] of jar.cookies) {
      expect(name.length + 1 + value.length + attributes).toBeLessThanOrEqual(4096)
    }
  })

  const popTwenty = (d: Partial<Cart>) => {
    d.cart?.splice(-20, 20)
    return d
  }

  it('respects the per-host cookie count with the other cookies present', async () => {
    const { cm } = make({ limits: { maxCookieHeaderBytes: 1 << 20 } })
    cm.register('cart', popTwenty)
    const initial = Object.fromEntries(Array.from({ length: 47 }, (_, i) => [`c${i}`, '1']))
    const jar = new Jar(IE11_UA, initial)
    const { report } = await commit(cm, jar, (d) => (d.cart = skus(2000)))
    expect(report.budget.cookies).toBe(50)
    expect(report.chunks).toBe(3)
    expect(jar.cookies.size).toBe(50)
  })

  it('respects the response-head limit of the browser', async () => {
    const { cm } = make({ limits: { maxCookieHeaderBytes: 1 << 20 } })
    cm.register('cart', popTwenty)
    const jar = new Jar(
      'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Safari/605.1.15',
    )
    const { setCookie, report } = await commit(cm, jar, (d) => (d.cart = skus(8000)))
    expect(report.budget.source).toBe('webkitgtk')
    const head = setCookie.reduce((n, line) => n + 'Set-Cookie: '.length + line.length + 2, 0)
    // 64,512 bytes of Set-Cookie lines at most (1,024 kept for the other headers); one 4,096-byte chunk more would not have fitted.
    expect(head).toBeLessThanOrEqual(65536 - 1024)
    expect(head).toBeGreaterThan(65536 - 1024 - 4096 - 100)
    expect(report.chunks).toBe(16)
    expect(report.budget.limit).toMatchObject({ by: 'response-head', source: 'webkitgtk' })
    expect(report.trimmedKeys).toEqual(['cart'])
  })

  it('caps partitioned cookies at 10,240 bytes in Chromium', async () => {
    const { cm } = make({ cookie: { partitioned: true }, limits: { maxCookieHeaderBytes: 65536 } })
    cm.register('cart', popTwenty)
    const jar = new Jar(CHROME_UA)
    await commit(cm, jar, (d) => (d.cart = skus(2000)))
    const bytes = [...jar.cookies].reduce((n, [k, v]) => n + k.length + v.length, 0)
    expect(bytes).toBeLessThanOrEqual(10240)
    expect(bytes).toBeGreaterThan(10240 - 20 * 27 * 2)
    expect(jar.cookies.size).toBe(3)
  })

  it('a forwarded profile header picks a database entry; an unknown id falls back to the User-Agent', async () => {
    const { cm } = make()
    const forwarded = encodeProfile(profileFor(IE11_UA))
    expect(forwarded).toBe('trident;IE;11.0;Trident')
    expect(cm.profile(new Headers({ 'user-agent': CHROME_UA, [PROFILE_HEADER]: forwarded })).entry.id).toBe('trident')
    expect(cm.profile(new Headers({ 'user-agent': FIREFOX_UA, [PROFILE_HEADER]: 'nope;X;1;Y' })).entry.id).toBe('gecko')
    expect(cm.profile(new Headers({ 'user-agent': FIREFOX_UA, [PROFILE_HEADER]: '%E0%A4%A' })).entry.id).toBe('gecko')
  })

  it('user overrides change the budget', async () => {
    const { cm } = make({ limits: { browsers: { blink: { perCookie: 2000 } } } })
    const jar = new Jar(CHROME_UA)
    const { report } = await commit(cm, jar, (d) => (d.cart = skus(150)))
    expect(report.budget.perCookie).toBe(2000)
    for (const [name, value] of jar.cookies) expect(name.length + value.length).toBeLessThanOrEqual(2000)
  })

  it('behind the default stock nginx: one chunk, bound by its response head, and a development warning says what to raise', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    try {
      const cm = createCookieman<Cart>({ secret: SECRET, defaults: () => ({ cart: [], recent: [] }) })
      cm.register('cart', (d) => (d.cart?.splice(-20, 20), d))
      const jar = new Jar(CHROME_UA)
      const { report, setCookie } = await commit(cm, jar, (d) => (d.cart = skus(400)))
      expect(report.chunks).toBe(1)
      expect(report.budget).toMatchObject({
        headerBytes: 8192,
        responseHeadBytes: 4095,
        responseAvailable: 4095 - 1024,
        fronts: ['nginx', 'node'],
        limit: { by: 'response-head', source: 'nginx' },
      })
      const head = setCookie.reduce((n, line) => n + 'Set-Cookie: '.length + line.length + 2, 0)
      expect(head).toBeLessThanOrEqual(4095 - 1024)
      expect(warn).toHaveBeenCalledTimes(1)
      expect(warn.mock.calls[0]![0]).toBe(
        `next-cookieman: the session was trimmed (cart) to fit the response head limit of nginx: ${report.budget.limit.capacity} bytes of sealed session fit this request. If your nginx 1.22 (stock) allows more (large_client_header_buffers 4 16k; proxy_buffer_size 16k; proxy_buffers 8 16k; (and http2_max_field_size / http2_max_header_size on nginx < 1.19.7)), say so: limits.fronts: [{ id: 'nginx', responseHeadBytes: … }] (or limits.maxResponseHeaderBytes).`,
      )
      // Once per limit and instance.
      await commit(cm, jar, (d) => (d.cart = skus(500)))
      expect(warn).toHaveBeenCalledTimes(1)
    } finally {
      warn.mockRestore()
    }
  })

  it('says nothing in production', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    vi.stubEnv('NODE_ENV', 'production')
    try {
      const cm = createCookieman<Cart>({ secret: SECRET, defaults: () => ({ cart: [], recent: [] }) })
      cm.register('cart', (d) => (d.cart?.splice(-20, 20), d))
      const { report } = await commit(cm, new Jar(CHROME_UA), (d) => (d.cart = skus(400)))
      expect(report.shrunk).toBe(true)
      expect(warn).not.toHaveBeenCalled()
    } finally {
      vi.unstubAllEnvs()
      warn.mockRestore()
    }
  })

  it('the default headroom holds one full cookie behind nginx: a later cookie of 4,096 bytes still gets through', async () => {
    // The response head raised, so that nginx's 8,192-byte Cookie line binds.
    const cm = createCookieman<Cart>({
      secret: SECRET,
      defaults: () => ({ cart: [], recent: [] }),
      limits: { fronts: [{ id: 'nginx', responseHeadBytes: 16384 }] },
    })
    cm.register('cart', (d) => (d.cart?.splice(-1, 1), d))
    for (const others of [{}, { theme: 'dark', consent: 'c'.repeat(900) }]) {
      const jar = new Jar(CHROME_UA, others)
      const { report } = await commit(cm, jar, (d) => (d.cart = skus(400)))
      expect(report.shrunk).toBe(true)
      expect(report.budget.limit).toMatchObject({ by: 'cookie-header', source: 'nginx' })
      // Filled to the byte: one more sku would not have fitted.
      jar.cookies.set('later', 'x'.repeat(4096 - 'later'.length))
      expect('Cookie: '.length + jar.header().length + '\r\n'.length).toBeLessThanOrEqual(8192)
      expect('Cookie: '.length + jar.header().length + '\r\n'.length).toBeGreaterThan(8192 - 40)
    }
  })

  it('the warning names the limit to raise: a whole-head limit behind HAProxy', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    try {
      const cm = createCookieman<Cart>({
        secret: SECRET,
        defaults: () => ({ cart: [], recent: [] }),
        limits: { fronts: ['haproxy'] },
      })
      cm.register('cart', (d) => (d.cart?.splice(-20, 20), d))
      const { report } = await commit(cm, new Jar(CHROME_UA), (d) => (d.cart = skus(1000)))
      expect(report.budget.limit).toMatchObject({ by: 'cookie-header', source: 'haproxy' })
      expect(warn.mock.calls[0]![0]).toContain("limits.fronts: [{ id: 'haproxy', requestHeadBytes: … }]")
    } finally {
      warn.mockRestore()
    }
  })
})
