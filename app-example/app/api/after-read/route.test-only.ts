import { after } from 'next/server'
import { cookieman } from '../../../lib/session'

export const dynamic = 'force-dynamic'

/** What each request's after() read saw, by the key the test chose. */
const seen = new Map<string, { same: boolean; visits: number | null }>()

/**
 * `GET /api/after-read?key=K&visit=1` reads the session twice (one decode: the same object), counts
 * a visit, commits through cookies(), and reads it once more in after(), when the response is sent.
 * `GET /api/after-read?key=K` answers what that last read saw (null until it ran).
 */
export async function GET(request: Request): Promise<Response> {
  const params = new URL(request.url).searchParams
  const key = params.get('key') ?? ''
  if (params.get('visit') !== '1') return Response.json(seen.get(key) ?? null)
  const session = await cookieman.getSession()
  const same = (await cookieman.getSession()) === session
  session.data.visits = (session.data.visits ?? 0) + 1
  await cookieman.commitSession(session)
  after(async () => {
    const later = await cookieman.getSession()
    seen.set(key, { same: later === session, visits: later.data.visits ?? null })
  })
  return Response.json({ same, visits: session.data.visits })
}
