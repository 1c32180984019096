// 7. (Chromium) User-Agent emulation: the budget is the emulated browser's.
import { startDriver } from './drivers.js'
import { addItems, expect, ours, test } from './fixtures.js'

const IE11 = 'Mozilla/5.0 (Windows NT 10.0; WOW64; Trident/7.0; rv:11.0) like Gecko'
const FIREFOX_ANDROID = 'Mozilla/5.0 (Android 14; Mobile; rv:133.0) Gecko/133.0 Firefox/133.0'
// The attributes the e2e servers send on a live chunk (no Secure on plain http).
const ATTRIBUTES = '; Max-Age=1209600; Path=/; HttpOnly; SameSite=Lax'

test('7a. as Internet Explorer 11: 50 cookies, 4096 bytes including attributes', async ({ servers }) => {
  const driver = await startDriver('chromium', { userAgent: IE11 })
  try {
    await driver.open(servers.default)
    expect(await driver.text('[data-testid="budget-source"]')).toBe('trident')
    expect(await driver.text('[data-testid="browser"]')).toBe('IE')
    expect(await driver.text('[data-testid="budget-numbers"]')).toContain('of 50 cookies')
    await addItems(driver, 60)
    const jar = ours(await driver.cookies(servers.default))
    expect(jar.length).toBeGreaterThanOrEqual(2)
    for (const c of jar) expect(c.name.length + 1 + c.value.length + ATTRIBUTES.length).toBeLessThanOrEqual(4096)
    // The first chunk is filled to that limit exactly: fewer, fuller chunks.
    const first = jar.find((c) => c.name === 'session')!
    expect(first.name.length + 1 + first.value.length + ATTRIBUTES.length).toBe(4096)
  } finally {
    await driver.close()
  }
})

test('7b. as Firefox for Android: the gecko entry', async ({ servers }) => {
  const driver = await startDriver('chromium', { userAgent: FIREFOX_ANDROID })
  try {
    await driver.open(servers.default)
    expect(await driver.text('[data-testid="budget-source"]')).toBe('gecko')
    expect(await driver.text('[data-testid="browser"]')).toBe('Firefox')
    expect(await driver.text('[data-testid="budget-numbers"]')).toContain('of 180 cookies')
  } finally {
    await driver.close()
  }
})
