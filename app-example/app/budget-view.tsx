import type { BudgetSnapshot } from 'next-cookieman'

export const fmt = (n: number) => n.toLocaleString('en-US')

/** What each `budget.limit.by` means, in words. */
export const LIMITS = {
  'cookie-count': 'browser’s cookie count',
  'cookie-header': 'Cookie request header',
  'response-head': 'response head',
  partition: 'CHIPS partition',
} as const

/** `Cookie: ` and the CRLF of the request line: counted in the header limit, never ours. */
const COOKIE_LINE = 10

const pct = (part: number, whole: number) => `${(Math.max(0, Math.min(part, whole)) / whole) * 100}%`

/**
 * The session against its budget, for the browser that is looking. One total: the bytes the
 * session's cookies take of the Cookie header (`name=value; ` for each chunk, the unit the budget's
 * `available` is counted in). The whole header is drawn as a bar against its limit, and each chunk
 * against the browser's per-cookie limit (a different figure, labelled as such).
 */
export function BudgetView({ snapshot }: { snapshot: BudgetSnapshot }) {
  const { budget, browser, chunks, others, reserveBytes } = snapshot
  // Our pairs as the budget counts them: `name=value` and the `; ` separating it from the next.
  const ours = chunks.reduce((n, c) => n + c.bytes + 2, 0)
  const header = budget.headerBytes
  const free = Math.max(0, budget.available - ours)
  const cookiesUsed = chunks.length + others.count
  const names = chunks.map((c) => c.name)
  return (
    <div className="card budget" data-testid="budget-view">
      <div className="budget-head">
        <div>
          <strong data-testid="browser">{browser.name || 'Unknown browser'}</strong> {browser.version}{' '}
          <span className="muted">
            ({browser.engine || 'no engine'}; limits <code data-testid="budget-source">{budget.source}</code>)
          </span>
        </div>
        <div className="muted" data-testid="budget-numbers">
          {chunks.length} chunk(s) · {cookiesUsed} of {budget.cookies} cookies ({others.count} other)
        </div>
      </div>

      <p className="total" data-testid="session-total">
        {chunks.length === 0 ? (
          <>
            No session cookie yet: <strong>0 bytes</strong> of the Cookie header, of{' '}
            <strong>{fmt(budget.available)}</strong> left to the session.
          </>
        ) : (
          <>
            The session takes <strong data-testid="session-bytes">{fmt(ours)} bytes</strong> of the Cookie header, of{' '}
            <strong data-testid="session-available">{fmt(budget.available)}</strong> left to it.
          </>
        )}
      </p>
      <p className="muted explain">
        Counted as your browser sends it back on every request: <code>name=value;</code> and a space for each of the
        session’s cookies{names.length > 0 && <> ({names.join(', ')})</>}. Left to it: the Cookie header limit,{' '}
        {fmt(header)} bytes, less the other cookies ({fmt(others.bytes)} bytes), a reserve ({fmt(reserveBytes)} bytes,
        kept free so that a cookie set later still gets the request through) and the <code>Cookie:</code> name.
      </p>

      <div className="meter" role="img" aria-label={`Cookie header: ${fmt(ours)} bytes of session of ${fmt(header)}`}>
        {others.bytes > 0 && (
          <span
            className="seg others"
            style={{ width: pct(others.bytes, header) }}
            title={`other cookies: ${fmt(others.bytes)} bytes`}
          />
        )}
        {chunks.map((c, i) => (
          <span
            key={c.name}
            className={`seg ${i % 2 ? 'ours-2' : 'ours'}`}
            style={{ width: pct(c.bytes + 2, header) }}
            title={`${c.name}: ${fmt(c.bytes + 2)} bytes`}
          />
        ))}
        <span className="seg free" style={{ width: pct(free, header) }} title={`free: ${fmt(free)} bytes`} />
        <span
          className="seg reserve"
          style={{ width: pct(reserveBytes + COOKIE_LINE, header) }}
          title={`reserve: ${fmt(reserveBytes)} bytes`}
        />
      </div>
      <ul className="legend muted">
        <li>
          <i className="swatch others" /> other cookies: {others.count}, {fmt(others.bytes)} B
        </li>
        <li>
          <i className="swatch ours" /> session: {fmt(ours)} B
        </li>
        <li>
          <i className="swatch free" /> free: {fmt(free)} B
        </li>
        <li>
          <i className="swatch reserve" /> reserve: {fmt(reserveBytes)} B
        </li>
        <li>bar = the Cookie header limit, {fmt(header)} B</li>
      </ul>

      <p className="muted" data-testid="budget-limit">
        How far it can grow
        {budget.limit.capacity === 0
          ? ': it cannot, there is no room left. '
          : budget.limit.by === 'cookie-header'
            ? ': up to the free space above. '
            : ': not to the end of the free space. '}
        The tightest limit here is the <strong data-testid="limit-by">{LIMITS[budget.limit.by]}</strong> of{' '}
        <code data-testid="limit-source">{budget.limit.source}</code>: it holds a sealed session of at most{' '}
        {fmt(budget.limit.capacity)} bytes. (Response head: {fmt(budget.responseHeadBytes)} bytes,{' '}
        {fmt(budget.responseAvailable)} of them for the session’s Set-Cookie lines. Servers in front:{' '}
        <code data-testid="fronts">{budget.fronts.join(', ')}</code>.)
      </p>

      <h3>Each cookie against the browser’s per-cookie limit</h3>
      <p className="muted explain">
        A different figure: the name and value of one cookie, at most {fmt(budget.perCookie)} bytes each in this
        browser. A session that outgrows one cookie is split into <code>session</code>, <code>session.1</code>, …
      </p>
      {chunks.length === 0 && <p className="muted">no session cookie yet</p>}
      <ul className="chunks">
        {chunks.map((c) => {
          // name + value, without the `=`: what the per-cookie limit counts.
          const size = c.bytes - 1
          return (
            <li key={c.name} data-testid="chunk-bar">
              <code className="chunk-name">{c.name}</code>
              <span className="chunk-track">
                <span
                  className={`chunk-fill${size > budget.perCookie ? ' over' : ''}`}
                  style={{ width: pct(size, budget.perCookie) }}
                />
              </span>
              <span className="chunk-size muted">
                {fmt(size)} / {fmt(budget.perCookie)} B
              </span>
            </li>
          )
        })}
      </ul>
    </div>
  )
}
