import { engines } from '../../../../lib/engines.mjs'

// next-cookieman: /cookieman/{plain|deflate}/{read|write|write-cookies}
//   read:          getSession + commitSession of the unchanged session (writes nothing)
//   write:         getSession, change one field, commitSession onto the Response (raw Set-Cookie)
//   write-cookies: the same through cookies().set()
export const dynamic = 'force-dynamic'

export async function GET(_request, { params }) {
  const { engine, action } = await params
  const cm = engines[engine]
  if (cm === undefined) return new Response('no such engine', { status: 404 })
  const session = await cm.getSession()
  if (session.isNew) return Response.json({ error: session.error?.code ?? 'no session' }, { status: 409 })
  if (action !== 'read') session.data.visits = (session.data.visits ?? 0) + 1
  if (action === 'write-cookies') {
    await cm.commitSession(session)
    return Response.json({ ok: true })
  }
  const headers = new Headers()
  await cm.commitSession(session, headers)
  return Response.json({ ok: true }, { headers })
}
