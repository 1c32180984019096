import { describe, expect, it } from 'vitest'
import { METHOD_HEADER } from './cross-site.js'
import { requestHeadersOf } from './node-http.js'
import { freezeClock } from './test-support/clock.js'
import { make, NOW } from './test-support/engine.js'
import { CHROME_UA, Jar } from './test-support/jar.js'

// Issue 13 item 6: SameSite=Lax sends the cookie on a request from a sibling subdomain, and a
// text/plain POST needs no preflight: a page on evil.example.com wrote the victim's session
// through a route handler of app.example.com. Commits answering another origin write nothing.

freezeClock(NOW)

const APP = 'app.example.com'

/** One commit of `cart` answering a request with these headers, on a jar that holds ['kept']. */
async function attempt(extra: Record<string, string>, options: Parameters<typeof make>[0] = {}) {
  const { cm, errors } = make(options)
  const jar = new Jar(CHROME_UA)
  const first = await cm.decodeSession(jar.headers({ host: APP }))
  first.data.cart.push('kept')
  jar.apply((await cm.encodeSession(first, jar.headers({ host: APP }))).setCookie)
  const headers = jar.headers({ host: APP, ...extra })
  const s = await cm.decodeSession(headers)
  s.data.cart = ['written']
  const out = await cm.encodeSession(s, headers)
  jar.apply(out.setCookie)
  const after = await cm.decodeSession(jar.headers({ host: APP }))
  return { out, errors, stored: after.data.cart, session: s }
}

describe('cross-site writes', () => {
  it('a text/plain POST from a sibling subdomain writes nothing: ERR_SESSION_CROSS_SITE in the report and to onError', async () => {
    const { out, errors, stored } = await attempt({
      origin: 'https://evil.example.com',
      'sec-fetch-site': 'same-site',
      'content-type': 'text/plain',
      [METHOD_HEADER]: 'POST',
    })
    expect(out.setCookie).toEqual([])
    expect(out.responseHeaders).toEqual({})
    expect(out.report.error?.code).toBe('ERR_SESSION_CROSS_SITE')
    expect(out.report.error?.message).toBe(
      "session session not written: the request came from another origin (https://evil.example.com) than this app's (app.example.com); add its origin to csrf.allowedOrigins if it is yours, or set csrf: false to turn the check off",
    )
    expect(out.report).toMatchObject({ unchanged: true, chunks: 1, deleted: [] })
    expect(errors).toEqual(['ERR_SESSION_CROSS_SITE'])
    expect(stored).toEqual(['kept'])
  })

  it('refuses Origin: null and any other host or port, whatever the method', async () => {
    for (const origin of ['null', 'https://app.example.com.evil.net', 'http://app.example.com:8080', 'garbage']) {
      for (const method of ['POST', 'GET', '']) {
        const { out, stored } = await attempt({ origin, [METHOD_HEADER]: method })
        expect(out.report.error?.code, `${origin} ${method}`).toBe('ERR_SESSION_CROSS_SITE')
        expect(stored).toEqual(['kept'])
      }
    }
  })

  it('a destroy() from another origin is refused too (no cross-site logout)', async () => {
    const { cm, errors } = make()
    const jar = new Jar(CHROME_UA)
    const s = await cm.decodeSession(jar.headers({ host: APP }))
    s.data.cart.push('kept')
    jar.apply((await cm.encodeSession(s, jar.headers({ host: APP }))).setCookie)
    const headers = jar.headers({ host: APP, origin: 'https://evil.example.com' })
    const victim = await cm.decodeSession(headers)
    victim.destroy()
    const out = await cm.encodeSession(victim, headers)
    expect(out.setCookie).toEqual([])
    expect(errors).toEqual(['ERR_SESSION_CROSS_SITE'])
    expect((await cm.decodeSession(jar.apply(out.setCookie).headers())).data.cart).toEqual(['kept'])
  })

  it('writes for its own origin, behind a proxy (X-Forwarded-Host), and for navigations without Origin', async () => {
    for (const extra of [
      { origin: 'https://app.example.com', [METHOD_HEADER]: 'POST', 'sec-fetch-site': 'same-origin' },
      { origin: 'HTTPS://APP.EXAMPLE.COM' },
      { origin: 'https://shop.example.com', 'x-forwarded-host': 'shop.example.com' },
      // An OAuth redirect back: a cross-site GET navigation carries no Origin.
      { 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'navigate', [METHOD_HEADER]: 'GET' },
      // No Origin and no known method: nothing says it is an unsafe cross-site request.
      { 'sec-fetch-site': 'cross-site' },
      {},
    ]) {
      const { out, errors, stored } = await attempt(extra)
      expect(out.report.error, JSON.stringify(extra)).toBeUndefined()
      expect(errors).toEqual([])
      expect(stored).toEqual(['written'])
    }
  })

  it('without Origin, Sec-Fetch-Site cross-site or same-site refuses an unsafe method', async () => {
    for (const site of ['cross-site', 'same-site']) {
      for (const extra of [{ [METHOD_HEADER]: 'POST' }, { [METHOD_HEADER]: 'delete' }, { 'next-action': 'abc' }]) {
        const { out, stored } = await attempt({ 'sec-fetch-site': site, ...extra })
        expect(out.report.error?.code).toBe('ERR_SESSION_CROSS_SITE')
        expect(out.report.error?.message).toContain(`(Sec-Fetch-Site: ${site}, no Origin)`)
        expect(stored).toEqual(['kept'])
      }
    }
  })

  it('csrf.allowedOrigins lets named origins and subdomain patterns write; csrf: false turns the check off', async () => {
    const allowed = { csrf: { allowedOrigins: ['https://idp.example.net', '*.example.org'] } }
    for (const origin of ['https://idp.example.net', 'https://a.example.org', 'https://b.c.example.org']) {
      expect((await attempt({ origin }, allowed)).stored).toEqual(['written'])
    }
    for (const origin of ['https://example.org', 'https://idp.example.net:444', 'null']) {
      expect((await attempt({ origin }, allowed)).stored).toEqual(['kept'])
    }
    expect((await attempt({ origin: 'https://evil.example.com' }, { csrf: false })).stored).toEqual(['written'])
  })

  it('refuses bad csrf options at createCookieman', () => {
    expect(() => make({ csrf: { allowedOrigins: ['not an origin'] } })).toThrow(
      'option csrf.allowedOrigins: "not an origin" is not an origin (https://idp.example.com) or a host (idp.example.com, *.example.com)',
    )
    expect(() => make({ csrf: true as unknown as false })).toThrow(
      'option csrf must be false or { allowedOrigins: string[] }',
    )
    expect(() => make({ csrf: { origins: [] } as unknown as false })).toThrow('unknown option csrf.origins')
  })

  it('the proxy tells commits the method, overwriting a client-sent one; a Node request gives its own', async () => {
    const { cm } = make()
    const decision = await cm.planProxy(new Headers({ [METHOD_HEADER]: 'GET' }), undefined, 'POST')
    expect(decision.requestHeaders[METHOD_HEADER]).toBe('POST')
    const node = requestHeadersOf({ method: 'PUT', headers: { [METHOD_HEADER]: 'GET', host: APP } })
    expect(node.get(METHOD_HEADER)).toBe('PUT')
    expect(node.get('host')).toBe(APP)
  })
})
