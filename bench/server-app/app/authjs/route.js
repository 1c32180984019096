import { cookies } from 'next/headers'
import { decode, encode } from '@auth/core/jwt'
import { SessionStore } from '../../lib/auth-session-store.mjs'
import { AUTH_COOKIE, COOKIE, MAX_AGE, SECRET } from '../../lib/config.mjs'

// Auth.js's JWT session as it runs on each request: read the chunks, decrypt, update, re-encrypt
// (it re-issues the cookie to extend the session), write the chunks through cookies().set().
export const dynamic = 'force-dynamic'

const logger = { debug() {}, error() {}, warn() {} }

export async function GET() {
  const jar = await cookies()
  const store = new SessionStore(
    { name: AUTH_COOKIE, options: COOKIE },
    Object.fromEntries(jar.getAll().map((c) => [c.name, c.value])),
    logger,
  )
  const token = await decode({ token: store.value, secret: SECRET, salt: AUTH_COOKIE })
  if (token === null) return Response.json({ error: 'no session' }, { status: 409 })
  token.visits = (token.visits ?? 0) + 1
  const value = await encode({ token, secret: SECRET, salt: AUTH_COOKIE, maxAge: MAX_AGE })
  for (const c of store.chunk(value, { maxAge: MAX_AGE })) jar.set(c.name, c.value, c.options)
  return Response.json({ ok: true })
}
