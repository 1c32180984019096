import { createCookieman } from '../create.js'
import type { CookiemanOptions } from '../options/types.js'
import { DIRECT, type Jar, SECRET } from './jar.js'

/**
 * Shared by src/next/*.test.ts: a stand-in for next/headers, one cookie store and one headers object
 * per "request". vi.mock is hoisted per file, so each test file mocks next/headers.js itself with a
 * factory that returns `nextHeadersMock`, which reads `request`. next/index.ts imports next/headers
 * lazily, so this module has finished loading before that factory runs.
 */

export const request = {
  cookies: new Map<string, string>(),
  headers: new Headers(),
  readOnly: false,
  sets: [] as Array<{ name: string; value: string; options: Record<string, unknown> }>,
  store: undefined as object | undefined,
  cookiesCalls: 0,
}

/** What each test file's vi.mock('next/headers.js', ...) returns. */
export const nextHeadersMock = {
  cookies: async () => {
    request.cookiesCalls++
    return request.store
  },
  headers: async () => request.headers,
}

export function startRequest(jar: Jar, extra: Record<string, string> = {}, readOnly = false) {
  request.cookies = new Map(jar.cookies)
  request.headers = jar.headers(extra)
  request.readOnly = readOnly
  request.sets = []
  request.cookiesCalls = 0
  request.store = {
    getAll: () => [...request.cookies].map(([name, value]) => ({ name, value })),
    set: (name: string, value: string, options: Record<string, unknown>) => {
      if (request.readOnly) throw new Error('Cookies can only be modified in a Server Action or Route Handler.')
      request.sets.push({ name, value, options })
      if (options['maxAge'] === 0) request.cookies.delete(name)
      else request.cookies.set(name, value)
    },
  }
}

type Cart = { cart: string[]; recent: string[] }
export const NOW = new Date('2026-11-26T12:00:00Z')

export function make(extra: Partial<CookiemanOptions<Cart>> = {}) {
  const errors: string[] = []
  const cm = createCookieman<Cart>({
    secret: SECRET,
    defaults: () => ({ cart: [], recent: [] }),
    onError: (e) => errors.push(e.code),
    ...extra,
    limits: { ...DIRECT, ...extra.limits },
  })
  return { cm, errors }
}

/** One request that adds `sku` to the cart and commits; the browser applies the response. */
export async function storeCart(cm: ReturnType<typeof make>['cm'], jar: Jar, sku: string) {
  startRequest(jar)
  const s = await cm.getSession()
  s.data.cart.push(sku)
  await cm.commitSession(s)
  respond(jar)
}

/** Applies what the mock store received to the browser jar, as Next's response would. */
export function respond(jar: Jar) {
  for (const { name, value, options } of request.sets) {
    if (options['maxAge'] === 0) jar.cookies.delete(name)
    else jar.cookies.set(name, value)
  }
}
