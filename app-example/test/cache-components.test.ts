// A fixture app with Cache Components and Partial Prefetching (e2e/cache-components, Next 16 with
// Turbopack), built once and driven over HTTP: the session reads inside Suspense and inside
// 'use cache: private' with nothing logged by Next because of us; inside plain 'use cache' the
// read is refused with ERR_SESSION_CONTEXT, not with Next's error about headers().
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { build, BUILDS, Jar, ROOT, SECRET, start, type Running } from './server.js'

const DIR = join(ROOT, 'e2e', 'cache-components')
const ENV = { SESSION_SECRET: SECRET, NEXT_TELEMETRY_DISABLED: '1' }

describe('Cache Components (cacheComponents, partialPrefetching)', () => {
  let app: Running
  let buildOutput = ''
  const jar = new Jar()
  const get = (path: string, headers: Record<string, string> = {}) =>
    fetch(app.url + path, { headers: { cookie: jar.header(), ...headers } })
  const testid = (html: string, id: string) => new RegExp(`data-testid="${id}">([^<]*)<`).exec(html)?.[1]

  beforeAll(async () => {
    buildOutput = build(DIR, ENV, BUILDS[0]!)
    app = await start(DIR, ENV)
    for (const sku of ['mug', 'kettle'])
      jar.apply(await fetch(`${app.url}/api/add?sku=${sku}`, { method: 'POST', headers: { cookie: jar.header() } }))
  }, 240_000)
  afterAll(async () => {
    await app?.stop()
  })

  it('builds with the session read in Suspense and in private caches: partial prerenders, no error', () => {
    expect(buildOutput).toMatch(/◐ \/\s/)
    expect(buildOutput).toMatch(/◐ \/private/)
    // Next's own notice on CI (no build cache from an earlier run) is not about the app.
    const notices = buildOutput.split('\n').filter((l) => /error|warn|⚠/i.test(l) && !l.includes('/messages/no-cache'))
    expect(notices).toEqual([])
  })

  it('a server component inside Suspense reads the session', async () => {
    const res = await get('/')
    expect(res.status).toBe(200)
    expect(testid(await res.text(), 'cart')).toBe('mug,kettle')
  })

  it("'use cache: private' reads the session, per browser", async () => {
    expect(testid(await (await get('/private')).text(), 'private')).toBe('2 item(s)')
    const other = await fetch(`${app.url}/private`)
    expect(testid(await other.text(), 'private')).toBe('0 item(s)')
  })

  it('prefetches (partialPrefetching) and renders log nothing about the clock or request data', async () => {
    for (const path of ['/', '/private']) {
      expect((await get(path, { 'next-router-prefetch': '1' })).status).toBe(200)
      expect((await get(path)).status).toBe(200)
    }
    await new Promise((r) => setTimeout(r, 500))
    expect(app.logs()).not.toContain('unstable value')
    expect(app.logs()).not.toMatch(/Error: Route/)
  })

  it("plain 'use cache' is refused with ERR_SESSION_CONTEXT and says why, instead of Next's headers() error", async () => {
    const res = await get('/cached')
    expect(res.status).toBe(200)
    // Errors leave a cache scope redacted in production: the page sees an error, the log says which.
    expect(await res.text()).toContain('data-testid="cached-error">')
    await vi.waitFor(() => expect(app.logs()).toContain("code: 'ERR_SESSION_CONTEXT'"), { timeout: 10_000 })
    expect(app.logs()).toContain("the session cannot be read inside 'use cache'")
    expect(app.logs()).not.toMatch(/used `?headers\(\)`? inside "use cache"/)
  })
})
