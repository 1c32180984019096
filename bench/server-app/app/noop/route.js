// Control: receives the same cookies, never reads them.
export const dynamic = 'force-dynamic'

export function GET() {
  return Response.json({ ok: true })
}
