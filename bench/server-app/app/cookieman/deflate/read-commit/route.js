import { route } from '../../../../lib/cookieman-route.mjs'

export const dynamic = 'force-dynamic'
export const GET = route('deflate', 'read-commit')
