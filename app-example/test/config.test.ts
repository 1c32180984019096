import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { APP, ROOT } from './server.js'

// Routes only the test suites use are named route.test-only.ts: a route only where the build was
// made with EXAMPLE_TEST_ROUTES=1 (the suites' builds), never in the example's own build.
async function pageExtensions(testRoutes: boolean): Promise<string[]> {
  const saved = process.env['EXAMPLE_TEST_ROUTES']
  if (testRoutes) process.env['EXAMPLE_TEST_ROUTES'] = '1'
  else delete process.env['EXAMPLE_TEST_ROUTES']
  try {
    const url = `${join(ROOT, 'next.config.mjs')}?routes=${String(testRoutes)}`
    return ((await import(url)) as { default: { pageExtensions: string[] } }).default.pageExtensions
  } finally {
    if (saved === undefined) delete process.env['EXAMPLE_TEST_ROUTES']
    else process.env['EXAMPLE_TEST_ROUTES'] = saved
  }
}

describe('the example’s Next config', () => {
  it('test-only routes are routes only in the suites’ builds', async () => {
    expect(await pageExtensions(false)).toEqual(['tsx', 'ts', 'jsx', 'js'])
    expect(await pageExtensions(true)).toEqual(['test-only.ts', 'tsx', 'ts', 'jsx', 'js'])
    const api = join(APP, 'app', 'api')
    const testOnly = readdirSync(api).filter((dir) => readdirSync(join(api, dir)).includes('route.test-only.ts'))
    expect(testOnly.sort()).toEqual(['after-read', 'request-info', 'test-hooks'])
  })
})
