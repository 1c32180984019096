import { describe, expect, it, vi } from 'vitest'
import { FLASH_HEADER } from './flash.js'
import { freezeClock } from './test-support/clock.js'
import { make, NOW, skus } from './test-support/engine.js'
import { trimCount } from './shrink/trim-count.js'
import { CHROME_UA, Jar } from './test-support/jar.js'

// Issue 14 part 2: a flash value set by a commit is seen by exactly one later page render (a server
// component included, which writes nothing), then gone. The proxy moves it out of the jar into the
// request of that render.

freezeClock(NOW)

const DOCUMENT = { 'sec-fetch-dest': 'document', accept: 'text/html' }

/** One request through the proxy and then the app's read, as Next runs them; the jar takes the responses. */
async function visit(cm: ReturnType<typeof make>['cm'], jar: Jar, headers: Record<string, string>, method = 'GET') {
  const decision = await cm.planProxy(jar.headers(headers), undefined, method)
  jar.apply(decision.setCookie)
  const forwarded = jar.headers({ ...headers, ...decision.requestHeaders })
  if (decision.requestHeaders['cookie'] !== undefined) forwarded.set('cookie', decision.requestHeaders['cookie'])
  return { decision, session: await cm.decodeSession(forwarded), forwarded }
}

async function flashFromRouteHandler(cm: ReturnType<typeof make>['cm'], jar: Jar) {
  const s = await cm.decodeSession(jar.headers({ origin: 'http://app.test', host: 'app.test' }))
  s.data.cart.push('a')
  s.flash('notice', 'Added 1 item')
  s.flash('count', 1)
  const out = await cm.encodeSession(s, jar.headers({ origin: 'http://app.test', host: 'app.test' }))
  jar.apply(out.setCookie)
  return out
}

describe('flash values', () => {
  it('set by a route handler, seen by the one page render after the redirect, then gone', async () => {
    const { cm, errors } = make()
    const jar = new Jar(CHROME_UA)
    const out = await flashFromRouteHandler(cm, jar)
    expect(out.cookies.map((c) => [c.name, c.options.maxAge])).toEqual([
      ['session', 1209600],
      ['session.flash', 600],
    ])
    expect(jar.names()).toEqual(['session', 'session.flash'])
    // The 303's GET: the proxy deletes the cookie and hands the value to the render.
    const first = await visit(cm, jar, DOCUMENT)
    expect(first.decision.setCookie).toEqual([
      'session.flash=; Max-Age=0; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; Secure; SameSite=Lax',
    ])
    expect(first.forwarded.get('cookie')).not.toContain('session.flash')
    expect(first.session.flashes).toEqual({ notice: 'Added 1 item', count: 1 })
    expect(first.session.data.cart).toEqual(['a'])
    expect(jar.names()).toEqual(['session'])
    // The next render: nothing.
    expect((await visit(cm, jar, DOCUMENT)).session.flashes).toEqual({})
    expect(errors).toEqual([])
  })

  it('prefetches, route-handler fetches and writes do not consume it', async () => {
    const { cm } = make()
    const jar = new Jar(CHROME_UA)
    await flashFromRouteHandler(cm, jar)
    for (const headers of [
      { 'sec-fetch-dest': 'empty', accept: '*/*' }, // fetch('/api/…')
      { 'sec-fetch-dest': 'document', 'sec-purpose': 'prefetch;prerender' }, // speculation rules
      { rsc: '1', 'next-router-prefetch': '1' }, // Next's router prefetch, where the proxy sees it
      { 'sec-fetch-dest': 'document', 'next-action': 'abc' },
    ]) {
      const { decision, session } = await visit(cm, jar, headers)
      expect(decision.requestHeaders[FLASH_HEADER]).toBe('')
      expect(session.flashes).toEqual({})
      expect(jar.names()).toEqual(['session', 'session.flash'])
    }
    const post = await visit(cm, jar, DOCUMENT, 'POST')
    expect(post.session.flashes).toEqual({})
    expect((await visit(cm, jar, DOCUMENT)).session.flashes).toEqual({ notice: 'Added 1 item', count: 1 })
  })

  it("a server action's flash is for its own response: Max-Age=0, seen by its render and by the render of its redirect", async () => {
    const { cm } = make()
    const jar = new Jar(CHROME_UA)
    const action = { 'next-action': '7f00', origin: 'http://app.test', host: 'app.test' }
    const s = await cm.decodeSession(jar.headers(action))
    s.flash('notice', 'Saved')
    const out = await cm.encodeSession(s, jar.headers(action))
    const flash = out.cookies.find((c) => c.name === 'session.flash')!
    expect(flash.options.maxAge).toBe(0)
    expect(flash.value).not.toBe('')
    // The page the action re-renders in the same response reads the same session object.
    expect(s.flashes).toEqual({ notice: 'Saved' })
    // A redirect: Next renders the target through an internal GET carrying the action's cookies.
    const internal = new Headers({ 'x-action-redirect': '/;push', accept: 'text/x-component' })
    internal.set('cookie', `${jar.header()}; session.flash=${flash.value}`)
    const decision = await cm.planProxy(internal, undefined, 'GET')
    expect(decision.requestHeaders[FLASH_HEADER]).toBe(flash.value)
    const forwarded = new Headers({ ...decision.requestHeaders })
    expect((await cm.decodeSession(forwarded)).flashes).toEqual({ notice: 'Saved' })
    // The browser never keeps it: the next page sees nothing.
    jar.apply(out.setCookie)
    expect(jar.names()).toEqual([])
    expect((await visit(cm, jar, DOCUMENT)).session.flashes).toEqual({})
  })

  it('a forged forwarded value, a session token as a flash, an expired flash: no flashes, never a throw', async () => {
    const { cm } = make()
    const jar = new Jar(CHROME_UA)
    await flashFromRouteHandler(cm, jar)
    const sessionToken = jar.cookies.get('session')!
    for (const forged of ['garbage', sessionToken, sessionToken.slice(5)]) {
      expect((await cm.decodeSession(new Headers({ [FLASH_HEADER]: forged }))).flashes).toEqual({})
    }
    const value = jar.cookies.get('session.flash')!
    expect((await cm.decodeSession(new Headers({ [FLASH_HEADER]: value }))).flashes).toEqual({
      notice: 'Added 1 item',
      count: 1,
    })
    vi.setSystemTime(NOW.getTime() + 600_000)
    expect((await cm.decodeSession(new Headers({ [FLASH_HEADER]: value }))).flashes).toEqual({})
  })

  it('the flash cookie is in the budget: the session is trimmed to leave it room, and the values are small JSON', async () => {
    const fill = async (flash: boolean) => {
      const { cm } = make()
      cm.register('cart', (d, _last, { overBytes }) => {
        d.cart?.splice(0, trimCount(d.cart, overBytes))
        return d
      })
      const jar = new Jar(CHROME_UA)
      const s = await cm.decodeSession(jar.headers())
      s.data.cart = skus(600)
      if (flash) s.flash('notice', 'x'.repeat(500))
      const out = await cm.encodeSession(s, jar.headers())
      return {
        out,
        s,
        pair:
          out.cookies.filter((c) => c.name === 'session.flash').map((c) => c.name.length + c.value.length + 3)[0] ?? 0,
      }
    }
    const without = await fill(false)
    const withFlash = await fill(true)
    expect(without.out.report.shrunk).toBe(true)
    const { available } = without.out.report.budget
    expect(without.out.report.bytes).toBeLessThanOrEqual(available)
    expect(without.out.report.bytes).toBeGreaterThan(available - withFlash.pair)
    // With the flash, session and flash cookie together fit what the session alone had.
    expect(withFlash.out.report.bytes + withFlash.pair).toBeLessThanOrEqual(available)
    expect(withFlash.s.data.cart.length).toBeLessThan(without.s.data.cart.length)
    expect(() => withFlash.s.flash('big', 'y'.repeat(1024))).toThrow(
      'session.flash("big", value): flash values take 1034 bytes of JSON, at most 1024',
    )
    expect(() => withFlash.s.flash('f', (() => 1) as never)).toThrow(
      'session.flash("f", value): value must be JSON data',
    )
  })

  it('a second flash before any render keeps the first values and replaces its cookie in the budget', async () => {
    const { cm } = make()
    cm.register('cart', (d, _last, { overBytes }) => {
      d.cart?.splice(0, trimCount(d.cart, overBytes))
      return d
    })
    const jar = new Jar(CHROME_UA)
    const commitWith = async (notice: string, extra?: [string, string]) => {
      const s = await cm.decodeSession(jar.headers())
      s.data.cart = skus(600)
      s.flash('notice', notice)
      if (extra !== undefined) s.flash(extra[0], extra[1])
      const out = await cm.encodeSession(s, jar.headers())
      jar.apply(out.setCookie)
      return out.report.bytes
    }
    const first = await commitWith('x'.repeat(500))
    // The same size again: the session gets the same room (the waiting flash cookie is replaced,
    // not counted as another cookie next to the new one).
    const second = await commitWith('y'.repeat(500))
    expect(Math.abs(second - first)).toBeLessThanOrEqual(30)
    await commitWith('y'.repeat(500), ['other', 'kept'])
    const third = await commitWith('z')
    expect(third).toBeGreaterThan(0)
    expect((await visit(cm, jar, DOCUMENT)).session.flashes).toEqual({ notice: 'z', other: 'kept' })
  })
})
