import { createCookieman, trimCount } from 'next-cookieman'
import { z } from 'zod'
import { sessionSecret } from './secret'
import { sessionStore } from './store'

/**
 * The session's shape, checked on every read: a cookie written by an older deployment (or edited
 * by hand in sign mode) that does not match is a new session with ERR_SESSION_INVALID, never a
 * crash at `item.qty.toFixed()`. The types come from the schema.
 */
const Item = z.object({ sku: z.string().max(64), name: z.string().max(200), qty: z.number().int().positive() })
const Shop = z.object({
  cart: z.array(Item),
  recent: z.array(z.string().max(200)).default([]),
  visits: z.number().int().nonnegative().optional(),
})

/** What a client may send to /api/session: only these keys, with these types. */
export const ShopUpdate = z.strictObject({
  cart: z.array(Item).optional(),
  recent: z.array(z.string().max(200)).optional(),
})

export type Item = z.output<typeof Item>
export type ShopSession = z.output<typeof Shop>

const env = (name: string): number | undefined => {
  const value = process.env[name]
  return value === undefined || value === '' ? undefined : Number(value)
}

/** Rejected cookies (tampered, expired, …) are logged with their code. */
export const cookieman = createCookieman({
  secret: sessionSecret(),
  cookieName: 'session',
  schema: Shop,
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
  // Store mode (SESSION_REDIS_URL=redis://127.0.0.1:6379): what does not fit the cookies goes to
  // Redis instead of away. The cart spills whole before its shrink function would trim it.
  ...(sessionStore === undefined ? {} : { store: sessionStore, spill: { first: ['cart'] as const } }),
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
