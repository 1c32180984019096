import { hold, hooksEnabled } from '../../../lib/test-hooks'
import { cookieman, ShopUpdate } from '../../../lib/session'

export const dynamic = 'force-dynamic'

async function reply(session: Awaited<ReturnType<typeof cookieman.getSession>>, status = 200): Promise<Response> {
  // Raw Set-Cookie lines on our own headers: cheaper than cookies().set() for each chunk.
  const headers = new Headers()
  const report = await cookieman.commitSession(session, headers)
  return Response.json({ data: session.data, report, error: session.error?.code ?? null }, { status, headers })
}

/**
 * Bodies larger than this are refused (413) before any of them is parsed: no session holds more
 * than a few KB in cookies, and a large list would only cost the server time to trim.
 */
const MAX_BODY_BYTES = 64 * 1024

/** The JSON body, read up to `max` bytes whatever Content-Length says (a chunked body has none). */
async function readJson(request: Request, max: number): Promise<{ json: unknown } | 'too-large' | undefined> {
  const declared = Number(request.headers.get('content-length') ?? 0)
  if (declared > max) return 'too-large'
  if (request.body === null) return undefined
  const reader = request.body.getReader()
  const parts: Uint8Array[] = []
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    size += value.byteLength
    if (size > max) {
      await reader.cancel()
      return 'too-large'
    }
    parts.push(value)
  }
  const bytes = new Uint8Array(size)
  let at = 0
  for (const part of parts) {
    bytes.set(part, at)
    at += part.byteLength
  }
  try {
    return { json: JSON.parse(new TextDecoder().decode(bytes)) as unknown }
  } catch {
    return undefined
  }
}

/** The session and the report of committing it unchanged (budget, chunks; stale chunks deleted). */
export async function GET(): Promise<Response> {
  return reply(await cookieman.getSession())
}

/** Merges `{ cart?: Item[], recent?: string[] }` into the session. */
export async function POST(request: Request): Promise<Response> {
  const body = await readJson(request, MAX_BODY_BYTES)
  if (body === 'too-large') {
    return Response.json({ error: `the body is over ${MAX_BODY_BYTES} bytes` }, { status: 413 })
  }
  // Only the keys the app knows, with the schema's types: a client must not write anything else.
  const parsed = body === undefined ? undefined : ShopUpdate.safeParse(body.json)
  if (parsed === undefined || !parsed.success) {
    return Response.json({ error: 'the body must be { cart?: Item[], recent?: string[] }' }, { status: 400 })
  }
  const held = new URL(request.url).searchParams.get('hold')
  if (held !== null && hooksEnabled()) await hold(held)
  const session = await cookieman.getSession()
  const { cart, recent } = parsed.data
  if (cart !== undefined) session.data.cart = cart
  if (recent !== undefined) session.data.recent = recent
  return reply(session)
}

/** Destroys the session: every chunk is deleted. */
export async function DELETE(): Promise<Response> {
  const session = await cookieman.getSession()
  session.destroy()
  return reply(session)
}
