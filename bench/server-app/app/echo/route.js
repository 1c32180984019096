import { cookies } from 'next/headers'
import { COOKIE, MAX_AGE } from '../../lib/config.mjs'

// Control: echoes every cookie it received back through cookies().set(), no crypto.
export const dynamic = 'force-dynamic'

export async function GET() {
  const jar = await cookies()
  for (const { name, value } of jar.getAll()) jar.set(name, value, { ...COOKIE, maxAge: MAX_AGE })
  return Response.json({ ok: true })
}
