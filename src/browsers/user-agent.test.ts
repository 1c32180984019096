import { describe, expect, it } from 'vitest'
import { BUILTIN_BROWSERS, entryById, RFC6265_MINIMUM } from './database.js'
import { profileFor } from './user-agent.js'
import { CASES, CHROME_WINDOWS, FIREFOX_WINDOWS } from '../test-support/user-agents.js'

describe('profileFor', () => {
  it.each(CASES)('%s', (_label, userAgent, id, name, engine, perCookie, cookies) => {
    const { browser, entry } = profileFor(userAgent)
    expect(entry.id).toBe(id)
    expect(browser.name).toBe(name)
    expect(browser.engine).toBe(engine)
    expect(entry.perCookie).toBe(perCookie)
    expect(entry.cookies).toBe(cookies)
    // The entry is the database row itself, not a copy.
    expect(entryById(id, BUILTIN_BROWSERS)).toBe(entry)
  })

  it('covers every built-in entry and the RFC fallback', () => {
    const ids = new Set(CASES.map((c) => c[2]))
    expect([...ids].sort()).toEqual([...BUILTIN_BROWSERS.map((e) => e.id), RFC6265_MINIMUM.id].sort())
  })

  it('gives null the RFC 6265 minimums', () => {
    const { browser, entry } = profileFor(null)
    expect(entry).toBe(RFC6265_MINIMUM)
    expect(browser).toEqual({ name: '', version: '', engine: '' })
  })

  it('reports the browser version', () => {
    expect(profileFor(CHROME_WINDOWS).browser.version).toBe('131.0.0.0')
    expect(profileFor(FIREFOX_WINDOWS).browser.version).toBe('133.0')
  })

  it('truncates a User-Agent longer than 512 characters and still parses it', () => {
    // The Edg token sits past the cut: were it read, the browser would be Edge.
    const long = `${CHROME_WINDOWS} ${'x'.repeat(600)} Edg/131.0.0.0`
    expect(long.length).toBeGreaterThan(512)
    const profile = profileFor(long)
    expect(profile.entry.id).toBe('blink')
    expect(profile.browser).toEqual({ name: 'Chrome', version: '131.0.0.0', engine: 'Blink' })
    expect(profile).toEqual(profileFor(long.slice(0, 512)))
  })

  it('parses a forged megabyte-long User-Agent from its first 512 characters', () => {
    const huge = `${FIREFOX_WINDOWS} ${'(; '.repeat(350_000)}`
    expect(huge.length).toBeGreaterThan(1_000_000)
    const profile = profileFor(huge)
    expect(profile.entry.id).toBe('gecko')
    expect(profile.browser.name).toBe('Firefox')
  })
})
