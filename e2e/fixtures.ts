import { readFileSync } from 'node:fs'
import { expect, test as base } from '@playwright/test'
import { startDriver, stopAll, type Driver, type Engine, type JarCookie } from './drivers.js'
import type { FrontId, Protocol } from './fronts/servers.js'

export const OURS = /^session(\.[1-9][0-9]*)?$/

/** The fronts of fronts.spec.ts, each over HTTP/1.1 and HTTP/2, in front of the example with its defaults. */
export const FRONT_IDS: FrontId[] = ['nginx', 'apache', 'haproxy', 'caddy']
export const PROTOCOLS: Protocol[] = ['http1', 'http2']
/** maxAge of the example behind the fronts (rolling: re-issued after half of it). */
export const FRONTS_MAX_AGE = 16

export interface FrontInfo {
  id: FrontId
  protocol: Protocol
  url: string
  version: string
  logs: string
}

/** The fronts global-setup.ts started (read in the worker, where the suite runs). */
export function frontsUnderTest(): FrontInfo[] {
  const value = process.env['E2E_FRONTS']
  if (value === undefined) throw new Error('E2E_FRONTS is not set: run the suite through playwright.config.ts')
  return JSON.parse(value) as FrontInfo[]
}

export interface Servers {
  /** The example reached directly, with an 8 KiB Cookie line and 512 bytes of reserve (`node` as its only front). */
  default: string
  /** The example with a 32 KiB budget and Node's header limit raised to 64 KiB. */
  raised: string
  /** Store mode: the default budget, and a Redis (at `redis`) for what does not fit it. */
  store: string
  redis: string
  log(which: 'default' | 'raised'): string
}

export const test = base.extend<{ driver: Driver; servers: Servers }, { engine: Engine; browsers: void }>({
  engine: ['chromium', { option: true, scope: 'worker' }],
  // Shared browser processes per worker, closed at its end.
  browsers: [
    async ({}, use) => {
      await use()
      await stopAll()
    },
    { scope: 'worker', auto: true },
  ],
  driver: async ({ engine }, use) => {
    const driver = await startDriver(engine)
    await use(driver)
    await driver.close()
  },
  servers: async ({}, use) => {
    const env = (name: string) => {
      const value = process.env[name]
      if (value === undefined) throw new Error(`${name} is not set: run the suite through playwright.config.ts`)
      return value
    }
    await use({
      default: env('E2E_DEFAULT_URL'),
      raised: env('E2E_RAISED_URL'),
      store: env('E2E_STORE_URL'),
      redis: env('E2E_REDIS_URL'),
      log: (which) => readFileSync(env(which === 'default' ? 'E2E_DEFAULT_LOG' : 'E2E_RAISED_LOG'), 'utf8'),
    })
  },
})

export { expect }

export const ours = (cookies: JarCookie[]) => cookies.filter((c) => OURS.test(c.name))

/** Polls `read` until `accept` says yes (drivers have no common auto-waiting). */
export async function until<T>(read: () => Promise<T>, accept: (value: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + 30_000
  let last: T = await read()
  while (!accept(last)) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last value: ${JSON.stringify(last)}`)
    await new Promise((r) => setTimeout(r, 100))
    last = await read()
  }
  return last
}

export const cartCount = async (driver: Driver) => Number(await driver.text('[data-testid="cart-count"]'))

/** Adds `count` items through the server action and waits for the page to show the new cart. */
export async function addItems(driver: Driver, count: number): Promise<number> {
  const before = await cartCount(driver)
  const lastBefore = (await driver.text('[data-testid="last-commit"]')) ?? ''
  await driver.fill('input[name="count"][type="number"]', String(count))
  await driver.click('[data-testid="add-many"]')
  await until(
    async () => [await cartCount(driver), (await driver.text('[data-testid="last-commit"]')) ?? ''] as const,
    ([n, last]) => n !== before || (last !== lastBefore && last.startsWith(`added ${count} items`)),
    `the cart to change after adding ${count}`,
  )
  return cartCount(driver)
}

/** What the server received on a fresh request from this browser: Cookie header size and names. */
export async function requestInfo(driver: Driver, base: string) {
  await driver.open(`${base}/api/request-info`)
  const body = await driver.body()
  // A 431 or 400 has no JSON body: the parse fails and says so.
  return JSON.parse(body) as { cookieHeaderBytes: number; cookies: string[]; userAgent: string }
}
