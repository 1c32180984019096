import { METHOD_HEADER } from '../cross-site.js'
import { FLASH_HEADER } from '../flash.js'
import { describe, expect, it, vi } from 'vitest'
import { freezeClock } from '../test-support/clock.js'
import { PROFILE_HEADER } from '../browsers/profile-header.js'
import { REJECTED_HEADER, SPENT_HEADER } from '../request.js'
import { CHROME_UA, FIREFOX_UA, IE11_UA, Jar } from '../test-support/jar.js'
import { make, NOW, storeCart } from '../test-support/next.js'

vi.mock('next/headers.js', async () => {
  const { nextHeadersMock } = await import('../test-support/next.js')
  return nextHeadersMock
})

freezeClock(NOW)

describe('middleware', () => {
  const forwardedHeader = (res: Response, name: string) => res.headers.get(`x-middleware-request-${name}`)

  it('forwards the profile parsed from the User-Agent, replacing a client-sent one', async () => {
    const { cm } = make()
    const req = new Request('http://127.0.0.1/', {
      headers: { 'user-agent': FIREFOX_UA, [PROFILE_HEADER]: 'trident;IE;11.0;Trident' },
    })
    const res = await cm.middleware(req)
    expect(res.headers.get('x-middleware-next')).toBe('1')
    expect(forwardedHeader(res, PROFILE_HEADER)).toBe('gecko;Firefox;153.0;Gecko')
    expect(res.headers.get('x-middleware-override-headers')?.split(',')).toContain(PROFILE_HEADER)
    expect(forwardedHeader(res, 'user-agent')).toBe(FIREFOX_UA)
  })

  it('ignores the event argument Next passes as the second parameter', async () => {
    const { cm } = make()
    const req = new Request('http://127.0.0.1/', { headers: { 'user-agent': IE11_UA } })
    const res = await cm.middleware(req, { waitUntil: () => {} })
    expect(forwardedHeader(res, PROFILE_HEADER)).toBe('trident;IE;11.0;Trident')
  })

  it('deletes a planted stale chunk, in the response and in the forwarded request cookies', async () => {
    const { cm } = make()
    const jar = new Jar(CHROME_UA)
    await storeCart(cm, jar, 'a')
    jar.cookies.set('session.7', 'planted')
    jar.cookies.set('theme', 'dark')
    const res = await cm.middleware(new Request('http://127.0.0.1/', { headers: jar.headers() }))
    expect(res.headers.getSetCookie()).toEqual([
      'session.7=; Max-Age=0; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; Secure; SameSite=Lax',
      // Remembers what it deleted: should the same come back, it will not be deleted again.
      expect.stringMatching(/^session\.gone=[0-9a-z]+; Max-Age=86400; Path=\/; HttpOnly; Secure; SameSite=Lax$/),
    ])
    // No shared cache stores it.
    expect(res.headers.get('cache-control')).toBe('private, no-store')
    const forwardedCookie = forwardedHeader(res, 'cookie')!
    expect(forwardedCookie).not.toContain('session.7')
    expect(forwardedCookie).toContain('theme=dark')
    expect(forwardedCookie).toContain(`session=${jar.cookies.get('session')}`)
  })

  it('deletes orphan chunks when NAME is missing, and leaves look-alikes alone', async () => {
    const { cm } = make()
    const jar = new Jar(CHROME_UA, { 'session.1': 'x', 'session.2': 'y', 'session-id': 'keep', 'session.x': 'keep' })
    const res = await cm.middleware(new Request('http://127.0.0.1/', { headers: jar.headers() }))
    expect(res.headers.getSetCookie().map((c) => c.split('=')[0])).toEqual(['session.1', 'session.2', 'session.gone'])
  })

  it('writes nothing when there is nothing stale', async () => {
    const { cm } = make()
    const jar = new Jar(CHROME_UA, { other: '1' })
    const res = await cm.middleware(new Request('http://127.0.0.1/', { headers: jar.headers() }))
    expect(res.headers.getSetCookie()).toEqual([])
    expect(forwardedHeader(res, 'cookie')).toBe('other=1')
  })

  it('with rolling, re-issues the session after half of maxAge, to the response and the request', async () => {
    const { cm } = make({ rolling: true, maxAge: 1000 })
    const jar = new Jar(CHROME_UA)
    await storeCart(cm, jar, 'a')
    const before = jar.cookies.get('session')!

    vi.setSystemTime(NOW.getTime() + 400_000)
    let res = await cm.middleware(new Request('http://127.0.0.1/', { headers: jar.headers() }))
    expect(res.headers.getSetCookie()).toEqual([])

    vi.setSystemTime(NOW.getTime() + 501_000)
    res = await cm.middleware(new Request('http://127.0.0.1/', { headers: jar.headers() }))
    const lines = res.headers.getSetCookie()
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatch(/^session=v1\.1\..*; Max-Age=1000; Path=\/; HttpOnly; Secure; SameSite=Lax$/)
    const after = lines[0]!.slice('session='.length, lines[0]!.indexOf(';'))
    expect(after).not.toBe(before)
    expect(Number.parseInt(after.split('.')[4]!, 36)).toBe(NOW.getTime() / 1000 + 501 + 1000)
    expect(forwardedHeader(res, 'cookie')).toBe(`session=${after}`)
  })

  it('composing: headers an earlier proxy removed stay removed (every unlisted one)', async () => {
    const { cm } = make()
    const req = new Request('http://127.0.0.1/', {
      headers: { 'user-agent': CHROME_UA, 'x-user-id': '1', 'x-user-role': 'superuser', 'x-a': 'a', 'x-b': 'b' },
    })
    const existing = new Response(null, {
      headers: {
        'x-middleware-next': '1',
        'x-middleware-override-headers': 'user-agent, x-a',
        'x-middleware-request-user-agent': CHROME_UA,
        'x-middleware-request-x-a': 'a',
      },
    })
    const res = await cm.middleware(req, existing)
    expect(res.headers.get('x-middleware-override-headers')!.split(',').sort()).toEqual(
      ['user-agent', 'x-a', PROFILE_HEADER, SPENT_HEADER, REJECTED_HEADER, METHOD_HEADER, FLASH_HEADER].sort(),
    )
    for (const removed of ['x-user-id', 'x-user-role', 'x-b']) expect(forwardedHeader(res, removed)).toBeNull()
  })

  it('composing: stale deletion starts from the cookie header an earlier proxy forwarded', async () => {
    const { cm } = make()
    const req = new Request('http://127.0.0.1/', {
      headers: { 'user-agent': CHROME_UA, cookie: 'tracking=1; flag; a=1; a=2; session.3=x' },
    })
    const existing = new Response(null, {
      headers: {
        'x-middleware-next': '1',
        'x-middleware-override-headers': 'user-agent,cookie',
        'x-middleware-request-user-agent': CHROME_UA,
        'x-middleware-request-cookie': 'flag; a=1; a=2; session.3=x',
      },
    })
    const res = await cm.middleware(req, existing)
    expect(res.headers.getSetCookie().map((c) => c.split('=')[0])).toEqual(['session.3', 'session.gone'])
    // tracking stays removed; duplicates and value-less cookies pass through as sent.
    expect(forwardedHeader(res, 'cookie')).toMatch(/^flag; a=1; a=2; session\.gone=[0-9a-z]+$/)
  })

  it('composing with a redirect (immutable headers) returns a redirect carrying our cookies', async () => {
    const { cm } = make()
    const req = new Request('http://127.0.0.1/', { headers: { 'user-agent': CHROME_UA, cookie: 'session.2=x' } })
    const res = await cm.middleware(req, Response.redirect('http://127.0.0.1/login', 307))
    expect(res.status).toBe(307)
    expect(res.headers.get('location')).toBe('http://127.0.0.1/login')
    expect(res.headers.getSetCookie().map((c) => c.split('=')[0])).toEqual(['session.2', 'session.gone'])
  })

  it('composes with an existing response, keeping its own request overrides', async () => {
    const { cm } = make()
    const existing = new Response(null, {
      headers: {
        'x-middleware-next': '1',
        'x-middleware-override-headers': 'x-tenant',
        'x-middleware-request-x-tenant': 'acme',
        'x-custom': 'kept',
      },
    })
    const req = new Request('http://127.0.0.1/', { headers: { 'user-agent': CHROME_UA, 'x-tenant': 'spoofed' } })
    const res = await cm.middleware(req, existing)
    expect(res).toBe(existing)
    expect(res.headers.get('x-custom')).toBe('kept')
    expect(forwardedHeader(res, 'x-tenant')).toBe('acme')
    expect(forwardedHeader(res, PROFILE_HEADER)).toBe('blink;Chrome%20Headless;156.0.0.0;Blink')
    // The earlier override list is the whole forwarded request (Next drops headers not listed): ours join it.
    expect(res.headers.get('x-middleware-override-headers')!.split(',').sort()).toEqual(
      ['x-tenant', PROFILE_HEADER, SPENT_HEADER, REJECTED_HEADER, METHOD_HEADER, FLASH_HEADER].sort(),
    )
  })
})
