import { RFC6265_MINIMUM, type BrowserEntry, type BrowserMatch } from '../browsers/database.js'
import { configError } from '../errors.js'
import { isRecord, positiveInteger, refuseUnknownKeys } from './check.js'

/** `limits.browsers`: overrides of built-in database entries by id, and new entries. */

const ENTRY_KEYS = [
  'match',
  'source',
  'perCookie',
  'perCookieIncludesAttributes',
  'cookies',
  'responseHeadBytes',
  'partitionBytes',
] as const
const MATCH_KEYS = ['engine', 'browser', 'os', 'minVersion', 'maxVersion'] as const

function resolveMatch(input: unknown, where: string): BrowserMatch {
  if (!isRecord(input)) throw configError(`option ${where} must be an object`)
  refuseUnknownKeys(input, MATCH_KEYS, `${where}.`)
  for (const key of ['engine', 'browser', 'os'] as const) {
    const list = input[key]
    if (list !== undefined && (!Array.isArray(list) || list.length === 0 || list.some((v) => typeof v !== 'string'))) {
      throw configError(`option ${where}.${key} must be a non-empty array of ua-parser-js names, e.g. ['Blink']`)
    }
  }
  for (const key of ['minVersion', 'maxVersion'] as const) {
    if (input[key] !== undefined) positiveInteger(input[key], `${where}.${key}`, 0, 0)
  }
  return input as BrowserMatch
}

export function resolveBrowsers(input: unknown, builtin: readonly BrowserEntry[]): BrowserEntry[] {
  if (input === undefined) return []
  if (!isRecord(input)) throw configError('option limits.browsers must be an object keyed by entry id')
  return Object.entries(input).map(([id, override]) => {
    if (!isRecord(override)) throw configError(`option limits.browsers.${id} must be an object`)
    refuseUnknownKeys(override, ENTRY_KEYS, `limits.browsers.${id}.`)
    const base = builtin.find((e) => e.id === id)
    const merged = { ...base, ...override, id } as Partial<BrowserEntry> & { id: string }
    for (const key of ['perCookie', 'cookies', 'responseHeadBytes'] as const) {
      if (merged[key] === undefined) {
        throw configError(`option limits.browsers.${id}.${key} is required for a new entry`)
      }
      positiveInteger(merged[key], `limits.browsers.${id}.${key}`, 0)
    }
    if (merged.partitionBytes !== undefined) {
      positiveInteger(merged.partitionBytes, `limits.browsers.${id}.partitionBytes`, 0)
    }
    if (merged.match === undefined) throw configError(`option limits.browsers.${id}.match is required for a new entry`)
    const match = resolveMatch(merged.match, `limits.browsers.${id}.match`)
    // An empty match would catch every browser before the built-in entries: only the fallback has one.
    if (id !== RFC6265_MINIMUM.id && Object.keys(match).length === 0) {
      throw configError(`option limits.browsers.${id}.match must name an engine, browser or OS`)
    }
    return {
      ...(merged as BrowserEntry),
      match,
      source: typeof merged.source === 'string' ? merged.source : `limits.browsers.${id} (app configuration)`,
    }
  })
}
