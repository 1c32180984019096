import { describe, expect, it } from 'vitest'
import { BUILTIN_BROWSERS, buildDatabase, entryById, RFC6265_MINIMUM, type BrowserEntry } from './database.js'
import { profileFor } from './user-agent.js'
import { CHROME_WINDOWS, EDGE_WINDOWS, FIREFOX_WINDOWS } from '../test-support/user-agents.js'

describe('buildDatabase', () => {
  const custom = (id: string, match: BrowserEntry['match'], cookies: number): BrowserEntry => ({
    id,
    match,
    perCookie: 4000,
    cookies,
    responseHeadBytes: 32 * 1024,
    source: 'test',
  })

  it('is the built-in database when there are no user entries', () => {
    // The RFC 6265 fallback (it matches anything) always comes last.
    expect(buildDatabase()).toEqual([...BUILTIN_BROWSERS, RFC6265_MINIMUM])
    expect(buildDatabase([])).toEqual([...BUILTIN_BROWSERS, RFC6265_MINIMUM])
  })

  it('replaces a built-in entry with a user entry of the same id', () => {
    const blink = custom('blink', { engine: ['Blink'] }, 90)
    const database = buildDatabase([blink])
    expect(database).toHaveLength(BUILTIN_BROWSERS.length + 1)
    expect(database.filter((e) => e.id === 'blink')).toEqual([blink])
    expect(profileFor(CHROME_WINDOWS, database).entry).toBe(blink)
    expect(profileFor(EDGE_WINDOWS, database).entry).toBe(blink)
    // The other built-in entries are untouched.
    expect(profileFor(FIREFOX_WINDOWS, database).entry).toBe(entryById('gecko', BUILTIN_BROWSERS))
  })

  it('tries a new user entry before the built-in ones', () => {
    const chromeOnly = custom('chrome-only', { browser: ['Chrome'], minVersion: 120 }, 100)
    const database = buildDatabase([chromeOnly])
    expect(database).toHaveLength(BUILTIN_BROWSERS.length + 2)
    expect(database[0]).toBe(chromeOnly)
    expect(profileFor(CHROME_WINDOWS, database).entry).toBe(chromeOnly)
    // Edge is Blink but not named Chrome: it falls through to the built-in entry.
    expect(profileFor(EDGE_WINDOWS, database).entry.id).toBe('blink')
    expect(profileFor(FIREFOX_WINDOWS, database).entry.id).toBe('gecko')
  })

  it('lets the app override the RFC 6265 fallback, which stays last', () => {
    const stricter = { ...RFC6265_MINIMUM, cookies: 20, source: 'app' }
    const database = buildDatabase([stricter])
    expect(database.at(-1)).toBe(stricter)
    expect(profileFor('', database).entry).toBe(stricter)
    expect(profileFor('curl/8.5.0', database).entry).toBe(stricter)
    expect(profileFor(CHROME_WINDOWS, database).entry.id).toBe('blink')
    expect(entryById('rfc6265', database)).toBe(stricter)
  })

  it('falls back to the RFC 6265 minimums when no entry matches', () => {
    const database = [custom('only-gecko', { engine: ['Gecko'] }, 100)]
    expect(profileFor(CHROME_WINDOWS, database).entry).toBe(RFC6265_MINIMUM)
    expect(profileFor(FIREFOX_WINDOWS, database).entry.id).toBe('only-gecko')
  })
})

describe('entryById', () => {
  it('finds a built-in entry', () => {
    for (const entry of BUILTIN_BROWSERS) expect(entryById(entry.id, BUILTIN_BROWSERS)).toBe(entry)
  })

  it('always knows the RFC 6265 fallback, even in an empty database', () => {
    expect(entryById('rfc6265', [])).toBe(RFC6265_MINIMUM)
    expect(entryById('rfc6265', BUILTIN_BROWSERS)).toBe(RFC6265_MINIMUM)
  })

  it('returns undefined for an unknown id', () => {
    expect(entryById('netscape', BUILTIN_BROWSERS)).toBeUndefined()
    expect(entryById('blink', [])).toBeUndefined()
  })

  it('finds the user entry that replaced a built-in one', () => {
    const gecko: BrowserEntry = { ...RFC6265_MINIMUM, id: 'gecko', match: { engine: ['Gecko'] }, source: 'test' }
    expect(entryById('gecko', buildDatabase([gecko]))).toBe(gecko)
  })
})
