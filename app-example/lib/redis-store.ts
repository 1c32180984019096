import { redisStore } from 'next-cookieman/redis'
import { createClient } from 'redis'

/**
 * The store mode's Redis client (node-redis): one per server process, connected on first use.
 * Commands wait for the connection; while Redis is down they time out (next-cookieman bounds every
 * store call), so a page never fails for it. Node runtime only: see ./store.ts.
 */
export function connectStore(url: string) {
  const client = createClient({ url, socket: { reconnectStrategy: (retries) => Math.min(retries * 100, 2000) } })
  let logged = false
  client.on('error', (err: Error) => {
    if (!logged) console.warn(`[next-cookieman example] Redis at ${url}: ${err.message}`)
    logged = true
  })
  client.on('ready', () => (logged = false))
  client.connect().catch(() => undefined)
  return redisStore(client)
}
