/**
 * The app's key-value store, where the part of a session that does not fit its cookies goes (the
 * `store` option). Redis through `next-cookieman/redis`; any store with these three calls works
 * (Upstash Redis, Vercel KV, ioredis: see the README). Values are strings of at most a few hundred
 * KB; keys are `NAME.store:` + 22 base64url characters.
 */
export interface SessionStore {
  /** The value stored under `key`, or `null` when there is none (never stored, expired, deleted). */
  get(key: string): Promise<string | null>
  /** Stores `value` under `key` for `ttlSeconds` (a whole number, at least 1). */
  set(key: string, value: string, ttlSeconds: number): Promise<void>
  delete(key: string): Promise<void>
  /**
   * Optional: sets the time to live of an existing value (Redis `EXPIRE`). Without it, an unchanged
   * value whose session outlives it (a `rolling` re-issue) is stored again whole.
   */
  touch?(key: string, ttlSeconds: number): Promise<void>
}

/** How the session spills to the store (the `spill` option); keys are keys of the session data. */
export interface SpillOptions<K extends string = string> {
  /**
   * Keys moved to the store, largest first, before any shrink function runs (phase 0), rather than
   * trimmed: a cart the user must keep whole, say. Other keys spill where shrinking would drop them.
   */
  first?: readonly K[] | undefined
  /**
   * Keys never moved to the store: dropped as without one, when nothing else makes the session fit
   * (an access token the proxy must read, data that must not outlive the cookie).
   */
  never?: readonly K[] | undefined
  /** Milliseconds each store call may take before it counts as failed. @default 500 */
  timeout?: number | undefined
  /** Largest JSON the store takes for one session, in bytes. @default 1048576 */
  maxBytes?: number | undefined
}

export interface ResolvedSpill {
  store: SessionStore
  first: readonly string[]
  never: ReadonlySet<string>
  timeout: number
  maxBytes: number
}
