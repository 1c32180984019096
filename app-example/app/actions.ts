'use server'

import type { CommitReport } from 'next-cookieman'
import { redirect } from 'next/navigation'
import { addedNotice, addItems } from '../lib/cart'
import { cookieman } from '../lib/session'

/** The report as the client gets it: errors cross the server-action boundary as plain data. */
export type ReportView = Omit<CommitReport, 'error'> & { error?: { code: string; message: string } }
export type ActionState = { report?: ReportView; message?: string }

function view(report: CommitReport): ReportView {
  const { error, ...rest } = report
  return error === undefined ? rest : { ...rest, error: { code: error.code, message: error.message } }
}

/**
 * One server action for every cart button (`intent` says which), so the page shows the report of
 * the last commit, whichever button caused it.
 */
export async function cartAction(_prev: ActionState, form: FormData): Promise<ActionState> {
  const session = await cookieman.getSession()
  const intent = String(form.get('intent') ?? '')
  let message: string
  switch (intent) {
    case 'add': {
      const count = Math.min(2000, Math.max(1, Number(form.get('count') ?? 1) || 1))
      addItems(session.data, count)
      message = `added ${count} item${count === 1 ? '' : 's'}`
      break
    }
    case 'remove': {
      const sku = String(form.get('sku') ?? '')
      session.data.cart = session.data.cart.filter((i) => i.sku !== sku)
      message = `removed ${sku}`
      break
    }
    case 'keep': {
      // Keeps the first `keep` items: shrinks a large session back to one cookie.
      const keep = Math.max(0, Number(form.get('keep') ?? 1) || 0)
      session.data.cart = session.data.cart.slice(0, keep)
      session.data.recent = keep === 0 ? [] : session.data.recent.slice(-keep)
      message = `kept ${keep} item${keep === 1 ? '' : 's'}`
      break
    }
    case 'destroy':
      session.destroy()
      message = 'session destroyed'
      break
    default:
      return { message: `unknown intent ${JSON.stringify(intent)}` }
  }
  return { report: view(await cookieman.commitSession(session)), message }
}

/**
 * Adds items, leaves a flash notice and redirects to the cart: the page Next renders for the
 * redirect, in this action's response, shows the notice once.
 */
export async function addAndRedirect(form: FormData): Promise<void> {
  const count = Math.min(20, Math.max(1, Number(form.get('count') ?? 3) || 3))
  const session = await cookieman.getSession()
  addItems(session.data, count)
  session.flash('notice', addedNotice(count))
  await cookieman.commitSession(session)
  redirect('/')
}
