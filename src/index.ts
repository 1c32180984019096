/**
 * `next-cookieman`: the engine plus the Next.js App Router layer (`getSession`, `commitSession`,
 * `middleware`). Everything `next-cookieman/core` exports is exported here too.
 */
export { createCookieman } from './create.js'
export type { NextCookieman, ProxyRequest } from './next/index.js'
export * from './core.js'
