import { referenceRoute } from '../../../lib/reference-route.mjs'

export const dynamic = 'force-dynamic'
export const GET = referenceRoute('write-cookies')
