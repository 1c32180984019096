import { webBackend, type SealBackend } from './backend.js'
import { createEngineWith } from './engine.js'
import { withNext, type NextCookieman } from './next/index.js'
import { nextNow } from './next/work-units.js'
import type { CookiemanOptions, SchemaOptions } from './options/types.js'
import type { SchemaOutput, SessionSchema } from './schema.js'

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
export function createCookieman<S extends SessionSchema<object>>(
  options: SchemaOptions<S>,
): NextCookieman<SchemaOutput<S>>
export function createCookieman<T extends object>(options: CookiemanOptions<T>): NextCookieman<T>
export function createCookieman(options: unknown): NextCookieman<object> {
  // Both overloads take options of this shape; resolveOptions checks them at run time.
  return createWith(options as CookiemanOptions<object>, webBackend)
}

/** {@link createCookieman} with the sealing backend of an entry point (see src/node/index.ts). */
export function createWith<T extends object>(options: CookiemanOptions<T>, backend: SealBackend): NextCookieman<T> {
  return withNext(createEngineWith(options, backend, nextNow))
}
