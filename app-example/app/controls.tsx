'use client'

import { useActionState } from 'react'
import type { Item } from '../lib/session'
import { cartAction, type ActionState } from './actions'

function LastCommit({ state }: { state: ActionState }) {
  const r = state.report
  if (state.message === undefined) return null
  return (
    <div className={`notice${r?.error ? ' error' : ''}`} data-testid="last-commit">
      <strong>{state.message}</strong>
      {r && <>: {r.unchanged ? 'nothing rewritten' : `${r.chunks} chunk(s), ${r.bytes} bytes`}</>}
      {r?.error && (
        <>
          {' '}
          — <code data-testid="commit-error">{r.error.code}</code>
        </>
      )}
      {r?.shrunk && (
        <div data-testid="trimmed">
          Shrunk in {r.shrinkSteps} step(s) to fit the{' '}
          <code data-testid="trimmed-limit">
            {r.budget.limit.by} limit of {r.budget.limit.source}
          </code>
          : {r.trimmedKeys.length > 0 && <>trimmed {r.trimmedKeys.join(', ')}</>}
          {r.trimmedKeys.length > 0 && r.droppedKeys.length > 0 && '; '}
          {r.droppedKeys.length > 0 && <>dropped {r.droppedKeys.join(', ')}</>}
        </div>
      )}
      {r && r.deleted.length > 0 && <div className="muted">deleted {r.deleted.join(', ')}</div>}
    </div>
  )
}

export function Controls({ cart }: { cart: Item[] }) {
  const [state, act, pending] = useActionState(cartAction, {})
  return (
    <>
      <div className="row">
        <form action={act} className="row">
          <input type="hidden" name="intent" value="add" />
          <input type="hidden" name="count" value="1" />
          <button type="submit" data-testid="add-one" disabled={pending}>
            Add an item
          </button>
        </form>
        <form action={act} className="row">
          <input type="hidden" name="intent" value="add" />
          <input name="count" type="number" min="1" max="2000" defaultValue="50" aria-label="items to add" />
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
      <LastCommit state={state} />
      <ul className="items" data-testid="cart">
        {cart.map((i) => (
          <li key={i.sku}>
            <form action={act} className="row">
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
