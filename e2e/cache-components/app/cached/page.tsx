import { connection } from 'next/server'
import { Suspense } from 'react'
import { isSessionError } from 'next-cookieman'
import { cookieman } from '../../lib/session'

/** Plain `'use cache'` is shared by every visitor: reading the session there is refused. */
async function shared(): Promise<number> {
  'use cache'
  const session = await cookieman.getSession()
  return session.data.cart.length
}

async function Shared() {
  await connection()
  try {
    return <p data-testid="cached">{await shared()}</p>
  } catch (error) {
    return (
      <p data-testid="cached-error">
        {isSessionError(error) ? error.code : 'other'}: {error instanceof Error ? error.message : String(error)}
      </p>
    )
  }
}

export default function Page() {
  return (
    <main>
      <Suspense fallback={<p>loading…</p>}>
        <Shared />
      </Suspense>
    </main>
  )
}
