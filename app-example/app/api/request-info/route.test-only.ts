import { headers } from 'next/headers'

export const dynamic = 'force-dynamic'

/** What the server received: the Cookie header's size and cookie names (for checking the budget). */
export async function GET(): Promise<Response> {
  const h = await headers()
  const cookie = h.get('cookie') ?? ''
  const names = cookie
    .split(';')
    .map((pair) => pair.trim().split('=')[0] ?? '')
    .filter((name) => name !== '')
  return Response.json({ cookieHeaderBytes: cookie.length, cookies: names, userAgent: h.get('user-agent') ?? '' })
}
