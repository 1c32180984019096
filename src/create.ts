import { webBackend, type SealBackend } from './backend.js'
import { createEngineWith } from './engine.js'
import { withNext, type NextCookieman } from './next/index.js'
import { nextNow } from './next/work-units.js'
import type { CookiemanOptions } from './options/types.js'

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
  return createWith(options, webBackend)
}

/** {@link createCookieman} with the sealing backend of an entry point (see src/node/index.ts). */
export function createWith<T extends object>(options: CookiemanOptions<T>, backend: SealBackend): NextCookieman<T> {
  return withNext(createEngineWith(options, backend, nextNow))
}
