import { createCookieman } from '../create.js'
import type { CookiemanOptions } from '../options/types.js'
import type { SessionError, SessionErrorCode } from '../errors.js'
import { DIRECT, type Jar, SECRET } from './jar.js'

/**
 * Shared by the engine-level tests (encode, decode, payload, budget-commit, engine): one data shape,
 * a fixed clock, an instance that records its onError codes, and a commit replayed onto a jar.
 */

export type Cart = { userId?: string; cart: string[]; recent: string[]; note?: string }

export const NOW = new Date('2026-11-26T12:00:00Z')

export function make(extra: Partial<CookiemanOptions<Cart>> = {}) {
  const errors: SessionErrorCode[] = []
  const cm = createCookieman<Cart>({
    secret: SECRET,
    defaults: () => ({ cart: [], recent: [] }),
    onError: (e: SessionError) => errors.push(e.code),
    ...extra,
    limits: { ...DIRECT, ...extra.limits },
  })
  return { cm, errors }
}

export async function commit(cm: ReturnType<typeof make>['cm'], jar: Jar, mutate: (d: Cart) => void) {
  const s = await cm.decodeSession(jar.headers())
  mutate(s.data)
  const out = await cm.encodeSession(s, jar.headers())
  jar.apply(out.setCookie)
  return { ...out, session: s }
}

export function skus(n: number, width = 24): string[] {
  return Array.from({ length: n }, (_, i) => `sku-${String(i).padStart(width - 4, '0')}`)
}
