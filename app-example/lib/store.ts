import type { SessionStore } from 'next-cookieman/redis'

/**
 * The example's store mode: SESSION_REDIS_URL names a Redis. The client is loaded on the Node
 * runtime only (Next folds `process.env.NEXT_RUNTIME` at build time, so an Edge middleware bundle
 * never includes node-redis); there, the engine has no store, which the proxy does not need: it never
 * reads the store, and re-issues a session's reference as it is.
 */
const loadRedis = process.env.NEXT_RUNTIME === 'edge' ? undefined : () => import('./redis-store')

function fromEnvironment(): SessionStore | undefined {
  const url = process.env.SESSION_REDIS_URL
  if (loadRedis === undefined || url === undefined || url === '') return undefined
  let store: Promise<SessionStore> | undefined
  const connected = () => (store ??= loadRedis().then((m) => m.connectStore(url)))
  return {
    get: async (key) => (await connected()).get(key),
    set: async (key, value, ttl) => (await connected()).set(key, value, ttl),
    delete: async (key) => (await connected()).delete(key),
    touch: async (key, ttl) => (await connected()).touch!(key, ttl),
  }
}

export const sessionStore = fromEnvironment()
