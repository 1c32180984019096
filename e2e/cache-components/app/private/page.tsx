import { Suspense } from 'react'
import { cookieman } from '../../lib/session'

/** `'use cache: private'` may read request data: the session, cached per browser. */
async function summary(): Promise<string> {
  'use cache: private'
  const session = await cookieman.getSession()
  return `${session.data.cart.length} item(s)`
}

async function Summary() {
  return <p data-testid="private">{await summary()}</p>
}

export default function Page() {
  return (
    <main>
      <Suspense fallback={<p>loading…</p>}>
        <Summary />
      </Suspense>
    </main>
  )
}
