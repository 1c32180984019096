// Compile-time checks of the public API (type-checked by `npm run typecheck`), plus a runtime check
// that what type-checks also works.
import { describe, expect, it } from 'vitest'
import { createCookieman, type CommitReport, type Session, type SessionErrorCode } from './index.js'

type Cart = { userId?: string; cart: string[]; recent: string[] }
interface Prefs {
  theme?: string
}

const domain: string | undefined = undefined

// The DESIGN.md snippet, with `compress: undefined` and a possibly-undefined domain (exactOptionalPropertyTypes).
const cookieman = createCookieman<Cart>({
  secret: 'a-secret-that-is-long-enough-0123456789',
  cookieName: 'session',
  mode: 'encrypt',
  compress: undefined,
  maxAge: 60 * 60 * 24 * 14,
  cookie: { path: '/', sameSite: 'lax', httpOnly: true, secure: true, domain },
  limits: { maxCookieHeaderBytes: 8192, reserveBytes: 512 },
  rolling: false,
  defaults: () => ({ cart: [], recent: [] }),
  onError: (err) => {
    const code: SessionErrorCode = err.code
    void code
  },
})
cookieman.register('recent', (data, last) => {
  data.recent?.pop()
  if (last || !data.recent?.length) delete data.recent
  return data
})
cookieman.register(['cart', 'userId'], (data) => data)

// An interface whose keys are all optional needs no defaults.
const prefs = createCookieman<Prefs>({ secret: 'a-secret-that-is-long-enough-0123456789' })

// @ts-expect-error defaults are required when T has required keys
void (() => createCookieman<Cart>({ secret: 'a-secret-that-is-long-enough-0123456789' }))
// @ts-expect-error only keys of T can have shrink functions
void (() => cookieman.register('nope', (d) => d))
// @ts-expect-error unknown options are type errors too (and refused at run time)
void (() => createCookieman<Prefs>({ secret: 'a-secret-that-is-long-enough-0123456789', cookeName: 'x' }))

describe('public types', () => {
  it('what type-checks runs: a typed session round trip', async () => {
    const s: Session<Cart> = await cookieman.decodeSession(new Headers())
    s.data.cart.push('sku-1')
    const { report }: { report: CommitReport } = await cookieman.encodeSession(s, new Headers())
    expect(report.chunks).toBe(1)
    const p = await prefs.decodeSession(new Headers())
    expect(p.data).toEqual({})
    expect(typeof cookieman.getSession).toBe('function')
    expect(typeof cookieman.commitSession).toBe('function')
    expect(typeof cookieman.middleware).toBe('function')
  })
})
