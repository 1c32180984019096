import { cookieman } from '../../../lib/session'

/** Adds `?sku=` to the cart and commits (a route handler may write). */
export async function POST(request: Request): Promise<Response> {
  const session = await cookieman.getSession()
  session.data.cart.push(new URL(request.url).searchParams.get('sku') ?? 'sku')
  const headers = new Headers()
  const report = await cookieman.commitSession(session, headers)
  return Response.json({ cart: session.data.cart, chunks: report.chunks }, { headers })
}
