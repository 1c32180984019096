import { engines } from './engines.mjs'

// next-cookieman's routes, one static path each (/cookieman/{plain|deflate}/{action}), so that they
// pay Next's routing as the static controls /noop and /echo do:
//   read:          getSession only, as a page (a server component) reads the session
//   read-commit:   getSession + commitSession of the unchanged session (writes nothing), as a
//                  route handler that commits whether or not it changed anything
//   write:         getSession, change one field, commitSession onto the Response (raw Set-Cookie)
//   write-cookies: the same through cookies().set()
export function route(engine, action) {
  const cm = engines[engine]
  return async function GET() {
    const session = await cm.getSession()
    if (session.isNew) return Response.json({ error: session.error?.code ?? 'no session' }, { status: 409 })
    if (action === 'read') return Response.json({ ok: true })
    if (action !== 'read-commit') session.data.visits = (session.data.visits ?? 0) + 1
    if (action === 'write-cookies') {
      await cm.commitSession(session)
      return Response.json({ ok: true })
    }
    const headers = new Headers()
    await cm.commitSession(session, headers)
    return Response.json({ ok: true }, { headers })
  }
}
