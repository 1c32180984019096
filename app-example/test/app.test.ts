// The example app, built with `next build` and served on 127.0.0.1, driven over HTTP. Built once per
// combination of the matrix (server.ts BUILDS): Next 16 with Turbopack (proxy.ts, Node runtime; and
// middleware.ts, Edge runtime), Next 16 with webpack (proxy.ts, output: 'standalone'; middleware.ts,
// Edge), Next 15 with webpack (middleware.ts, Edge).
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import {
  actionForm,
  CHROME_UA as CHROME,
  postForm,
  build,
  BUILDS,
  Jar,
  prepare,
  SECRET,
  setCookies,
  start,
  type Running,
} from './server.js'
import { freePort, startRedis } from '../../src/test-support/redis.js'

const PROFILE_HEADER = 'x-next-cookieman-profile'

// A raised budget (and Node's header limit with it) so that a 20 KB session fits: 32 KiB of Cookie header.
const ENV = {
  SESSION_SECRET: SECRET,
  SESSION_FRONTS: 'node',
  SESSION_MAX_COOKIE_HEADER_BYTES: '32768',
  NODE_OPTIONS: '--max-http-header-size=65536',
  NEXT_TELEMETRY_DISABLED: '1',
  EXAMPLE_TEST_ROUTES: '1',
}

function recentOf(bytes: number): string[] {
  const list: string[] = []
  let i = 0
  while (JSON.stringify(list).length < bytes)
    list.push(`/products/${String(i++).padStart(6, '0')}-ceramic-pour-over-mug`)
  return list
}

for (const which of BUILDS) {
  const variant = which.entry
  describe(`example app, ${which.id}`, () => {
    let app: Running
    let dir: string
    let buildOutput = ''
    const get = (path: string, jar: Jar, headers: Record<string, string> = {}) =>
      fetch(app.url + path, { headers: { 'user-agent': CHROME, cookie: jar.header(), ...headers }, redirect: 'manual' })

    beforeAll(async () => {
      dir = prepare(which)
      buildOutput = build(dir, ENV, which)
      app = await start(dir, ENV, { build: which })
    }, 240_000)
    afterAll(async () => {
      await app?.stop()
    })

    it('the package export conditions pick the sealing code per runtime: node:crypto on Node, jose on Edge', () => {
      const read = (file: string) => readFileSync(join(dir, '.next', file), 'utf8')
      /** The chunks a Node-runtime entry file of Next's server build loads (webpack: every server chunk). */
      const nodeChunks = (entry: string) =>
        which.bundler === 'turbopack'
          ? [...read(entry).matchAll(/R\.c\("([^"]+)"\)/g)].map((m) => read(m[1]!)).join('\n')
          : [
              read(entry),
              ...readdirSync(join(dir, '.next', 'server', 'chunks'))
                .filter((f) => f.endsWith('.js'))
                .map((f) => read(`server/chunks/${f}`)),
            ].join('\n')
      // Route handlers run on Node in both builds: the Node entry's backend is bundled.
      const route = nodeChunks('server/app/api/session/route.js')
      expect(route).toContain('createCipheriv')
      expect(route).toContain('A256GCM')
      if (variant === 'proxy') {
        expect(nodeChunks('server/middleware.js')).toContain('createCipheriv')
      } else {
        const manifest = JSON.parse(read('server/middleware-manifest.json')) as {
          middleware: Record<string, { files: string[] }>
        }
        const edge = manifest.middleware['/']!.files.map(read).join('\n')
        expect(edge).toContain('A256GCM')
        expect(edge).not.toMatch(/createCipheriv|node:crypto|node:zlib|inflateRawSync/)
      }
    })

    it('a 20 KB session goes through the route handler and comes back intact', async () => {
      const jar = new Jar()
      const recent = recentOf(20_000)
      const post = await fetch(`${app.url}/api/session`, {
        method: 'POST',
        headers: { 'user-agent': CHROME, 'content-type': 'application/json' },
        body: JSON.stringify({ recent }),
      })
      expect(post.status).toBe(200)
      // commitSession(session, headers) marks the response: no shared cache stores a session.
      expect(post.headers.get('cache-control')).toBe('private, no-store')
      const posted = (await post.json()) as { report: { chunks: number; shrunk: boolean; budget: { source: string } } }
      expect(posted.report.shrunk).toBe(false)
      expect(posted.report.budget.source).toBe('blink')
      // ~20 KB of JSON is ~27 KB of base64url: 7 chunks of at most 4,096 bytes.
      expect(posted.report.chunks).toBe(7)
      jar.apply(post)
      expect([...jar.cookies.keys()]).toEqual(['session', ...[1, 2, 3, 4, 5, 6].map((k) => `session.${k}`)])
      for (const [name, value] of jar.cookies) expect(name.length + value.length).toBeLessThanOrEqual(4096)

      const back = await get('/api/session', jar)
      expect(back.status).toBe(200)
      const body = (await back.json()) as { data: { recent: string[] }; report: { unchanged: boolean }; error: null }
      expect(body.error).toBeNull()
      expect(body.data.recent).toEqual(recent)
      expect(body.report.unchanged).toBe(true)
      expect(back.headers.getSetCookie()).toEqual([])
    })

    it('one decode per request, let go once the response is sent: a read in after() gets what the commit wrote', async () => {
      const jar = new Jar()
      for (const visit of [1, 2]) {
        const key = `${which.id}-${visit}`
        const res = await get(`/api/after-read?key=${key}&visit=1`, jar)
        expect(res.status).toBe(200)
        expect(await res.json()).toEqual({ same: true, visits: visit })
        jar.apply(res)
        expect([...jar.cookies.keys()]).toEqual(['session'])
        let later: unknown = null
        for (let i = 0; i < 100 && later === null; i++) {
          later = await (await get(`/api/after-read?key=${key}`, jar)).json()
          if (later === null) await new Promise((r) => setTimeout(r, 20))
        }
        // A new decode (the request's session was let go), of the cookie as this request wrote it.
        expect(later).toEqual({ same: false, visits: visit })
      }
    })

    it('POST accepts only the keys the app knows, with their types', async () => {
      const bodies = [
        '{"userId":"admin"}',
        '{"cart":"x"}',
        '{"recent":[1]}',
        '["recent"]',
        '{"__proto__":{"x":1}}',
        'nope',
      ]
      for (const body of bodies) {
        const res = await fetch(`${app.url}/api/session`, {
          method: 'POST',
          headers: { 'user-agent': CHROME, 'content-type': 'application/json' },
          body,
        })
        expect(res.status, body).toBe(400)
        expect(res.headers.getSetCookie()).toEqual([])
      }
    })

    it('POST refuses a body over 64 KiB with 413 before parsing it, with or without Content-Length', async () => {
      const item = { sku: 'sku-000000000001', name: 'x'.repeat(8), qty: 1 }
      const cart = Array.from({ length: 20_000 }, () => item) // 1 MB of valid items
      const body = JSON.stringify({ cart })
      expect(body.length).toBeGreaterThan(1_000_000)
      const sized = await fetch(`${app.url}/api/session`, {
        method: 'POST',
        headers: { 'user-agent': CHROME, 'content-type': 'application/json' },
        body,
      })
      expect(sized.status).toBe(413)
      expect(await sized.json()).toEqual({ error: 'the body is over 65536 bytes' })
      expect(sized.headers.getSetCookie()).toEqual([])
      // Chunked, no Content-Length: counted as it arrives.
      const bytes = new TextEncoder().encode(body)
      const stream = new ReadableStream<Uint8Array>({
        start(controller) {
          for (let at = 0; at < bytes.length; at += 16_384) controller.enqueue(bytes.slice(at, at + 16_384))
          controller.close()
        },
      })
      const chunked = await fetch(`${app.url}/api/session`, {
        method: 'POST',
        headers: { 'user-agent': CHROME, 'content-type': 'application/json' },
        body: stream,
        duplex: 'half',
      } as RequestInit)
      expect(chunked.status).toBe(413)
      expect(chunked.headers.getSetCookie()).toEqual([])
      // Just under the limit: accepted, and trimmed to the budget.
      const fits = JSON.stringify({ cart: cart.slice(0, 1200) })
      expect(fits.length).toBeLessThanOrEqual(65_536)
      const ok = await fetch(`${app.url}/api/session`, {
        method: 'POST',
        headers: { 'user-agent': CHROME, 'content-type': 'application/json' },
        body: fits,
      })
      expect(ok.status).toBe(200)
      const posted = (await ok.json()) as { report: { shrunk: boolean; trimmedKeys: string[] } }
      expect(posted.report.shrunk).toBe(true)
      expect(posted.report.trimmedKeys).toEqual(['cart'])
    })

    it('a text/plain POST from a sibling origin writes nothing through the route handler or the API route', async () => {
      const jar = new Jar()
      jar.apply(
        await fetch(`${app.url}/api/session`, {
          method: 'POST',
          headers: { 'user-agent': CHROME, 'content-type': 'application/json' },
          body: JSON.stringify({ recent: ['/kept'] }),
        }),
      )
      const before = jar.header()
      const port = new URL(app.url).port
      // What a form on another page can send without a preflight: text/plain or urlencoded.
      const forged = (origin: string, path: string, body: string, type = 'text/plain') =>
        fetch(`${app.url}${path}`, {
          method: 'POST',
          headers: {
            'user-agent': CHROME,
            'content-type': type,
            origin,
            'sec-fetch-site': 'same-site',
            cookie: jar.header(),
          },
          body,
        })
      const evil = `http://evil.localhost:${port}`
      const route = await forged(evil, '/api/session', JSON.stringify({ recent: ['/evil'] }))
      expect(route.status).toBe(200)
      expect(route.headers.getSetCookie()).toEqual([])
      const body = (await route.json()) as { report: { error: { code: string; message: string } } }
      expect(body.report.error.code).toBe('ERR_SESSION_CROSS_SITE')
      expect(body.report.error.message).toContain(`another origin (${evil})`)
      const pages = await forged(evil, '/api/pages-cart', 'sku=SKU-000666', 'application/x-www-form-urlencoded')
      expect(pages.status).toBe(200)
      expect(pages.headers.getSetCookie().filter((l) => l.startsWith('session'))).toEqual([])
      expect(((await pages.json()) as { report: { error: { code: string } } }).report.error.code).toBe(
        'ERR_SESSION_CROSS_SITE',
      )
      expect(jar.header()).toBe(before)
      const back = (await (await get('/api/session', jar)).json()) as { data: { recent: string[]; cart: unknown[] } }
      expect(back.data).toEqual({ cart: [], recent: ['/kept'] })
      // The app's own origin writes.
      const own = await forged(app.url, '/api/session', JSON.stringify({ recent: ['/own'] }))
      expect(own.headers.getSetCookie()).toHaveLength(1)
      expect(((await own.json()) as { report: { error?: unknown } }).report.error).toBeUndefined()
    })

    it('DELETE destroys the session: every chunk is deleted', async () => {
      const jar = new Jar()
      jar.apply(
        await fetch(`${app.url}/api/session`, {
          method: 'POST',
          headers: { 'user-agent': CHROME, 'content-type': 'application/json' },
          body: JSON.stringify({ recent: recentOf(9000) }),
        }),
      )
      // 9 KB of JSON: 12 KB sealed, 3 chunks.
      expect(jar.cookies.size).toBe(3)
      const res = await fetch(`${app.url}/api/session`, {
        method: 'DELETE',
        headers: { 'user-agent': CHROME, cookie: jar.header() },
      })
      const lines = res.headers.getSetCookie()
      expect(lines).toHaveLength(3)
      for (const line of lines)
        expect(line).toMatch(
          /=; Max-Age=0; Path=\/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; Secure; SameSite=Lax$/,
        )
      jar.apply(res)
      expect(jar.cookies.size).toBe(0)
    })

    it('the proxy deletes a planted stale session.7 and leaves the session readable', async () => {
      const jar = new Jar()
      jar.apply(
        await fetch(`${app.url}/api/session`, {
          method: 'POST',
          headers: { 'user-agent': CHROME, 'content-type': 'application/json' },
          body: JSON.stringify({ recent: ['/a'] }),
        }),
      )
      jar.cookies.set('session.7', 'planted')
      jar.cookies.set('theme', 'dark')
      const res = await get('/', jar)
      expect(res.status).toBe(200)
      const { map } = setCookies(res)
      expect(map.get('session.7')).toBe('')
      // With the marker of what it deleted (the same set coming back is not deleted again).
      expect([...map.keys()]).toEqual(['session.7', 'session.gone'])
      expect(res.headers.get('cache-control')).toBe('private, no-store')
      const html = await res.text()
      expect(html).toContain('data-testid="is-new">stored session<')
      jar.apply(res)
      expect([...jar.cookies.keys()].sort()).toEqual(['session', 'session.gone', 'theme'])
      // Deleted for good: the next page deletes the marker, and nothing else.
      const next = await get('/', jar)
      expect([...setCookies(next).map.entries()]).toEqual([['session.gone', '']])
      jar.apply(next)
      expect([...jar.cookies.keys()].sort()).toEqual(['session', 'theme'])
    })

    it('a prerendered page is s-maxage for a CDN, but private, no-store where the proxy sets a session cookie', async () => {
      const plain = await get('/about', new Jar())
      expect(plain.status).toBe(200)
      expect(plain.headers.get('cache-control')).toBe('s-maxage=31536000')
      expect(plain.headers.getSetCookie()).toEqual([])
      const jar = new Jar()
      jar.cookies.set('session.3', 'stale')
      const res = await get('/about', jar)
      expect(res.status).toBe(200)
      expect([...setCookies(res).map.keys()]).toEqual(['session.3', 'session.gone'])
      expect(res.headers.get('cache-control')).toBe('private, no-store')
      expect(await res.text()).toContain('About this example')
    })

    it('the proxy replaces a client-sent profile header: the budget is the real browser’s', async () => {
      const res = await get('/api/session', new Jar(), { [PROFILE_HEADER]: 'trident;IE;11.0;Trident' })
      const body = (await res.json()) as {
        report: { budget: { source: string; cookies: number }; browser: { name: string } }
      }
      expect(body.report.budget).toMatchObject({ source: 'blink', cookies: 180 })
      expect(body.report.browser.name).toBe('Chrome')
    })

    it('a server action commits: the response sets the cookie and renders the new session', async () => {
      const jar = new Jar()
      const page = await get('/', jar)
      const form = actionForm(await page.text(), 'add')
      form.set('count', '5')
      const res = await postForm(`${app.url}/`, jar, form)
      expect(res.status).toBe(200)
      jar.apply(res)
      expect([...jar.cookies.keys()]).toEqual(['session'])
      // The page rendered in the same response already shows the committed session.
      const html = await res.text()
      expect(html).toContain('data-testid="cart-count">5<')
      expect(html).toContain('added 5 items')
      // And the next request reads it back.
      const next = (await (await get('/api/session', jar)).json()) as { data: { cart: Array<{ sku: string }> } }
      expect(next.data.cart.map((i) => i.sku)).toEqual([
        'SKU-000001',
        'SKU-000002',
        'SKU-000003',
        'SKU-000004',
        'SKU-000005',
      ])
    })

    it('a server component that tries to commit gets ERR_SESSION_READ_ONLY, and nothing is written', async () => {
      const res = await get('/readonly', new Jar())
      expect(res.status).toBe(200)
      expect(res.headers.getSetCookie()).toEqual([])
      const html = await res.text()
      expect(html).toContain('data-testid="readonly-code">ERR_SESSION_READ_ONLY<')
      expect(html).toContain('call it from a server action or a route handler')
    })

    it('a tampered chunk gives a new session and a logged ERR_SESSION_TAMPERED, not a 500', async () => {
      const jar = new Jar()
      jar.apply(
        await fetch(`${app.url}/api/session`, {
          method: 'POST',
          headers: { 'user-agent': CHROME, 'content-type': 'application/json' },
          body: JSON.stringify({ recent: recentOf(6000) }),
        }),
      )
      const v = jar.cookies.get('session.1')!
      jar.cookies.set('session.1', v.slice(0, 10) + (v[10] === 'A' ? 'B' : 'A') + v.slice(11))
      const res = await get('/', jar)
      expect(res.status).toBe(200)
      const html = await res.text()
      expect(html).toContain('data-testid="is-new">new session<')
      expect(html).toContain('ERR_SESSION_TAMPERED')
      // The server's output arrives asynchronously: poll it.
      await vi.waitFor(() => expect(app.logs()).toContain('[next-cookieman] ERR_SESSION_TAMPERED'), {
        timeout: 10_000,
        interval: 100,
      })
    })

    it('after a server action commits, the same response renders it: adding, then destroying', async () => {
      const jar = new Jar()
      const page = await (await get('/', jar)).text()
      const post = (form: FormData) => postForm(`${app.url}/`, jar, form)
      const add = actionForm(page, 'add')
      add.set('count', '3')
      const added = await post(add)
      jar.apply(added)
      expect(await added.text()).toContain('data-testid="cart-count">3<')
      const destroyed = await post(actionForm(page, 'destroy'))
      expect(setCookies(destroyed).map.get('session')).toBe('')
      jar.apply(destroyed)
      expect(jar.header()).toBe('')
      const html = await destroyed.text()
      expect(html).toContain('data-testid="cart-count">0<')
      expect(html).toContain('session destroyed')
    })

    it('Pages Router API route: commitSession(session, res) keeps the app’s own Set-Cookie; App Router reads it', async () => {
      const jar = new Jar()
      const post = (sku: string) =>
        fetch(`${app.url}/api/pages-cart`, {
          method: 'POST',
          headers: { 'user-agent': CHROME, 'content-type': 'application/json', cookie: jar.header() },
          body: JSON.stringify({ sku }),
        })
      const first = await post('SKU-000001')
      expect(first.status).toBe(200)
      const { lines } = setCookies(first)
      expect(lines.map((l) => l.slice(0, l.indexOf('=')))).toEqual(['last-cart-change', 'session'])
      expect(lines[0]).toBe('last-cart-change=pages-api; Path=/; SameSite=Lax')
      expect(first.headers.get('cache-control')).toBe('private, no-store')
      const body = (await first.json()) as { report: { chunks: number; budget: { source: string } } }
      expect(body.report).toMatchObject({ chunks: 1, budget: { source: 'blink' } })
      jar.apply(first)
      jar.apply(await post('SKU-000002'))
      // The App Router's route handler reads what the Pages Router wrote, and back.
      const app1 = (await (await get('/api/session', jar)).json()) as { data: { cart: Array<{ sku: string }> } }
      expect(app1.data.cart.map((i) => i.sku)).toEqual(['SKU-000001', 'SKU-000002'])
      const read = (await (await get('/api/pages-cart', jar)).json()) as {
        cart: Array<{ sku: string }>
        isNew: boolean
      }
      expect(read).toMatchObject({ isNew: false })
      expect(read.cart.map((i) => i.sku)).toEqual(['SKU-000001', 'SKU-000002'])
      // Validation: only a SKU, never session keys.
      const bad = await fetch(`${app.url}/api/pages-cart`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie: jar.header() },
        body: JSON.stringify({ userId: 'admin' }),
      })
      expect(bad.status).toBe(400)
      expect(bad.headers.getSetCookie()).toEqual([])
      const deleted = await fetch(`${app.url}/api/pages-cart`, { method: 'DELETE', headers: { cookie: jar.header() } })
      expect(deleted.status).toBe(200)
      expect(setCookies(deleted).map.get('session')).toBe('')
    })

    it('Pages Router getServerSideProps: getSession(req) reads a 7-chunk session, commitSession(session, res) writes it back', async () => {
      const jar = new Jar()
      jar.apply(
        await fetch(`${app.url}/api/session`, {
          method: 'POST',
          headers: { 'user-agent': CHROME, 'content-type': 'application/json' },
          body: JSON.stringify({ cart: [{ sku: 'SKU-000042', name: 'Mug', qty: 1 }], recent: recentOf(20_000) }),
        }),
      )
      expect([...jar.cookies.keys()]).toEqual(['session', ...[1, 2, 3, 4, 5, 6].map((k) => `session.${k}`)])
      const first = await get('/pages-router', jar)
      expect(first.status).toBe(200)
      const html = await first.text()
      expect(html).toContain('data-testid="pages-cart-count">1<')
      expect(html).toContain('data-testid="pages-visits">1<')
      expect(html).toContain('SKU-000042')
      jar.apply(first)
      expect([...jar.cookies.keys()]).toEqual(['session', ...[1, 2, 3, 4, 5, 6].map((k) => `session.${k}`)])
      const second = await (await get('/pages-router', jar)).text()
      expect(second).toContain('data-testid="pages-visits">2<')
      // The App Router sees the visit the Pages Router counted.
      const data = (await (await get('/api/session', jar)).json()) as { data: { visits?: number; recent: string[] } }
      expect(data.data.visits).toBe(1)
      expect(data.data.recent).toEqual(recentOf(20_000))
    })

    it('store mode: a 54 KB cart comes back whole from Redis; with Redis down, pages and commits still answer 200', async () => {
      const redis = await startRedis()
      // A port where nothing listens: every store call fails (connection refused, retried) or times out.
      const deadPort = await freePort()
      const up = await start(dir, { ...ENV, SESSION_REDIS_URL: redis.url }, { build: which })
      const down = await start(dir, { ...ENV, SESSION_REDIS_URL: `redis://127.0.0.1:${deadPort}` }, { build: which })
      try {
        const cart = Array.from({ length: 900 }, (_, i) => ({
          sku: `SKU-${String(i).padStart(6, '0')}`,
          name: `Mug #${i}`,
          qty: 1,
        }))
        const post = (base: string, jar: Jar) =>
          fetch(`${base}/api/session`, {
            method: 'POST',
            headers: { 'user-agent': CHROME, 'content-type': 'application/json', cookie: jar.header() },
            body: JSON.stringify({ cart }),
          })
        type Reply = {
          data: { cart: unknown[] }
          report: { store?: { keys: string[]; error?: { code: string } }; trimmedKeys: string[] }
          error: string | null
        }
        const jar = new Jar()
        const written = await post(up.url, jar)
        expect(written.status).toBe(200)
        jar.apply(written)
        const body = (await written.json()) as Reply
        expect(body.report.store?.keys).toEqual(['cart'])
        expect(body.report.trimmedKeys).toEqual([])
        const read = await fetch(`${up.url}/api/session`, { headers: { 'user-agent': CHROME, cookie: jar.header() } })
        expect(((await read.json()) as Reply).data.cart).toEqual(cart)
        const page = await fetch(up.url + '/', { headers: { 'user-agent': CHROME, cookie: jar.header() } })
        expect(page.status).toBe(200)
        expect(await page.text()).toContain('data-testid="cart-count">900<')

        // Redis down: the same cookie reads as its cookie part (the page says so), a commit falls back.
        const downPage = await fetch(down.url + '/', { headers: { 'user-agent': CHROME, cookie: jar.header() } })
        expect(downPage.status).toBe(200)
        expect(await downPage.text()).toContain('ERR_SESSION_STORE')
        const fallback = await post(down.url, new Jar())
        expect(fallback.status).toBe(200)
        const fell = (await fallback.json()) as Reply
        expect(fell.report.store?.error?.code).toBe('ERR_SESSION_STORE')
        expect(fell.report.trimmedKeys).toEqual(['cart'])
      } finally {
        await up.stop()
        await down.stop()
        await redis.stop()
      }
    }, 60_000)

    it('the build prints no warning about the package or its dependencies', () => {
      const ours = buildOutput
        .split('\n')
        .filter((line) => /next-cookieman|jose|ua-parser|fflate|CompressionStream|DecompressionStream/i.test(line))
      expect(ours).toEqual([])
    })
  })
}
