import UAParser from 'ua-parser-js'
import { BUILTIN_BROWSERS, fallbackOf, type BrowserEntry, type BrowserMatch } from './database.js'

/** The browser as the User-Agent names it. Empty strings when unknown. */
export interface BrowserInfo {
  name: string
  version: string
  engine: string
}

/** A browser and the database entry whose limits apply to it. */
export interface BrowserProfile {
  browser: BrowserInfo
  entry: BrowserEntry
}

function major(version: string | undefined): number | undefined {
  if (version === undefined) return undefined
  const n = Number.parseInt(version, 10)
  return Number.isFinite(n) ? n : undefined
}

function matches(match: BrowserMatch, browser: BrowserInfo, os: string, version: number | undefined): boolean {
  if (match.engine !== undefined && !match.engine.includes(browser.engine)) return false
  if (match.browser !== undefined && !match.browser.includes(browser.name)) return false
  if (match.os !== undefined && !match.os.includes(os)) return false
  if (match.minVersion !== undefined && (version === undefined || version < match.minVersion)) return false
  if (match.maxVersion !== undefined && (version === undefined || version > match.maxVersion)) return false
  return true
}

// User-Agent strings longer than this are not parsed: ua-parser-js caps its input too (UA_MAX_LENGTH
// 500 in 1.x), and a forged multi-kilobyte header must not cost regex time.
const UA_MAX_LENGTH = 512

/**
 * Finds the limits for a User-Agent. Unknown, empty or missing agents get the RFC 6265 minimums;
 * a bot that names an engine (Googlebot renders with Chromium) gets that engine's limits.
 */
export function profileFor(
  userAgent: string | null | undefined,
  database: readonly BrowserEntry[] = BUILTIN_BROWSERS,
): BrowserProfile {
  const ua = (userAgent ?? '').slice(0, UA_MAX_LENGTH)
  // Parsing costs ~30 µs of regexes; a site sees few distinct agents at a time.
  let perDatabase = cache.get(database)
  if (perDatabase === undefined) {
    perDatabase = new Map()
    cache.set(database, perDatabase)
  }
  const hit = perDatabase.get(ua)
  if (hit !== undefined) return hit
  if (perDatabase.size >= CACHE_SIZE) perDatabase.clear()
  const profile = parseProfile(ua, database)
  perDatabase.set(ua, profile)
  return profile
}

const CACHE_SIZE = 500
const cache = new WeakMap<readonly BrowserEntry[], Map<string, BrowserProfile>>()

function parseProfile(ua: string, database: readonly BrowserEntry[]): BrowserProfile {
  if (ua === '') return { browser: { name: '', version: '', engine: '' }, entry: fallbackOf(database) }
  const result = new UAParser(ua).getResult()
  const browser: BrowserInfo = {
    name: result.browser.name ?? '',
    version: result.browser.version ?? '',
    engine: result.engine.name ?? '',
  }
  // Blink and Gecko carry the real engine version (Chrome's for Edge, Opera, Samsung Internet);
  // Apple's WebKit version is frozen, so the browser version is the one that means something.
  const engineVersioned = browser.engine === 'Blink' || browser.engine === 'Gecko'
  const version = major(engineVersioned ? result.engine.version : result.browser.version)
  const os = result.os.name ?? ''
  const entry = database.find((e) => matches(e.match, browser, os, version)) ?? fallbackOf(database)
  return { browser, entry }
}
