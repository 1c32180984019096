import { hooksEnabled, release } from '../../../lib/test-hooks'

export const dynamic = 'force-dynamic'

/** `POST /api/test-hooks?release=KEY` lets a held request go (EXAMPLE_TEST_HOOKS=1 only). */
export async function POST(request: Request): Promise<Response> {
  if (!hooksEnabled()) return new Response('not found', { status: 404 })
  const key = new URL(request.url).searchParams.get('release') ?? ''
  // Wait for the held request to arrive if the release got here first.
  for (let i = 0; i < 100 && !release(key); i++) await new Promise((r) => setTimeout(r, 20))
  return Response.json({ released: key })
}
