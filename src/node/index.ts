/**
 * The package's entry on Node.js (export condition `node`): the same API as the default entry,
 * with sessions sealed through node:crypto (see ./backend.ts). Edge, Workers and browsers get
 * ../index.ts, which reaches no `node:` module.
 */
import { createWith } from '../create.js'
import type { NextCookieman } from '../next/index.js'
import type { CookiemanOptions, SchemaOptions } from '../options/types.js'
import type { SchemaOutput, SessionSchema } from '../schema.js'
import { nodeBackend } from './backend.js'

export * from '../index.js'
export { createEngine } from './core.js'

/** {@link import('../create.js').createCookieman}, sealing with node:crypto. */
export function createCookieman<S extends SessionSchema<object>>(
  options: SchemaOptions<S>,
): NextCookieman<SchemaOutput<S>>
export function createCookieman<T extends object>(options: CookiemanOptions<T>): NextCookieman<T>
export function createCookieman(options: unknown): NextCookieman<object> {
  // Both overloads take options of this shape; resolveOptions checks them at run time.
  return createWith(options as CookiemanOptions<object>, nodeBackend)
}
