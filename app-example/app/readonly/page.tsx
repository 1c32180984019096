import { isSessionError } from 'next-cookieman'
import { cookieman } from '../../lib/session'

export const dynamic = 'force-dynamic'

/** What happens when a server component tries to write the session: ERR_SESSION_READ_ONLY. */
export default async function ReadOnly() {
  const session = await cookieman.getSession()
  session.data.recent.push('/readonly')
  let outcome: { code: string; message: string }
  try {
    await cookieman.commitSession(session)
    outcome = { code: 'committed', message: 'the commit went through (it should not from a server component)' }
  } catch (err) {
    if (!isSessionError(err)) throw err
    outcome = { code: err.code, message: err.message }
  }
  return (
    <main>
      <h1>Commit from a server component</h1>
      <p className="notice error">
        <code data-testid="readonly-code">{outcome.code}</code>:{' '}
        <span data-testid="readonly-message">{outcome.message}</span>
      </p>
      <p>
        <a href="/">Back to the cart</a>
      </p>
    </main>
  )
}
