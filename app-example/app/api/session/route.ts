import { hold, hooksEnabled } from '../../../lib/test-hooks'
import { cookieman, type Item, type ShopSession } from '../../../lib/session'

export const dynamic = 'force-dynamic'

async function reply(session: Awaited<ReturnType<typeof cookieman.getSession>>, status = 200): Promise<Response> {
  // Raw Set-Cookie lines on our own headers: cheaper than cookies().set() for each chunk.
  const headers = new Headers()
  const report = await cookieman.commitSession(session, headers)
  return Response.json({ data: session.data, report, error: session.error?.code ?? null }, { status, headers })
}

const isItem = (v: unknown): v is Item =>
  typeof v === 'object' &&
  v !== null &&
  typeof (v as Item).sku === 'string' &&
  typeof (v as Item).name === 'string' &&
  Number.isInteger((v as Item).qty)

/** Only the keys the app knows, with their types: a client must not write anything else. */
function parseUpdate(body: unknown): Partial<ShopSession> | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined
  const update: Partial<ShopSession> = {}
  for (const [key, value] of Object.entries(body)) {
    if (key === 'cart' && Array.isArray(value) && value.every(isItem)) update.cart = value
    else if (key === 'recent' && Array.isArray(value) && value.every((v) => typeof v === 'string'))
      update.recent = value
    else return undefined
  }
  return update
}

/** The session and the report of committing it unchanged (budget, chunks; stale chunks deleted). */
export async function GET(): Promise<Response> {
  return reply(await cookieman.getSession())
}

/** Merges `{ cart?: Item[], recent?: string[] }` into the session. */
export async function POST(request: Request): Promise<Response> {
  const update = parseUpdate(await request.json().catch(() => undefined))
  if (update === undefined) {
    return Response.json({ error: 'the body must be { cart?: Item[], recent?: string[] }' }, { status: 400 })
  }
  const held = new URL(request.url).searchParams.get('hold')
  if (held !== null && hooksEnabled()) await hold(held)
  const session = await cookieman.getSession()
  Object.assign(session.data, update)
  return reply(session)
}

/** Destroys the session: every chunk is deleted. */
export async function DELETE(): Promise<Response> {
  const session = await cookieman.getSession()
  session.destroy()
  return reply(session)
}
