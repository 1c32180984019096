import { createCookieman, trimCount } from 'next-cookieman'
import { sessionSecret } from './secret'

export type Item = { sku: string; name: string; qty: number }
export type ShopSession = { cart: Item[]; recent: string[]; visits?: number }

const env = (name: string): number | undefined => {
  const value = process.env[name]
  return value === undefined || value === '' ? undefined : Number(value)
}

/** Rejected cookies (tampered, expired, …) are logged with their code. */
export const cookieman = createCookieman<ShopSession>({
  secret: sessionSecret(),
  cookieName: 'session',
  defaults: () => ({ cart: [], recent: [] }),
  // Plain http on a host browsers do not treat as secure: SESSION_COOKIE_SECURE=false.
  cookie: { secure: process.env.SESSION_COOKIE_SECURE !== 'false' },
  // The servers in front (default: a stock nginx, or the platform recognized from the environment),
  // e.g. SESSION_FRONTS=haproxy; numbers given win over the fronts' figures.
  limits: {
    fronts: process.env.SESSION_FRONTS ? process.env.SESSION_FRONTS.split(',') : undefined,
    maxCookieHeaderBytes: env('SESSION_MAX_COOKIE_HEADER_BYTES'),
    maxResponseHeaderBytes: env('SESSION_MAX_RESPONSE_HEADER_BYTES'),
    reserveBytes: env('SESSION_RESERVE_BYTES'),
  },
  rolling: process.env.SESSION_ROLLING === 'true',
  maxAge: env('SESSION_MAX_AGE'),
  compress: process.env.SESSION_COMPRESS === 'true',
  onError: (err) => console.warn(`[next-cookieman] ${err.code}: ${err.message}`),
})

// Shrink functions run in registration order when the session does not fit the browser's budget.
// `overBytes` says how many bytes of JSON must go; trimCount turns that into a number of items, so
// one splice per call trims any list in linear time (shift() per call would be quadratic).
// Recently viewed first: drop the oldest entries; on the last pass drop the whole list.
cookieman.register('recent', (data, last, { overBytes }) => {
  if (!last) data.recent?.splice(0, trimCount(data.recent, overBytes))
  if (last || data.recent?.length === 0) delete data.recent
  return data
})

// Then the cart: drop the oldest items (the report tells the page which keys were trimmed).
cookieman.register('cart', (data, _last, { overBytes }) => {
  data.cart?.splice(0, trimCount(data.cart, overBytes))
  if (data.cart?.length === 0) delete data.cart
  return data
})
