import { deletionWrite } from './budget.js'
import { createCore } from './cookieman.js'
import { withNext, type NextCookieman } from './next/index.js'
import type { CookiemanOptions } from './options.js'

/**
 * Creates a session engine: the framework-free core (`decodeSession`, `encodeSession`) plus the
 * App Router helpers (`getSession`, `commitSession`, `middleware`). Options are validated here:
 * misuse throws `SessionError` `ERR_SESSION_CONFIG` with what to change.
 *
 * @example
 * ```ts
 * export const cookieman = createCookieman<Cart>({
 *   secret: process.env.SESSION_SECRET!,
 *   defaults: () => ({ cart: [], recent: [] }),
 * })
 * ```
 */
export function createCookieman<T extends object>(options: CookiemanOptions<T>): NextCookieman<T> {
  const { cookieman, options: resolved, database } = createCore(options)
  return withNext(cookieman, {
    rolling: resolved.rolling,
    database,
    deletion: (name) => deletionWrite(name, resolved.cookie),
  })
}
