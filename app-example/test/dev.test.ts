// `next dev` as a developer runs it: Next 16 with Turbopack (its default) on the example, Next 15
// with webpack (its default) on the Next 15 copy. The session is right in both: an action's
// commit renders in the same response, the Pages Router reads and writes the same session.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  actionForm,
  CHROME_UA as CHROME,
  postForm,
  APP,
  BUILDS,
  Jar,
  prepare,
  SECRET,
  start,
  type Running,
} from './server.js'

const ENV = {
  SESSION_SECRET: SECRET,
  SESSION_FRONTS: 'node',
  SESSION_COOKIE_SECURE: 'false',
  NEXT_TELEMETRY_DISABLED: '1',
}
const DEV = [
  { label: 'Next 16, Turbopack', build: BUILDS[0]!, dir: () => APP },
  {
    label: 'Next 15, webpack',
    build: BUILDS.find((b) => b.next === 15)!,
    dir: () => prepare(BUILDS.find((b) => b.next === 15)!),
  },
]

for (const { label, build, dir } of DEV) {
  describe(`next dev, ${label}`, () => {
    let app: Running
    beforeAll(async () => {
      app = await start(dir(), ENV, { build, dev: true })
    }, 180_000)
    afterAll(async () => {
      await app?.stop()
    })

    it('a server action’s commit renders in the same response (add, then destroy)', async () => {
      const jar = new Jar()
      const page = await (await fetch(`${app.url}/`, { headers: { 'user-agent': CHROME } })).text()
      const post = (form: FormData) => postForm(`${app.url}/`, jar, form)
      const add = actionForm(page, 'add')
      add.set('count', '2')
      const added = await post(add)
      jar.apply(added)
      expect([...jar.cookies.keys()]).toEqual(['session'])
      expect(await added.text()).toContain('data-testid="cart-count">2<')
      const destroyed = await post(actionForm(page, 'destroy'))
      jar.apply(destroyed)
      expect(jar.header()).toBe('')
      expect(await destroyed.text()).toContain('data-testid="cart-count">0<')
    }, 120_000)

    it('the Pages Router API route writes what getServerSideProps then reads', async () => {
      const jar = new Jar()
      const res = await fetch(`${app.url}/api/pages-cart`, {
        method: 'POST',
        headers: { 'user-agent': CHROME, 'content-type': 'application/json' },
        body: JSON.stringify({ sku: 'SKU-000007' }),
      })
      expect(res.status).toBe(200)
      jar.apply(res)
      const html = await (
        await fetch(`${app.url}/pages-router`, { headers: { 'user-agent': CHROME, cookie: jar.header() } })
      ).text()
      expect(html).toContain('data-testid="pages-cart-count">1<')
      expect(html).toContain('SKU-000007')
    }, 120_000)

    it('compiling printed no warning about the package or its dependencies', () => {
      const ours = app
        .logs()
        .split('\n')
        .filter((line) => /next-cookieman|jose|ua-parser|fflate|CompressionStream|DecompressionStream/i.test(line))
      expect(ours).toEqual([])
    })
  })
}
