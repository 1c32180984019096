import { addedNotice, addItems } from '../../../../lib/cart'
import { cookieman } from '../../../../lib/session'

export const dynamic = 'force-dynamic'

/**
 * A plain HTML form's POST (works without JavaScript): adds items, leaves a flash notice, and
 * redirects to the cart (303). The page the browser lands on shows the notice once: the proxy
 * hands it to that render and deletes it, so a reload shows nothing.
 */
export async function POST(request: Request): Promise<Response> {
  const form = await request.formData().catch(() => undefined)
  const count = Math.min(20, Math.max(1, Number(form?.get('count') ?? 1) || 1))
  const session = await cookieman.getSession()
  addItems(session.data, count)
  session.flash('notice', addedNotice(count))
  const response = new Response(null, { status: 303, headers: { location: '/' } })
  await cookieman.commitSession(session, response)
  return response
}
