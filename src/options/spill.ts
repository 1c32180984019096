import { configError } from '../errors.js'
import type { ResolvedSpill } from '../store/types.js'
import { isRecord, positiveInteger, refuseUnknownKeys } from './check.js'

const DEFAULT_TIMEOUT = 500
const DEFAULT_MAX_BYTES = 1024 * 1024

function keyList(value: unknown, option: string): string[] {
  if (value === undefined) return []
  if (!Array.isArray(value) || value.some((k) => typeof k !== 'string' || k === '')) {
    throw configError(`option ${option} must be an array of keys of the session data`)
  }
  return [...(value as string[])]
}

/** `store` (get, set, delete; touch optional) and `spill` (first, never, timeout, maxBytes). */
export function resolveSpill(store: unknown, spill: unknown): ResolvedSpill | undefined {
  if (store === undefined) {
    if (spill !== undefined) throw configError('option spill needs a store: store: redisStore(client), for example')
    return undefined
  }
  const s = store as Record<string, unknown> | null
  if (
    !isRecord(s) ||
    typeof s['get'] !== 'function' ||
    typeof s['set'] !== 'function' ||
    typeof s['delete'] !== 'function' ||
    (s['touch'] !== undefined && typeof s['touch'] !== 'function')
  ) {
    throw configError(
      'option store must have get(key), set(key, value, ttlSeconds) and delete(key), each returning a promise (redisStore(client) from next-cookieman/redis)',
    )
  }
  const options = spill ?? {}
  if (!isRecord(options)) throw configError('option spill must be an object')
  refuseUnknownKeys(options, ['first', 'never', 'timeout', 'maxBytes'], 'spill.')
  const first = keyList(options['first'], 'spill.first')
  const never = keyList(options['never'], 'spill.never')
  const both = first.find((k) => never.includes(k))
  if (both !== undefined) throw configError(`option spill: key ${JSON.stringify(both)} is in both first and never`)
  return {
    store: store as ResolvedSpill['store'],
    first,
    never: new Set(never),
    timeout: positiveInteger(options['timeout'], 'spill.timeout', DEFAULT_TIMEOUT),
    maxBytes: positiveInteger(options['maxBytes'], 'spill.maxBytes', DEFAULT_MAX_BYTES),
  }
}
