import { execFileSync } from 'node:child_process'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'

// The built package as an app installs it (npm workspaces link it into node_modules): both entries
// resolve, each to its Node build on Node, and they read each other's sessions.
const APP = join(import.meta.dirname, '..')
const SECRET = 'package-test-secret-0123456789-abcdef'

function resolveFromApp(specifier: string): string {
  const script = `console.log(import.meta.resolve(${JSON.stringify(specifier)}))`
  return execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: APP, encoding: 'utf8' }).trim()
}

describe('the published entries', () => {
  it.each([
    ['next-cookieman', '/dist/node/index.js'],
    ['next-cookieman/core', '/dist/node/core.js'],
  ])('%s resolves to %s on Node', (specifier, file) => {
    expect(resolveFromApp(specifier).endsWith(file)).toBe(true)
  })

  it('next-cookieman/core and next-cookieman read each other’s sessions', async () => {
    // Through the package name, as an app imports it (a variable: types come from the sources, so
    // this file type-checks before the package is built).
    const load = (specifier: string): Promise<unknown> => import(specifier)
    const core = (await load('next-cookieman/core')) as typeof import('../../src/core.js')
    const main = (await load('next-cookieman')) as typeof import('../../src/index.js')
    const engine = core.createEngine<{ cart: string[] }>({ secret: SECRET, defaults: () => ({ cart: [] }) })
    const app = main.createCookieman<{ cart: string[] }>({ secret: SECRET, defaults: () => ({ cart: [] }) })
    const session = await engine.decodeSession(new Headers())
    session.data.cart.push('sku-1')
    const { setCookie } = await engine.encodeSession(session, new Headers())
    const cookie = setCookie.map((line) => line.slice(0, line.indexOf(';'))).join('; ')
    const read = await app.decodeSession(new Headers({ cookie }))
    expect([read.isNew, read.data]).toEqual([false, { cart: ['sku-1'] }])
    expect(typeof (app as { getSession?: unknown }).getSession).toBe('function')
    expect('getSession' in engine).toBe(false)
  })
})
