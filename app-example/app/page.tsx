import { cookieman } from '../lib/session'
import { BudgetView } from './budget-view'
import { Controls } from './controls'
import { OtherCookies } from './other-cookies'

export const dynamic = 'force-dynamic'

export default async function Home() {
  const session = await cookieman.getSession()
  const snapshot = await cookieman.getBudget()
  const { cart, recent } = session.data
  return (
    <main>
      <OtherCookies />
      <h1>next-cookieman</h1>
      <p className="lede">
        A cart that lives entirely in cookies, split over as many as your browser and the server allow, trimmed by
        shrink functions when it no longer fits.
      </p>
      {session.error && (
        <div className="notice error" data-testid="session-error">
          The session cookie was rejected (<code>{session.error.code}</code>): this is a new session.
        </div>
      )}
      <h2>
        Session budget <span className="muted">for the browser that is looking</span>
      </h2>
      <BudgetView snapshot={snapshot} />
      <h2>
        Cart: <span data-testid="cart-count">{cart.length}</span> item(s),{' '}
        <span data-testid="recent-count">{recent.length}</span> recently viewed
      </h2>
      <div className="card">
        <Controls cart={cart} />
      </div>
      <p className="muted">
        Session JSON: <span data-testid="json-bytes">{JSON.stringify(session.data).length}</span> bytes ·{' '}
        <span data-testid="is-new">{session.isNew ? 'new session' : 'stored session'}</span> · route handler:{' '}
        <a href="/api/session">/api/session</a> · <a href="/readonly">commit from a server component</a>
      </p>
    </main>
  )
}
