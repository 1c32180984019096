/** Property test (fast-check): decode(encode(data)) is data; shared helpers in test-support/property.ts. */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { freezeClock } from '../test-support/clock.js'
import { profileFor } from '../browsers/user-agent.js'
import {
  ALL_ENTRIES,
  bigItemArb,
  Client,
  type Data,
  entryArb,
  keyArb,
  makeCookieman,
  modeArb,
  NOW,
  runs,
  UA_BY_ENTRY,
  uaFor,
  valueArb,
} from '../test-support/property.js'

freezeClock(NOW)

describe('fixtures', () => {
  it('each User-Agent picks its database entry, and every entry has one', () => {
    expect(Object.keys(UA_BY_ENTRY).sort()).toEqual(ALL_ENTRIES.map((e) => e.id).sort())
    for (const entry of ALL_ENTRIES) expect(profileFor(uaFor(entry.id)).entry.id).toBe(entry.id)
  })
})

describe('property: round trip', () => {
  it('decode(encode(data)) is data, in both modes, compressed or not, for every browser', async () => {
    const dataArb = fc
      .record({
        small: fc.dictionary(keyArb, valueArb, { maxKeys: 8, noNullPrototype: true }),
        // Up to ~24 KB of JSON, so multi-chunk sessions are common.
        big: fc.option(fc.array(bigItemArb, { maxLength: 600, size: 'max' }), { freq: 3 }),
      })
      .map(({ small, big }) => (big === null ? small : { ...small, big }))
    await fc.assert(
      fc.asyncProperty(
        dataArb,
        modeArb,
        fc.boolean(),
        entryArb,
        fc.boolean(),
        fc.constantFrom('session', 'sid', '__Host-session', 'my.app'),
        async (data, mode, compress, entry, viaHeader, cookieName) => {
          const json = JSON.stringify(data)
          // Fits any entry uncompressed: 24 KB of JSON is ~32 KB sealed, 9 chunks, ~37 KB of Set-Cookie.
          fc.pre(new TextEncoder().encode(json).length <= 24_000)
          const expected = JSON.parse(json) as Data
          const { cm, errors } = makeCookieman({
            mode,
            compress,
            cookieName,
            limits: { fronts: ['node'], maxCookieHeaderBytes: 65536 },
          })
          const client = new Client(entry, viaHeader)
          const s = await cm.decodeSession(client.headers())
          expect(s.isNew).toBe(true)
          s.data = data
          const { setCookie, report } = await cm.encodeSession(s, client.headers())
          client.apply(setCookie)
          expect(report.error).toBeUndefined()
          expect(report.shrunk).toBe(false)
          expect(report.budget.source).toBe(entry.id)
          expect(s.data).toEqual(expected)
          const back = await cm.decodeSession(client.headers())
          expect(back.error).toBeUndefined()
          // `{}` equals the defaults of a new session: nothing to write, and a new session reads back.
          expect(back.isNew).toBe(json === '{}')
          expect(report.chunks).toBe(json === '{}' ? 0 : client.jar.cookies.size)
          expect(back.data).toEqual(expected)
          expect(errors).toEqual([])
        },
      ),
      runs(300),
    )
  })
})
