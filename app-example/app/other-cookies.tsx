'use client'

import { useRouter } from 'next/navigation'
import { useEffect, useState, useTransition } from 'react'

/** Most of them the demo sets: 20 KB of Cookie header is past what most servers accept. */
const MAX = 20

/** Sets `pref0` … `pref{n-1}` (1 KB each) and deletes the rest of them. */
function plant(n: number) {
  for (let i = 0; i < MAX; i++) {
    document.cookie =
      i < n
        ? `pref${i}=${'p'.repeat(1000)}; Path=/; Max-Age=3600; SameSite=Lax`
        : `pref${i}=; Path=/; Max-Age=0; SameSite=Lax`
  }
  if (n > 0) document.documentElement.dataset['otherCookies'] = String(n)
  else delete document.documentElement.dataset['otherCookies']
}

const planted = () => document.cookie.split('; ').filter((c) => /^pref\d+=/.test(c)).length

/**
 * Stands in for the app's other cookies (analytics, preferences): with `?others=N` in the URL, the
 * page's own script sets N cookies of 1 KB (and removes any more of them). The session's budget
 * shrinks to make room for them.
 */
export function OtherCookies() {
  useEffect(() => {
    const param = new URLSearchParams(window.location.search).get('others')
    if (param === null) return
    plant(Math.min(Math.max(0, Math.floor(Number(param)) || 0), MAX))
  }, [])
  return null
}

/**
 * The same demo as buttons: sets that many other cookies, then renders the page again so that the
 * budget above counts them. `counted` is how many the server saw on this request; `bytesEach`, what
 * one of them takes of the Cookie header.
 */
export function OtherCookiesControl({
  counted,
  choices,
  bytesEach,
}: {
  counted: number
  choices: number[]
  bytesEach: number
}) {
  const router = useRouter()
  const [pending, startTransition] = useTransition()
  // What the browser holds, once known: it differs from `counted` after `?others=N` planted them.
  const [held, setHeld] = useState<number | undefined>(undefined)
  useEffect(() => {
    // Read after OtherCookies' effect (it runs first: it comes first in the page).
    setHeld(planted())
  }, [counted])
  const set = (n: number) => {
    plant(n)
    setHeld(n)
    startTransition(() => router.refresh())
  }
  return (
    <div className="card others-demo" data-testid="others-control">
      <div className="row">
        <strong className="others-label">Simulate other cookies:</strong>
        {choices.map((n) => (
          <button
            key={n}
            type="button"
            className={n === counted ? '' : 'secondary'}
            aria-pressed={n === counted}
            data-testid={`others-${n}`}
            disabled={pending}
            onClick={() => set(n)}
          >
            {n}
          </button>
        ))}
        <span className="muted">
          now <span data-testid="others-current">{counted}</span> × 1 KB
        </span>
      </div>
      <p className="muted explain">
        Real apps set other cookies too (analytics, preferences), and they share the Cookie header with the session.
        Each button makes this page’s own script set that many cookies of 1 KB (<code>pref0</code>, <code>pref1</code>,
        …): the room left to the session shrinks by about {bytesEach.toLocaleString('en-US')} bytes for each, and the
        session is trimmed to what is left on its next write (or dropped when nothing is). The same from a link:{' '}
        <a href="/?others=2">/?others=2</a>.
      </p>
      {held !== undefined && held !== counted && !pending && (
        <p className="notice" data-testid="others-pending">
          This browser now holds {held} of them, counted from the next request:{' '}
          <button type="button" className="secondary" onClick={() => startTransition(() => router.refresh())}>
            Refresh the budget
          </button>
        </p>
      )}
    </div>
  )
}
