import { cookies } from 'next/headers'
import { cookieman } from '../lib/session'
import { sessionStore } from '../lib/store'
import { addAndRedirect } from './actions'
import { BudgetView } from './budget-view'
import { Controls } from './controls'
import { OtherCookies, OtherCookiesControl } from './other-cookies'

export const dynamic = 'force-dynamic'

/** What one of the demo's other cookies takes of the Cookie header: `prefN=`, 1,000 bytes and `; `. */
const OTHER_COOKIE_BYTES = 1008

/** Counts of other cookies to offer: from none to enough to leave the session no room at all. */
function otherCookieChoices(headerBytes: number, reserveBytes: number): number[] {
  const full = Math.min(20, Math.max(1, Math.ceil((headerBytes - reserveBytes - 10) / OTHER_COOKIE_BYTES)))
  if (full <= 8) return Array.from({ length: full + 1 }, (_, i) => i)
  return [...new Set([0, 1, Math.round(full / 4), Math.round(full / 2), Math.round((3 * full) / 4), full - 1, full])]
}

/** Store mode: what of the session lives in Redis, next to what the budget above shows in cookies. */
function StoreView({ stored, json }: { stored: { keys: readonly string[]; bytes: number } | undefined; json: number }) {
  return (
    <div className="card" data-testid="store-view">
      {stored === undefined ? (
        <p>
          <strong>Redis holds nothing</strong> of this session: all of it fits its cookies.
        </p>
      ) : (
        <p>
          <strong>In Redis:</strong> <code data-testid="store-keys">{stored.keys.join(', ')}</code>,{' '}
          <strong data-testid="store-bytes">{stored.bytes.toLocaleString('en-US')}</strong> bytes of JSON of the
          session’s {json.toLocaleString('en-US')}. The cookies hold the rest and a reference that authenticates the
          stored part (a value swapped or edited in Redis is refused).
        </p>
      )}
    </div>
  )
}

export default async function Home() {
  const session = await cookieman.getSession()
  const snapshot = await cookieman.getBudget()
  const planted = (await cookies()).getAll().filter((c) => /^pref\d+$/.test(c.name)).length
  const { cart, recent } = session.data
  return (
    <main>
      <OtherCookies />
      <h1>next-cookieman</h1>
      <p className="lede">
        A cart that lives entirely in cookies, split over as many as your browser and the server allow, trimmed by
        shrink functions when it no longer fits.
      </p>
      {typeof session.flashes['notice'] === 'string' && (
        <div className="notice" data-testid="flash" role="status">
          {session.flashes['notice']}
        </div>
      )}
      {session.error && (
        <div className="notice error" data-testid="session-error">
          {session.error.code === 'ERR_SESSION_STORE' ? (
            <>
              Redis could not give back the part of the session kept there (<code>{session.error.code}</code>): this
              page shows what the cookies hold; the rest comes back once Redis answers again.
            </>
          ) : (
            <>
              The session cookie was rejected (<code>{session.error.code}</code>): this is a new session.
            </>
          )}
        </div>
      )}
      <h2>
        Session budget <span className="muted">for the browser that is looking</span>
      </h2>
      <BudgetView snapshot={snapshot} />
      {sessionStore !== undefined && <StoreView stored={session.stored} json={JSON.stringify(session.data).length} />}
      <OtherCookiesControl
        counted={planted}
        bytesEach={OTHER_COOKIE_BYTES}
        choices={otherCookieChoices(snapshot.budget.headerBytes, snapshot.reserveBytes)}
      />
      <h2>
        Cart: <span data-testid="cart-count">{cart.length}</span> item(s),{' '}
        <span data-testid="recent-count">{recent.length}</span> recently viewed
      </h2>
      <div className="card">
        <Controls cart={cart} recent={recent.length} />
        <div className="row">
          {/* Both add 3 items and redirect here with a flash notice, shown once. */}
          <form method="post" action="/api/cart/add">
            <input type="hidden" name="count" value="3" />
            <button type="submit" data-testid="add-three-form">
              Add 3 (form to a route handler, 303)
            </button>
          </form>
          <form action={addAndRedirect}>
            <input type="hidden" name="count" value="3" />
            <button type="submit" data-testid="add-three-action">
              Add 3 (server action, redirect)
            </button>
          </form>
        </div>
      </div>
      <p className="muted">
        Session data as JSON, before sealing (encryption and encoding change its size):{' '}
        <span data-testid="json-bytes">{JSON.stringify(session.data).length}</span> bytes ·{' '}
        <span data-testid="is-new">{session.isNew ? 'new session' : 'stored session'}</span> · route handler:{' '}
        <a href="/api/session">/api/session</a> · <a href="/readonly">commit from a server component</a> ·{' '}
        <a href="/pages-router">the same session in the Pages Router</a>
      </p>
    </main>
  )
}
