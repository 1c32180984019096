import type { BudgetSnapshot } from 'next-cookieman'

const W = 880
const fmt = (n: number) => n.toLocaleString('en-US')
const LIMITS = {
  'cookie-count': 'browser’s cookie count',
  'cookie-header': 'Cookie request header',
  'response-head': 'response head',
  partition: 'CHIPS partition',
} as const

/**
 * The session drawn against its budget, for the browser that is looking: one bar per chunk against
 * the browser's per-cookie limit, and the whole Cookie header against `maxCookieHeaderBytes`.
 */
export function BudgetView({ snapshot }: { snapshot: BudgetSnapshot }) {
  const { budget, browser, chunks, others, reserveBytes } = snapshot
  const ours = chunks.reduce((n, c) => n + c.bytes + 2, 0)
  const header = budget.headerBytes
  const scale = (bytes: number) => (Math.min(bytes, header) / header) * (W - 2)
  const barH = 22
  const chunkTop = 118
  const rowH = 30
  const height = chunkTop + Math.max(1, chunks.length) * rowH + 30
  const cookiesUsed = chunks.length + others.count
  let x = 1
  return (
    <div className="card" data-testid="budget-view">
      <div className="row" style={{ justifyContent: 'space-between' }}>
        <div>
          <strong data-testid="browser">{browser.name || 'Unknown browser'}</strong> {browser.version}{' '}
          <span className="muted">
            ({browser.engine || 'no engine'}; limits <code data-testid="budget-source">{budget.source}</code>)
          </span>
        </div>
        <div className="muted" data-testid="budget-numbers">
          {chunks.length} chunk(s) · {fmt(ours)} of {fmt(budget.available)} bytes available · {cookiesUsed} of{' '}
          {budget.cookies} cookies
        </div>
      </div>
      <div className="muted" data-testid="budget-limit" style={{ marginTop: 6 }}>
        Bound by the <strong data-testid="limit-by">{LIMITS[budget.limit.by]}</strong> of{' '}
        <code data-testid="limit-source">{budget.limit.source}</code>: up to {fmt(budget.limit.capacity)} bytes of
        sealed session · response head {fmt(budget.responseHeadBytes)} bytes ({fmt(budget.responseAvailable)} for our
        Set-Cookie lines) · fronts <code data-testid="fronts">{budget.fronts.join(', ')}</code>
      </div>
      <svg
        viewBox={`0 0 ${W} ${height}`}
        width="100%"
        role="img"
        aria-label="session chunks against the cookie budget"
        style={{ marginTop: 12 }}
      >
        <defs>
          <pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
            <rect width="6" height="6" fill="#fff3d6" />
            <line x1="0" y1="0" x2="0" y2="6" stroke="var(--reserve)" strokeWidth="3" />
          </pattern>
        </defs>
        <text x="1" y="14" fontSize="13" fill="var(--ink)">
          Cookie header: {fmt(snapshot.cookieHeaderBytes)} of {fmt(header)} bytes (limits.maxCookieHeaderBytes)
        </text>
        <rect x="1" y="24" width={W - 2} height={barH + 8} rx="4" fill="#eef0f3" stroke="#d5d9e0" />
        {/* other cookies, then ours chunk by chunk, then the reserve at the end */}
        {others.bytes > 0 && (
          <rect x={(x += 0)} y="28" width={scale(others.bytes)} height={barH} fill="var(--others)">
            <title>{`other cookies: ${fmt(others.bytes)} bytes`}</title>
          </rect>
        )}
        {(() => {
          x = 1 + scale(others.bytes)
          return chunks.map((c, i) => {
            const w = scale(c.bytes + 2)
            const rect = (
              <rect
                key={c.name}
                x={x}
                y="28"
                width={Math.max(1, w - 1)}
                height={barH}
                fill={i % 2 ? 'var(--ours-2)' : 'var(--ours)'}
              >
                <title>{`${c.name}: ${fmt(c.bytes)} bytes`}</title>
              </rect>
            )
            x += w
            return rect
          })
        })()}
        <rect x={W - 1 - scale(reserveBytes)} y="28" width={scale(reserveBytes)} height={barH} fill="url(#hatch)">
          <title>{`reserveBytes: ${fmt(reserveBytes)}`}</title>
        </rect>
        <g fontSize="12" fill="var(--muted)">
          <rect x="1" y="64" width="10" height="10" fill="var(--others)" />
          <text x="16" y="73">
            other cookies ({others.count}, {fmt(others.bytes)} B)
          </text>
          <rect x="220" y="64" width="10" height="10" fill="var(--ours)" />
          <text x="235" y="73">
            session chunks ({fmt(ours)} B)
          </text>
          <rect x="400" y="64" width="10" height="10" fill="url(#hatch)" />
          <text x="415" y="73">
            reserve ({fmt(reserveBytes)} B)
          </text>
        </g>
        <text x="1" y="104" fontSize="13" fill="var(--ink)">
          Chunks against the per-cookie limit ({fmt(budget.perCookie)} bytes of name + value)
        </text>
        {chunks.length === 0 && (
          <text x="1" y={chunkTop + 16} fontSize="13" fill="var(--muted)">
            no session cookie yet
          </text>
        )}
        {chunks.map((c, i) => {
          const y = chunkTop + i * rowH
          const w = (Math.min(c.bytes - 1, budget.perCookie) / budget.perCookie) * (W - 160)
          return (
            <g key={c.name} data-testid="chunk-bar">
              <text x="1" y={y + 15} fontSize="12" fill="var(--ink)">
                {c.name}
              </text>
              <rect x="90" y={y} width={W - 160} height={barH - 2} rx="3" fill="#eef0f3" />
              <rect
                x="90"
                y={y}
                width={w}
                height={barH - 2}
                rx="3"
                fill={c.bytes - 1 > budget.perCookie ? 'var(--over)' : 'var(--ours)'}
              />
              <text x={W - 64} y={y + 15} fontSize="12" fill="var(--muted)">
                {fmt(c.bytes - 1)} B
              </text>
            </g>
          )
        })}
      </svg>
    </div>
  )
}
