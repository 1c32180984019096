import { BUILTIN_FRONTS, frontById, frontsFromEnvironment, type FrontEntry } from '../fronts/database.js'
import { configError } from '../errors.js'
import { isRecord, positiveInteger, refuseUnknownKeys } from './check.js'
import { DEFAULTS, MIN_COOKIE_HEADER_BYTES, MIN_RESPONSE_HEADER_BYTES, REQUEST_HEAD_ALLOWANCE } from './defaults.js'
import type { LimitsOptions } from './types.js'

/**
 * `limits.fronts`, `limits.maxCookieHeaderBytes` and `limits.maxResponseHeaderBytes`: the servers in
 * front of the app, and the two limits the budget takes from them (the Cookie request header line
 * and the whole response head). A number given by the app wins over the fronts' figure.
 */

export interface ResolvedFronts {
  /** The fronts a request passes, `node` included unless a platform runs the app. */
  fronts: readonly FrontEntry[]
  maxCookieHeaderBytes: number
  /** Where `maxCookieHeaderBytes` comes from: a front id, or `option`. */
  cookieHeaderSource: string
  /** `undefined`: no front limits the response head (the browser's limit applies). */
  maxResponseHeaderBytes: number | undefined
  responseHeadSource: string | undefined
}

const FRONT_KEYS = [
  'id',
  'name',
  'kind',
  'source',
  'raise',
  'cookieLineBytes',
  'requestHeadBytes',
  'responseHeadBytes',
] as const

/** The environment at start-up, where the runtime has one (Node, and platforms that emulate it). */
export function runtimeEnvironment(): Record<string, string | undefined> {
  const holder = globalThis as { process?: { env?: Record<string, string | undefined> } }
  return holder.process?.env ?? {}
}

function resolveFront(input: unknown, index: number): FrontEntry {
  const where = `limits.fronts[${index}]`
  if (typeof input === 'string') {
    const entry = frontById(input)
    if (entry === undefined) {
      throw configError(
        `option ${where} names no known front: ${JSON.stringify(input)} (known: ${BUILTIN_FRONTS.map((f) => f.id).join(', ')}; or give { id, cookieLineBytes, responseHeadBytes })`,
      )
    }
    return entry
  }
  if (!isRecord(input) || typeof input['id'] !== 'string' || input['id'] === '') {
    throw configError(`option ${where} must be a front id or an object with an id`)
  }
  refuseUnknownKeys(input, FRONT_KEYS, `${where}.`)
  const id = input['id']
  const base = frontById(id)
  // A key given as undefined changes nothing (it must not erase a built-in limit).
  const given = Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined))
  const merged = { ...base, ...given } as Partial<FrontEntry> & { id: string }
  if (merged.kind !== undefined && merged.kind !== 'server' && merged.kind !== 'platform') {
    throw configError(`option ${where}.kind must be 'server' or 'platform', got ${JSON.stringify(merged.kind)}`)
  }
  for (const key of ['name', 'raise', 'source'] as const) {
    if (merged[key] !== undefined && typeof merged[key] !== 'string') {
      throw configError(`option ${where}.${key} must be a string`)
    }
  }
  if (merged.cookieLineBytes === undefined) {
    throw configError(`option ${where}.cookieLineBytes is required for a front that is not built in (${id})`)
  }
  positiveInteger(merged.cookieLineBytes, `${where}.cookieLineBytes`, 0, MIN_COOKIE_HEADER_BYTES)
  if (merged.requestHeadBytes !== undefined) {
    positiveInteger(
      merged.requestHeadBytes,
      `${where}.requestHeadBytes`,
      0,
      MIN_COOKIE_HEADER_BYTES + REQUEST_HEAD_ALLOWANCE,
    )
  }
  if (merged.responseHeadBytes !== undefined) {
    positiveInteger(merged.responseHeadBytes, `${where}.responseHeadBytes`, 0, MIN_RESPONSE_HEADER_BYTES)
  }
  return {
    kind: 'server',
    name: id,
    raise: '',
    ...merged,
    cookieLineBytes: merged.cookieLineBytes,
    // Changed by the app: its own source if it gives one.
    source: given['source'] === undefined ? `${where} (app configuration)` : String(given['source']),
  } as FrontEntry
}

/** The largest Cookie line a front passes, its whole-head limit less the rest of a browser's request. */
export function cookieLineLimit(front: FrontEntry): number {
  const head = front.requestHeadBytes === undefined ? Infinity : front.requestHeadBytes - REQUEST_HEAD_ALLOWANCE
  return Math.min(front.cookieLineBytes, head)
}

export function resolveFronts(
  limits: Pick<LimitsOptions, 'fronts' | 'maxCookieHeaderBytes' | 'maxResponseHeaderBytes'>,
  env: Record<string, string | undefined> = runtimeEnvironment(),
): ResolvedFronts {
  let named: FrontEntry[]
  if (limits.fronts === undefined) {
    const platform = frontsFromEnvironment(env)
    named = platform.length > 0 ? platform : DEFAULTS.fronts.map((id) => frontById(id)!)
  } else {
    if (!Array.isArray(limits.fronts) || limits.fronts.length === 0) {
      throw configError(`option limits.fronts must be a non-empty array of front ids or entries, e.g. ['nginx']`)
    }
    named = (limits.fronts as unknown[]).map(resolveFront)
  }
  // `next start` answers every request the fronts pass on, unless a platform runs the app its own way.
  const node = frontById('node')!
  const fronts = named.some((f) => f.kind === 'platform' || f.id === node.id) ? named : [...named, node]

  let line = fronts[0]!
  for (const front of fronts) if (cookieLineLimit(front) < cookieLineLimit(line)) line = front
  let head: FrontEntry | undefined
  for (const front of fronts) {
    if (
      front.responseHeadBytes !== undefined &&
      (head === undefined || front.responseHeadBytes < head.responseHeadBytes!)
    ) {
      head = front
    }
  }
  const givenLine = limits.maxCookieHeaderBytes
  const givenHead = limits.maxResponseHeaderBytes
  return {
    fronts,
    maxCookieHeaderBytes:
      givenLine === undefined
        ? cookieLineLimit(line)
        : positiveInteger(givenLine, 'limits.maxCookieHeaderBytes', 0, MIN_COOKIE_HEADER_BYTES),
    cookieHeaderSource: givenLine === undefined ? line.id : 'option',
    maxResponseHeaderBytes:
      givenHead === undefined
        ? head?.responseHeadBytes
        : positiveInteger(givenHead, 'limits.maxResponseHeaderBytes', 0, MIN_RESPONSE_HEADER_BYTES),
    responseHeadSource: givenHead === undefined ? head?.id : 'option',
  }
}
