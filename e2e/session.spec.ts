// Scenarios 1-6 of the cross-browser suite, on every browser: the example app served by next start.
import { addItems, cartCount, expect, ours, requestInfo, test, until } from './fixtures.js'

const PER_COOKIE = 4096
// The Cookie header value the default server allows: maxCookieHeaderBytes 8192 less reserveBytes 512
// less `Cookie: ` and CRLF (10 bytes).
const DEFAULT_HEADER_LIMIT = 8192 - 512 - 10

test('1. grows to 5+ chunks under a raised budget, and the page shows exactly what was added', async ({
  driver,
  servers,
}) => {
  await driver.open(servers.raised)
  expect(await addItems(driver, 200)).toBe(200)
  expect(await driver.text('[data-testid="recent-count"]')).toBe('200')
  expect(await driver.text('[data-testid="trimmed"]')).toBeUndefined()
  const last = await driver.text('[data-testid="last-commit"]')
  const chunks = Number(/(\d+) chunk\(s\)/.exec(last ?? '')?.[1])
  expect(chunks).toBeGreaterThanOrEqual(5)
  const jar = ours(await driver.cookies(servers.raised))
  expect(jar.map((c) => c.name).sort()).toEqual(
    ['session', ...Array.from({ length: chunks - 1 }, (_, i) => `session.${i + 1}`)].sort(),
  )
  for (const c of jar) expect(c.name.length + c.value.length).toBeLessThanOrEqual(PER_COOKIE)
  // Read back on a fresh request: the same 200 items.
  await driver.open(servers.raised)
  expect(await cartCount(driver)).toBe(200)
  expect(await driver.text('[data-testid="is-new"]')).toBe('stored session')
})

test('2. under the default budget the session keeps growing: no 431/400, the header stays in budget, the shrinker trims', async ({
  driver,
  servers,
}) => {
  await driver.open(servers.default)
  const commits: string[] = []
  for (let round = 0; round < 4; round++) {
    await addItems(driver, 100)
    commits.push((await driver.text('[data-testid="last-commit"]')) ?? '')
    const info = await requestInfo(driver, servers.default)
    expect(info.cookieHeaderBytes).toBeLessThanOrEqual(DEFAULT_HEADER_LIMIT)
    await driver.open(servers.default)
    expect(await cartCount(driver)).toBeGreaterThan(0)
  }
  // 400 items are ~32 KB of JSON: the budget holds ~5.7 KB, so commits had to trim: recently viewed
  // first (its shrink function is registered first), then the cart.
  const shrunk = commits.filter((c) => c.includes('Shrunk in'))
  expect(shrunk.length).toBeGreaterThanOrEqual(3)
  for (const c of shrunk) expect(c).toMatch(/trimmed (recent|cart)/)
  expect(shrunk.filter((c) => c.includes('trimmed cart')).length).toBeGreaterThanOrEqual(2)
  expect(await cartCount(driver)).toBeLessThan(400)
})

test('3. shrinking from 5+ chunks to one leaves `session` alone in the jar', async ({ driver, servers }) => {
  await driver.open(servers.raised)
  await addItems(driver, 200)
  expect(ours(await driver.cookies(servers.raised)).length).toBeGreaterThanOrEqual(5)
  await driver.click('[data-testid="keep-one"]')
  await until(
    () => cartCount(driver),
    (n) => n === 1,
    'the cart to keep one item',
  )
  expect(ours(await driver.cookies(servers.raised)).map((c) => c.name)).toEqual(['session'])
  // The page rendered with that commit already shows one chunk, and no rejected cookie.
  expect(await driver.text('[data-testid="session-error"]')).toBeUndefined()
  expect(await driver.text('[data-testid="budget-numbers"]')).toMatch(/^1 chunk\(s\)/)
  await driver.open(servers.raised)
  expect(await cartCount(driver)).toBe(1)
})

test('4. destroy leaves no chunk of ours in the jar', async ({ driver, servers }) => {
  await driver.open(servers.raised)
  await addItems(driver, 200)
  expect(ours(await driver.cookies(servers.raised)).length).toBeGreaterThanOrEqual(5)
  await driver.click('[data-testid="destroy"]')
  await until(
    () => cartCount(driver),
    (n) => n === 0,
    'the cart to empty',
  )
  expect(ours(await driver.cookies(servers.raised))).toEqual([])
  // The page rendered with the destroy shows a new session, not a rejected cookie.
  expect(await driver.text('[data-testid="session-error"]')).toBeUndefined()
  expect(await driver.text('[data-testid="is-new"]')).toBe('new session')
  expect(await driver.text('[data-testid="budget-numbers"]')).toMatch(/^0 chunk\(s\)/)
})

test('5. a tampered chunk gives a new session, ERR_SESSION_TAMPERED in the log, and no 500', async ({
  driver,
  servers,
}) => {
  await driver.open(servers.default)
  await addItems(driver, 60)
  const jar = ours(await driver.cookies(servers.default))
  const chunk = jar.find((c) => c.name === 'session.1')
  expect(chunk).toBeDefined()
  const value = chunk!.value
  const tampered = value.slice(0, 10) + (value[10] === 'A' ? 'B' : 'A') + value.slice(11)
  await driver.setCookie(servers.default, 'session.1', tampered)
  expect(ours(await driver.cookies(servers.default)).find((c) => c.name === 'session.1')?.value).toBe(tampered)
  const logBefore = servers.log('default').split('ERR_SESSION_TAMPERED').length
  await driver.open(servers.default)
  expect(await driver.text('h1')).toBe('next-cookieman')
  expect(await driver.text('[data-testid="session-error"]')).toContain('ERR_SESSION_TAMPERED')
  expect(await driver.text('[data-testid="is-new"]')).toBe('new session')
  expect(await cartCount(driver)).toBe(0)
  await until(
    async () => servers.log('default').split('ERR_SESSION_TAMPERED').length,
    (n) => n > logBefore,
    'the server to log ERR_SESSION_TAMPERED',
  )
})

test('6. three 1 KB cookies set by the page’s own script survive while the session grows', async ({
  driver,
  servers,
}) => {
  await driver.open(`${servers.default}/?others=3`)
  const prefs = async () =>
    (await driver.cookies(servers.default)).filter((c) => /^pref[0-2]$/.test(c.name) && c.value === 'p'.repeat(1000))
  await until(prefs, (p) => p.length === 3, 'the page script to set its three cookies')
  await driver.open(servers.default)
  for (let round = 0; round < 3; round++) {
    await addItems(driver, 100)
    expect((await prefs()).map((c) => c.name).sort()).toEqual(['pref0', 'pref1', 'pref2'])
    const info = await requestInfo(driver, servers.default)
    expect(info.cookies.filter((n) => n.startsWith('pref')).sort()).toEqual(['pref0', 'pref1', 'pref2'])
    expect(info.cookieHeaderBytes).toBeLessThanOrEqual(DEFAULT_HEADER_LIMIT)
    await driver.open(servers.default)
    expect(await cartCount(driver)).toBeGreaterThan(0)
  }
})

test('7. a flash notice after a redirect is shown once: from a form to a route handler (303) and from a server action', async ({
  driver,
  servers,
}) => {
  const flash = () => driver.text('[data-testid="flash"]')
  for (const [button, cart] of [
    ['add-three-form', 3],
    ['add-three-action', 6],
  ] as const) {
    await driver.open(servers.default)
    expect(await flash()).toBeUndefined()
    await driver.click(`[data-testid="${button}"]`)
    await until(flash, (text) => text === 'Added 3 items', `the flash notice after ${button}`)
    expect(await cartCount(driver)).toBe(cart)
    // Consumed by that render: the jar holds only the session, and the next render shows nothing.
    expect((await driver.cookies(servers.default)).map((c) => c.name)).toEqual(['session'])
    await driver.open(servers.default)
    expect(await cartCount(driver)).toBe(cart)
    expect(await flash()).toBeUndefined()
  }
})
