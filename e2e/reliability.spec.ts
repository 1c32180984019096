// Reliability in real browsers, on every browser: no lock-out when the app's other cookies use most of
// the budget, and concurrent commits applied in both orders.
import { addItems, expect, ours, requestInfo, test, until } from './fixtures.js'

const DEFAULT_HEADER_LIMIT = 8192 - 512 - 10

async function setOthers(driver: Parameters<typeof addItems>[0], base: string, n: number) {
  await driver.open(`${base}/?others=${n}`)
  await until(
    async () => (await driver.cookies(base)).filter((c) => /^pref\d+$/.test(c.name)).length,
    (count) => count === n,
    `the page script to set ${n} cookies`,
  )
  await driver.open(base)
}

test('9a. other cookies use most of the budget: the session shrinks to what is left, never a 431/400', async ({
  driver,
  servers,
}) => {
  // 7 × ~1 KB of the app's own cookies leave ~600 of the 7,670 bytes.
  await setOthers(driver, servers.default, 7)
  await addItems(driver, 100)
  const last = (await driver.text('[data-testid="last-commit"]')) ?? ''
  expect(last).toContain('Shrunk in')
  const info = await requestInfo(driver, servers.default)
  expect(info.cookieHeaderBytes).toBeLessThanOrEqual(DEFAULT_HEADER_LIMIT)
  expect(info.cookies.filter((n) => n.startsWith('pref'))).toHaveLength(7)
  expect(info.cookies).toContain('session')
})

test('9b. other cookies use all of the budget: the session is dropped with ERR_SESSION_TOO_LARGE, never a 431/400', async ({
  driver,
  servers,
}) => {
  await setOthers(driver, servers.default, 8)
  await driver.fill('input[name="count"][type="number"]', '5')
  await driver.click('[data-testid="add-many"]')
  await until(
    async () => (await driver.text('[data-testid="commit-error"]')) ?? '',
    (code) => code !== '',
    'the commit to report its error',
  )
  expect(await driver.text('[data-testid="commit-error"]')).toBe('ERR_SESSION_TOO_LARGE')
  expect(ours(await driver.cookies(servers.default))).toEqual([])
  const info = await requestInfo(driver, servers.default)
  expect(info.cookies.filter((n) => n.startsWith('pref'))).toHaveLength(8)
})

for (const order of ['large first, small last', 'small first, large last'] as const) {
  test(`10. concurrent commits with different chunk counts (${order}): one session readable, then cleaned up`, async ({
    driver,
    servers,
  }) => {
    await driver.open(servers.raised)
    const last = order === 'large first, small last' ? 'small' : 'large'
    const key = `${driver.engine}-${Date.now()}`
    // Two requests in flight from one page, sent with the same cookies. The one that must land last
    // is held by the server until the other's response has been applied, then released.
    const statuses = await driver.evaluate<number[]>(`(async () => {
      const bodies = {
        large: { recent: Array.from({ length: 500 }, (_, i) => '/products/' + i + '-ceramic-pour-over') },
        small: { recent: ['/one'] },
      }
      const post = (body, hold) => fetch('/api/session' + (hold ? '?hold=' + hold : ''), {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
      }).then((r) => r.status)
      const held = post(bodies['${last}'], '${key}')
      const first = await post(bodies['${last === 'small' ? 'large' : 'small'}'])
      await fetch('/api/test-hooks?release=${key}', { method: 'POST' })
      return [first, await held]
    })()`)
    expect(statuses).toEqual([200, 200])
    // The large session wrote 5+ chunks (~17 KB of JSON), the small one a single cookie: either way the
    // jar holds 5+ of ours now (stale ones, when the small one came last).
    const chunksAfter = ours(await driver.cookies(servers.raised)).map((c) => c.name)
    expect(chunksAfter.length).toBeGreaterThanOrEqual(5)

    // The next request reads the session written last, whole, and the proxy deletes what is stale.
    await driver.open(`${servers.raised}/api/session`)
    const body = JSON.parse(await driver.body()) as { data: { recent: string[] }; error: string | null }
    expect(body.error).toBeNull()
    expect(body.data.recent).toHaveLength(last === 'small' ? 1 : 500)
    await driver.open(`${servers.raised}/api/session`)
    const names = ours(await driver.cookies(servers.raised)).map((c) => c.name)
    expect(names).toHaveLength(last === 'small' ? 1 : chunksAfter.length)
  })
}
