/**
 * `next-cookieman/redis`: the `store` option over a client of the `redis` package (node-redis 5
 * or later, the official client; an optional peer dependency). Nothing of it is imported here: the
 * client is any object with these four commands, so this entry adds no code to a bundle but the
 * adapter's.
 *
 * @example
 * ```ts
 * import { createClient } from 'redis'
 * import { redisStore } from 'next-cookieman/redis'
 * const client = await createClient({ url: process.env.REDIS_URL }).connect()
 * export const cookieman = createCookieman<Shop>({ secret, defaults, store: redisStore(client) })
 * ```
 */
import type { SessionStore } from './store/types.js'

/** The commands of a node-redis client (or cluster) the store uses. */
export interface RedisClientLike {
  get(key: string): Promise<unknown>
  set(key: string, value: string, options: { expiration: { type: 'EX'; value: number } }): Promise<unknown>
  del(key: string): Promise<unknown>
  expire(key: string, seconds: number): Promise<unknown>
}

export interface RedisStoreOptions {
  /** Prepended to every key, to share one database between apps. @default 'next-cookieman:' */
  prefix?: string | undefined
}

/** A {@link SessionStore} over a connected node-redis client: GET, SET EX, DEL and EXPIRE. */
export function redisStore(client: RedisClientLike, options: RedisStoreOptions = {}): SessionStore {
  if (typeof client !== 'object' || client === null || typeof client.get !== 'function') {
    throw new TypeError(
      'redisStore(client): client must be a node-redis client (createClient() from the redis package)',
    )
  }
  const prefix = options.prefix ?? 'next-cookieman:'
  return {
    async get(key) {
      const value = await client.get(prefix + key)
      return value === null || value === undefined ? null : String(value)
    },
    async set(key, value, ttlSeconds) {
      await client.set(prefix + key, value, { expiration: { type: 'EX', value: ttlSeconds } })
    },
    async delete(key) {
      await client.del(prefix + key)
    },
    async touch(key, ttlSeconds) {
      await client.expire(prefix + key, ttlSeconds)
    },
  }
}

export type { SessionStore, SpillOptions } from './store/types.js'
