import { route } from '../../../../lib/cookieman-route.mjs'

export const dynamic = 'force-dynamic'
export const GET = route('plain', 'read-commit')
