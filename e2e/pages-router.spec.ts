// The Pages Router beside the App Router, on every browser: one session for both routers.
import { addItems, cartCount, expect, ours, test } from './fixtures.js'

test('7. the App Router page and the Pages Router page read and write one session', async ({ driver, servers }) => {
  await driver.open(servers.default)
  expect(await addItems(driver, 3)).toBe(3)
  // getServerSideProps reads the cart with getSession(req) and counts the visit with commitSession(session, res).
  await driver.open(`${servers.default}/pages-router`)
  expect(await driver.text('[data-testid="pages-cart-count"]')).toBe('3')
  expect(await driver.text('[data-testid="pages-visits"]')).toBe('1')
  await driver.open(`${servers.default}/pages-router`)
  expect(await driver.text('[data-testid="pages-visits"]')).toBe('2')
  // Back in the App Router: the cart the Pages Router rewrote, one cookie, nothing stale.
  await driver.open(servers.default)
  expect(await cartCount(driver)).toBe(3)
  expect(ours(await driver.cookies(servers.default)).map((c) => c.name)).toEqual(['session'])
})
