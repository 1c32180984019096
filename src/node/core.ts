/**
 * `next-cookieman/core` on Node.js (export condition `node`): the same engine, sealing through
 * node:crypto (see ./backend.ts).
 */
import type { Cookieman } from '../engine.js'
import { createEngineWith } from '../engine.js'
import type { CookiemanOptions } from '../options/types.js'
import { nodeBackend } from './backend.js'

export * from '../core.js'

/** {@link import('../core.js').createEngine}, sealing with node:crypto. */
export function createEngine<T extends object>(options: CookiemanOptions<T>): Cookieman<T> {
  return createEngineWith(options, nodeBackend)
}
