// No lock-out: for 10,000 random sessions, random other cookies and every browser profile, the
// Cookie header the browser sends next never exceeds the budget, and no chunk breaks the browser's
// limits. (Cheaper data than property/budget.test.ts, so that 10,000 runs take seconds.)
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { encodeProfile, PROFILE_HEADER } from './browsers/profile-header.js'
import { createCookieman } from './create.js'
import { BUILTIN_BROWSERS, RFC6265_MINIMUM } from './browsers/database.js'
import { Jar, SECRET } from './test-support/jar.js'

const ENTRIES = [...BUILTIN_BROWSERS, RFC6265_MINIMUM]
const COOKIE_LINE = 'Cookie: '.length + '\r\n'.length
const engines = new Map(
  [512, 2048, 8192, 16384].map((max) => [
    max,
    createCookieman<Record<string, unknown>>({
      secret: SECRET,
      limits: { maxCookieHeaderBytes: max, reserveBytes: 256 },
      onError: () => {},
    }),
  ]),
)

describe('no lock-out', () => {
  it('10,000 random sessions × other cookies × every profile: always within the budget', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...ENTRIES),
        fc.constantFrom(512, 2048, 8192, 16384),
        fc.dictionary(fc.stringMatching(/^[a-z]{1,8}$/), fc.string({ maxLength: 3000 }), { maxKeys: 6 }),
        fc.array(fc.tuple(fc.stringMatching(/^[a-z][a-z0-9]{0,9}$/), fc.integer({ min: 0, max: 3000 })), {
          maxLength: 8,
        }),
        async (entry, max, data, others) => {
          const cm = engines.get(max)!
          const jar = new Jar('')
          for (const [name, size] of others) if (!name.startsWith('session')) jar.cookies.set(name, 'o'.repeat(size))
          const headers = () => {
            const h = jar.headers()
            h.set(PROFILE_HEADER, encodeProfile({ entry, browser: { name: '', version: '', engine: '' } }))
            return h
          }
          const s = await cm.decodeSession(headers())
          Object.assign(s.data, data)
          const { setCookie, report } = await cm.encodeSession(s, headers())
          jar.apply(setCookie)
          const ours = [...jar.cookies].filter(([n]) => /^session(\.\d+)?$/.test(n))
          if (report.error !== undefined) {
            expect(report.error.code).toBe('ERR_SESSION_TOO_LARGE')
            expect(ours).toEqual([])
            return
          }
          // Whenever we hold a cookie, the whole header (the others' too) is within the budget.
          if (ours.length > 0) expect(COOKIE_LINE + jar.header().length + 256).toBeLessThanOrEqual(max)
          expect(jar.cookies.size).toBeLessThanOrEqual(Math.max(entry.cookies, jar.cookies.size - ours.length))
          for (const [name, value] of ours) expect(name.length + value.length).toBeLessThanOrEqual(entry.perCookie)
        },
      ),
      { numRuns: 10_000 },
    )
  }, 120_000)
})
