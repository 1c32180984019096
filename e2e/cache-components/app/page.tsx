import { Suspense } from 'react'
import { cookieman } from '../lib/session'

/** Reads the session: request data, so it renders at request time, inside the Suspense boundary. */
async function Cart() {
  const session = await cookieman.getSession()
  return <p data-testid="cart">{session.data.cart.join(',') || 'empty'}</p>
}

export default function Page() {
  return (
    <main>
      <h1>Cache Components</h1>
      <Suspense fallback={<p>loading the cart…</p>}>
        <Cart />
      </Suspense>
    </main>
  )
}
