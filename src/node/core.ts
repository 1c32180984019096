/**
 * `next-cookieman/core` on Node.js (export condition `node`): the same engine, sealing through
 * node:crypto (see ./backend.ts).
 */
import type { Cookieman } from '../engine.js'
import { createEngineWith } from '../engine.js'
import type { CookiemanOptions, SchemaOptions } from '../options/types.js'
import type { SchemaOutput, SessionSchema } from '../schema.js'
import { nodeBackend } from './backend.js'

export * from '../core.js'

/** {@link import('../core.js').createEngine}, sealing with node:crypto. */
export function createEngine<S extends SessionSchema<object>>(options: SchemaOptions<S>): Cookieman<SchemaOutput<S>>
export function createEngine<T extends object>(options: CookiemanOptions<T>): Cookieman<T>
export function createEngine(options: unknown): Cookieman<object> {
  // Both overloads take options of this shape; resolveOptions checks them at run time.
  return createEngineWith(options as CookiemanOptions<object>, nodeBackend)
}
