/**
 * The package's entry on Node.js (export condition `node`): the same API as the default entry,
 * with sessions sealed through node:crypto (see ./backend.ts). Edge, Workers and browsers get
 * ../index.ts, which reaches no `node:` module.
 */
import { createWith } from '../create.js'
import type { NextCookieman } from '../next/index.js'
import type { CookiemanOptions } from '../options/types.js'
import { nodeBackend } from './backend.js'

export * from '../index.js'
export { createEngine } from './core.js'

/** {@link import('../create.js').createCookieman}, sealing with node:crypto. */
export function createCookieman<T extends object>(options: CookiemanOptions<T>): NextCookieman<T> {
  return createWith(options, nodeBackend)
}
