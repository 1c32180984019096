import { cookies, headers } from 'next/headers'
import { COOKIE, MAX_AGE, REFERENCE_COOKIE, SECRET } from './config.mjs'
import { referenceChunks, referenceSeal, referenceToken } from '../../reference.mjs'

// The node:crypto reference on the server, on its own jar of the same session: what the targets'
// routes would cost with a seal and nothing else (no budget, no unchanged check, no report).
//   read:          the Cookie header, the chunks joined, opened and parsed
//   write-cookies: the same, one field changed, sealed, cut and set through cookies().set()
const ref = referenceSeal(SECRET)

export function referenceRoute(action) {
  return async function GET() {
    const token = referenceToken(REFERENCE_COOKIE, (await headers()).get('cookie'))
    let data
    try {
      data = token === undefined ? undefined : ref.open(token)
    } catch {
      data = undefined
    }
    if (data === undefined) return Response.json({ error: 'no session' }, { status: 409 })
    if (action === 'write-cookies') {
      data.visits = (data.visits ?? 0) + 1
      const jar = await cookies()
      for (const { name, value } of referenceChunks(REFERENCE_COOKIE, ref.seal(data))) {
        jar.set(name, value, { ...COOKIE, maxAge: MAX_AGE })
      }
    }
    return Response.json({ ok: true })
  }
}
