'use client'

import { useActionState, useState } from 'react'
import type { Item } from '../lib/session'
import { cartAction, type ActionState, type ReportView } from './actions'
import { fmt, LIMITS } from './budget-view'

/** The limit that bound the session, in words, with where its figure comes from. */
function limitInWords(r: ReportView): string {
  const { budget } = r
  const source = budget.limit.source
  switch (budget.limit.by) {
    case 'response-head':
      return `the response head ${source} passes (${fmt(budget.responseHeadBytes)} bytes, ${fmt(budget.responseAvailable)} of them for the session’s Set-Cookie lines)`
    case 'cookie-header':
      return `the Cookie header ${source} accepts (${fmt(budget.headerBytes)} bytes, ${fmt(budget.available)} of them left to the session after the other cookies and the reserve)`
    case 'cookie-count':
      return `the browser’s limit of ${fmt(budget.cookies)} cookies of ${fmt(budget.perCookie)} bytes (${source})`
    case 'partition':
      return `the browser’s ${LIMITS.partition} (${source})`
  }
}

const list = (parts: string[]) =>
  parts.length <= 1 ? (parts[0] ?? 'changed nothing') : `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}`
const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`

/** The shrink in plain words: which limit bound the session and what the shrink functions removed. */
function ShrinkExplained({ r, cart, recent }: { r: ReportView; cart: number; recent: number }) {
  const cartTouched = r.trimmedKeys.includes('cart') || r.droppedKeys.includes('cart')
  const what: string[] = []
  if (r.droppedKeys.includes('recent')) what.push('dropped the recently viewed list')
  else if (r.trimmedKeys.includes('recent')) what.push('removed the oldest recently viewed pages')
  if (r.droppedKeys.includes('cart')) what.push('emptied the cart')
  else if (r.trimmedKeys.includes('cart')) what.push('removed the oldest cart items')
  for (const key of [...r.trimmedKeys, ...r.droppedKeys])
    if (key !== 'cart' && key !== 'recent') what.push(`${r.droppedKeys.includes(key) ? 'dropped' : 'trimmed'} ${key}`)
  const browser = [r.browser.name || 'this browser', r.browser.version].filter(Boolean).join(' ')
  return (
    <p data-testid="trimmed-why">
      <strong>{cartTouched ? 'Why the cart has fewer items: ' : 'Why the session is smaller: '}</strong>
      {cartTouched ? 'the cart' : 'the session'} no longer fitted the budget of{' '}
      <strong>{fmt(r.budget.limit.capacity)} bytes</strong> of sealed session for {browser} behind{' '}
      {r.budget.fronts.join(', ')}, set by {limitInWords(r)}. So the shrink functions made room, oldest first: they{' '}
      {list(what)}. Now{' '}
      <strong>
        {plural(cart, 'item')} in the cart, {recent} recently viewed
      </strong>
      {cartTouched &&
        cart > 0 &&
        '; adding more keeps the cart at about this size, each new item pushing out an old one'}
      .
    </p>
  )
}

function LastCommit({ state, cart, recent }: { state: ActionState; cart: number; recent: number }) {
  const r = state.report
  if (state.message === undefined) return null
  return (
    <div className={`notice${r?.error ? ' error' : ''}`} data-testid="last-commit">
      <strong>{state.message}</strong>
      {r && (
        <>
          :{' '}
          {r.unchanged
            ? 'nothing rewritten'
            : // Each pair with its `; `: the same total as the budget above.
              `${r.chunks} chunk(s), ${fmt(r.bytes + 2 * r.chunks)} bytes of the Cookie header`}
        </>
      )}
      {r?.error && (
        <>
          {' '}
          — <code data-testid="commit-error">{r.error.code}</code>
          {r.error.code === 'ERR_SESSION_TOO_LARGE' && (
            <p data-testid="commit-error-why">
              <strong>Nothing was saved:</strong> the other cookies leave the session no room at all (
              {fmt(r.budget.available)} bytes of the Cookie header), so even an empty session does not fit. Fewer other
              cookies (above) make room again.
            </p>
          )}
          <p className="muted">{r.error.message}</p>
        </>
      )}
      {r?.shrunk && (
        <>
          {!r.error && <ShrinkExplained r={r} cart={cart} recent={recent} />}
          <div className="muted" data-testid="trimmed">
            Shrunk in {r.shrinkSteps} step(s) to fit the{' '}
            <code data-testid="trimmed-limit">
              {r.budget.limit.by} limit of {r.budget.limit.source}
            </code>
            : {r.trimmedKeys.length > 0 && <>trimmed {r.trimmedKeys.join(', ')}</>}
            {r.trimmedKeys.length > 0 && r.droppedKeys.length > 0 && '; '}
            {r.droppedKeys.length > 0 && <>dropped {r.droppedKeys.join(', ')}</>}
          </div>
        </>
      )}
      {r?.store && r.store.keys.length > 0 && (
        <div className="muted" data-testid="commit-store">
          In Redis: {r.store.keys.join(', ')} ({fmt(r.store.bytes)} bytes of JSON
          {r.store.written ? ', written' : ', unchanged: not written again'})
        </div>
      )}
      {r?.store?.error && (
        <div className="muted" data-testid="commit-store-error">
          Redis: <code>{r.store.error.code}</code> {r.store.error.message}
        </div>
      )}
      {r && r.deleted.length > 0 && <div className="muted">deleted {r.deleted.join(', ')}</div>}
    </div>
  )
}

export function Controls({ cart, recent }: { cart: Item[]; recent: number }) {
  const [state, act, pending] = useActionState(cartAction, {})
  // Controlled: React resets a form after its action, and the count typed should stay.
  const [count, setCount] = useState('50')
  return (
    <>
      <div className="row controls">
        <form action={act} className="row">
          <input type="hidden" name="intent" value="add" />
          <input type="hidden" name="count" value="1" />
          <button type="submit" data-testid="add-one" disabled={pending}>
            Add an item
          </button>
        </form>
        <form action={act} className="row">
          <input type="hidden" name="intent" value="add" />
          <input
            name="count"
            type="number"
            min="1"
            max="2000"
            value={count}
            onChange={(e) => setCount(e.target.value)}
            aria-label="items to add"
          />
          <button type="submit" data-testid="add-many" disabled={pending}>
            Add many
          </button>
        </form>
        <form action={act} className="row">
          <input type="hidden" name="intent" value="keep" />
          <input type="hidden" name="keep" value="1" />
          <button type="submit" className="secondary" data-testid="keep-one" disabled={pending}>
            Keep one item
          </button>
        </form>
        <form action={act}>
          <input type="hidden" name="intent" value="destroy" />
          <button type="submit" className="danger" data-testid="destroy" disabled={pending}>
            Destroy session
          </button>
        </form>
      </div>
      <LastCommit state={state} cart={cart.length} recent={recent} />
      <ul className="items" data-testid="cart">
        {cart.map((i) => (
          <li key={i.sku}>
            <form action={act}>
              <input type="hidden" name="intent" value="remove" />
              <input type="hidden" name="sku" value={i.sku} />
              <span>
                {i.name} × {i.qty} <span className="muted">({i.sku})</span>
              </span>
              <button type="submit" className="secondary" aria-label={`remove ${i.sku}`} disabled={pending}>
                ✕
              </button>
            </form>
          </li>
        ))}
      </ul>
    </>
  )
}
