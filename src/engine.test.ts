import { describe, expect, it } from 'vitest'
import { freezeClock } from './test-support/clock.js'
import { createCookieman } from './create.js'
import { SECRET } from './test-support/jar.js'
import { type Cart, make, NOW } from './test-support/engine.js'

// The instance itself (engine.ts): the defaults it hands out and the shrink functions it registers.

freezeClock(NOW)

describe('defaults', () => {
  it('are fresh plain data on every new session: a shared constant is never mutated', async () => {
    const shared = { cart: [] as string[], recent: [] as string[] }
    const cm = createCookieman<Cart>({ secret: SECRET, defaults: () => shared })
    const a = await cm.decodeSession(new Headers())
    a.data.cart.push('leak')
    const b = await cm.decodeSession(new Headers())
    expect(b.data.cart).toEqual([])
    expect(shared.cart).toEqual([])
  })

  it('must return a plain object', () => {
    expect(() => createCookieman({ secret: SECRET, defaults: () => 'abc' as unknown as object })).toThrowError(
      expect.objectContaining({ code: 'ERR_SESSION_CONFIG' }) as Error,
    )
  })
})

describe('register', () => {
  it('refuses a key registered twice and an empty key list', () => {
    const { cm } = make()
    cm.register(['cart', 'recent'], (d) => d)
    expect(() => cm.register('recent', (d) => d)).toThrowError(
      expect.objectContaining({ code: 'ERR_SESSION_CONFIG' }) as Error,
    )
    expect(() => cm.register([], (d) => d)).toThrowError(
      expect.objectContaining({ code: 'ERR_SESSION_CONFIG' }) as Error,
    )
  })
})
