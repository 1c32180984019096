import type { NextApiRequest, NextApiResponse } from 'next'
import { cookieman } from '../../lib/session'

/**
 * The Pages Router's API route: `getSession(req)` and `commitSession(session, res)`. GET returns the
 * cart; POST `{ sku }` adds one item and commits; DELETE destroys the session.
 */
export default async function handler(req: NextApiRequest, res: NextApiResponse): Promise<void> {
  const session = await cookieman.getSession(req)
  if (req.method === 'GET') {
    res.status(200).json({ cart: session.data.cart, isNew: session.isNew, error: session.error?.code ?? null })
    return
  }
  if (req.method === 'POST') {
    // Validate what the client sends: only a SKU, never keys of the session.
    const sku: unknown = (req.body as { sku?: unknown } | undefined)?.sku
    if (typeof sku !== 'string' || !/^SKU-\d{6}$/.test(sku)) {
      res.status(400).json({ error: 'the body must be { "sku": "SKU-000001" }' })
      return
    }
    session.data.cart.push({ sku, name: `Item ${sku}`, qty: 1 })
  } else if (req.method === 'DELETE') {
    session.destroy()
  } else {
    res.setHeader('allow', 'GET, POST, DELETE')
    res.status(405).json({ error: 'method not allowed' })
    return
  }
  // Any cookie the app sets on `res` stays: commitSession adds its lines after it.
  res.setHeader('set-cookie', 'last-cart-change=pages-api; Path=/; SameSite=Lax')
  const report = await cookieman.commitSession(session, res)
  res.status(200).json({ cart: session.data.cart, report })
}
