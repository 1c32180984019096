import type { GetServerSideProps } from 'next'
import Head from 'next/head'
import { cookieman } from '../lib/session'

type Props = { count: number; skus: string[]; isNew: boolean; visits: number }

/**
 * A Pages Router page beside `app/`: `getServerSideProps` reads the session with `getSession(req)`
 * and commits with `commitSession(session, res)` (here: a visit counter kept in the session).
 */
export const getServerSideProps: GetServerSideProps<Props> = async ({ req, res }) => {
  const session = await cookieman.getSession(req)
  session.data.visits = (session.data.visits ?? 0) + 1
  await cookieman.commitSession(session, res)
  const { cart, visits } = session.data
  return { props: { count: cart.length, skus: cart.map((i) => i.sku), isNew: session.isNew, visits: visits ?? 0 } }
}

export default function PagesRouterPage({ count, skus, isNew, visits }: Props) {
  return (
    <main style={{ fontFamily: 'system-ui, sans-serif', maxWidth: 640, margin: '2rem auto', padding: '0 1rem' }}>
      <Head>
        <title>Pages Router · next-cookieman</title>
        <link rel="icon" href="/icon.svg" />
      </Head>
      <h1>Pages Router</h1>
      <p>
        The same session, read in <code>getServerSideProps</code> with <code>cookieman.getSession(req)</code>.
      </p>
      <p>
        Cart: <span data-testid="pages-cart-count">{count}</span> item(s) · visits of this page:{' '}
        <span data-testid="pages-visits">{visits}</span> · <span>{isNew ? 'new session' : 'stored session'}</span>
      </p>
      <ul>
        {skus.slice(0, 5).map((sku) => (
          <li key={sku}>{sku}</li>
        ))}
        {skus.length > 5 && <li>… and {skus.length - 5} more</li>}
      </ul>
      <p>
        <a href="/">Back to the App Router page</a> · API route: <a href="/api/pages-cart">/api/pages-cart</a>
      </p>
    </main>
  )
}
