// Store mode in every browser: a session far larger than the cookies hold comes back whole, with
// what does not fit them in Redis (Debian's redis-server, started by global-setup.ts).
import { createClient } from 'redis'
import { addItems, cartCount, expect, ours, requestInfo, test, until } from './fixtures.js'

const DEFAULT_HEADER_LIMIT = 8192 - 512 - 10

/** The Redis key a session cookie refers to: its wire form's spill field (flag 8), after the age. */
function storedKey(value: string): string | undefined {
  // `v1.N.` (the chunk header), then kid.iat.exp.F.age.ref.REST
  const fields = value.split('.')
  const flags = Number.parseInt(fields[5] ?? '', 16)
  if ((flags & 8) === 0) return undefined
  return `next-cookieman:session.store:${fields[(flags & 4) !== 0 ? 8 : 7]!.slice(0, 22)}`
}

test('11. store mode: a 50 KB session comes back whole, the cart in Redis and the rest in cookies', async ({
  driver,
  servers,
}) => {
  const redis = createClient({ url: servers.redis })
  await redis.connect()
  try {
    await driver.open(servers.store)
    expect(await driver.text('[data-testid="store-view"]')).toContain('Redis holds nothing')
    // 900 items: 50 KB of cart JSON (and as many recently viewed pages, which the shrinker trims).
    expect(await addItems(driver, 900)).toBe(900)
    await until(
      async () => (await driver.text('[data-testid="commit-store"]')) ?? '',
      (text) => text.startsWith('In Redis: cart ('),
      'the commit to report the cart in Redis',
    )
    // The cookies hold the rest: the recently viewed list, trimmed by its shrink function to what
    // the budget leaves (two chunks under the 8 KiB line), and the reference in `session`.
    const jar = ours(await driver.cookies(servers.store))
    expect(jar.map((c) => c.name).sort()).toEqual(['session', 'session.1'])
    const key = storedKey(jar.find((c) => c.name === 'session')!.value)
    expect(key).toMatch(/^next-cookieman:session\.store:[A-Za-z0-9_-]{22}$/)
    expect(await redis.exists(key!)).toBe(1)
    // A fresh request: within the Cookie header budget, and the page shows the whole cart again.
    const info = await requestInfo(driver, servers.store)
    expect(info.cookieHeaderBytes).toBeLessThanOrEqual(DEFAULT_HEADER_LIMIT)
    await driver.open(servers.store)
    expect(await cartCount(driver)).toBe(900)
    const recent = Number(await driver.text('[data-testid="recent-count"]'))
    expect(recent).toBeGreaterThan(0)
    expect(recent).toBeLessThan(900)
    expect(await driver.text('[data-testid="store-keys"]')).toBe('cart')
    const bytes = Number(((await driver.text('[data-testid="store-bytes"]')) ?? '').replace(/,/g, ''))
    expect(bytes).toBeGreaterThan(50_000)
    expect(Number(await driver.text('[data-testid="json-bytes"]'))).toBeGreaterThan(bytes)
    // Destroy: the chunks and the stored part go.
    await driver.click('[data-testid="destroy"]')
    await until(
      () => cartCount(driver),
      (n) => n === 0,
      'the cart to be emptied',
    )
    expect(ours(await driver.cookies(servers.store))).toEqual([])
    expect(await redis.exists(key!)).toBe(0)
  } finally {
    await redis.quit()
  }
})
