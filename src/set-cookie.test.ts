import { serialize } from 'cookie'
import { describe, expect, it } from 'vitest'
import type { ResolvedCookie } from './options/types.js'
import { deletionWrite, liveWrite, serializeWrite } from './set-cookie.js'

// Every combination of the attributes an app can set, live and deleted.
function* cookies(): Generator<ResolvedCookie> {
  for (const path of ['/', '/app/a-b']) {
    for (const domain of [undefined, 'example.com', '.shop.example.com']) {
      for (const sameSite of ['lax', 'strict', 'none'] as const) {
        for (const priority of [undefined, 'low', 'medium', 'high'] as const) {
          for (let flags = 0; flags < 8; flags++) {
            yield {
              path,
              domain,
              sameSite,
              priority,
              httpOnly: (flags & 1) !== 0,
              secure: (flags & 2) !== 0,
              partitioned: (flags & 4) !== 0,
            }
          }
        }
      }
    }
  }
}

describe('serializeWrite', () => {
  it('writes the line the cookie package writes, for every attribute combination', () => {
    let n = 0
    for (const cookie of cookies()) {
      for (const write of [liveWrite('sess.2', 'v1.3.AbC-_9', cookie, 86399), deletionWrite('sess', cookie)]) {
        expect(serializeWrite(write)).toBe(serialize(write.name, write.value, { ...write.options, encode: (v) => v }))
        n++
      }
    }
    expect(n).toBe(2 * 2 * 3 * 3 * 4 * 8)
  })

  it('writes the default attributes in the cookie package order', () => {
    const cookie: ResolvedCookie = {
      path: '/',
      domain: undefined,
      sameSite: 'lax',
      priority: undefined,
      httpOnly: true,
      secure: true,
      partitioned: false,
    }
    expect(serializeWrite(liveWrite('session', 'abc', cookie, 3600))).toBe(
      'session=abc; Max-Age=3600; Path=/; HttpOnly; Secure; SameSite=Lax',
    )
    expect(serializeWrite(deletionWrite('session.1', cookie))).toBe(
      'session.1=; Max-Age=0; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; Secure; SameSite=Lax',
    )
  })
})
