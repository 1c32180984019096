import { cookieman, type ShopSession } from '../../../lib/session'

export const dynamic = 'force-dynamic'

async function reply(session: Awaited<ReturnType<typeof cookieman.getSession>>, status = 200): Promise<Response> {
  // Raw Set-Cookie lines on our own headers: cheaper than cookies().set() for each chunk.
  const headers = new Headers()
  const report = await cookieman.commitSession(session, headers)
  return Response.json({ data: session.data, report, error: session.error?.code ?? null }, { status, headers })
}

/** The session and the report of committing it unchanged (budget, chunks; stale chunks deleted). */
export async function GET(): Promise<Response> {
  return reply(await cookieman.getSession())
}

/** Test hook for the e2e suite (off unless EXAMPLE_TEST_HOOKS=1): `?delay=ms` holds the response. */
async function hold(request: Request): Promise<void> {
  if (process.env.EXAMPLE_TEST_HOOKS !== '1') return
  const delay = Math.min(5000, Number(new URL(request.url).searchParams.get('delay') ?? 0) || 0)
  if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay))
}

/** Merges a JSON object into the session. */
export async function POST(request: Request): Promise<Response> {
  await hold(request)
  const body: unknown = await request.json().catch(() => undefined)
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return Response.json({ error: 'the body must be a JSON object' }, { status: 400 })
  }
  const session = await cookieman.getSession()
  Object.assign(session.data, body as Partial<ShopSession>)
  return reply(session)
}

/** Destroys the session: every chunk is deleted. */
export async function DELETE(): Promise<Response> {
  const session = await cookieman.getSession()
  session.destroy()
  return reply(session)
}
