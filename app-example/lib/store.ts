import { redisStore } from 'next-cookieman/redis'
import { createClient } from 'redis'

/**
 * The example's store mode: SESSION_REDIS_URL names a Redis (node-redis client). One client per
 * server process, connected on first use; commands wait for the connection, and a Redis that is
 * down makes store calls time out (next-cookieman bounds them), never a page fail.
 */
function fromEnvironment() {
  const url = process.env.SESSION_REDIS_URL
  if (url === undefined || url === '') return undefined
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

export const sessionStore = fromEnvironment()
