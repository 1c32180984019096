import type { Budget, BudgetContext, BudgetLimit } from './budget.js'
import { budgetLimit } from './fit.js'
import { REQUEST_HEAD_ALLOWANCE } from './options/defaults.js'
import type { FrontEntry } from './fronts/database.js'
import type { BrowserInfo, BrowserProfile } from './browsers/user-agent.js'
import type { SessionError } from './errors.js'
import type { RequestCookies } from './request.js'
import type { ShrinkResult } from './shrink/index.js'
import type { StoreReport } from './store/commit.js'

/**
 * The report stage: what a commit did and why ({@link CommitReport}), and what a request's cookies
 * take of its budget ({@link BudgetSnapshot}), enough to show a user why their data was trimmed.
 */

/** What a commit did and why, enough to show a user why their data was trimmed. */
export interface CommitReport {
  /** Chunks of ours the browser holds after this response. */
  chunks: number
  /** Our `name=value` bytes in the next Cookie header (separators not counted). */
  bytes: number
  budget: Budget
  browser: BrowserInfo
  /** Nothing was written: the data equals what the request carried (stale chunks may still be deleted). */
  unchanged: boolean
  shrunk: boolean
  /** Shrinker calls plus key removals. */
  shrinkSteps: number
  /** The steps in order: phase (1-4, see the README), keys, and how many times in a row. */
  steps: ShrinkStep[]
  /** Keys still present but changed by a shrinker. */
  trimmedKeys: string[]
  /** Keys the commit removed (they read back as their default). */
  droppedKeys: string[]
  /** Names of our cookies this response deletes. */
  deleted: string[]
  /** With a `store`: what lives there after this commit, and what the commit did there. */
  store?: StoreReport
  error?: SessionError
}

export interface ShrinkStep {
  /**
   * 0: keys spilled first (`spill.first`), 1: shrink functions, 2: keys without one removed (or
   * spilled), 3: shrink functions with `last`, 4: keys removed (or spilled).
   */
  phase: 0 | 1 | 2 | 3 | 4
  keys: string[]
  /** Consecutive calls of the same shrink function (1 for a key removal). */
  count: number
  /** The key went to the app's store, not away. */
  spilled?: true
}

/** What `inspect` reports: enough to draw the session against its budget. */
export interface BudgetSnapshot {
  budget: Budget
  browser: BrowserInfo
  /** Our cookies on the request, `NAME` first, with their `name=value` bytes. */
  chunks: Array<{ name: string; bytes: number }>
  /** The request's other cookies: how many, and their bytes in the Cookie header with separators. */
  others: { count: number; bytes: number }
  /** Length of the whole Cookie header value. */
  cookieHeaderBytes: number
  reserveBytes: number
}

export type ShrinkSummary = Pick<CommitReport, 'shrunk' | 'shrinkSteps' | 'steps' | 'trimmedKeys' | 'droppedKeys'>

/** The summary of a shrink: its steps, the keys it trimmed and those it dropped. */
export function shrinkSummary(result: ShrinkResult): ShrinkSummary {
  const keys = [...result.initial.keys()]
  const { data } = result
  return {
    shrunk: true,
    shrinkSteps: result.steps.reduce((n, step) => n + step.count, 0),
    steps: result.steps.map((step) => ({
      phase: step.phase,
      keys: [...step.keys],
      count: step.count,
      ...(step.spilled ? { spilled: true as const } : {}),
    })),
    trimmedKeys: keys.filter((k) => Object.hasOwn(data, k) && result.initial.get(k) !== JSON.stringify(data[k])),
    droppedKeys: keys.filter((k) => !Object.hasOwn(data, k) && !Object.hasOwn(result.spilled, k)),
  }
}

/**
 * The context each reported budget's `limit` is worked out from. A WeakMap, not a property: a
 * report goes to client components and back to server functions, which take no symbol keys, no
 * class instances and no extra fields.
 */
const limitContexts = new WeakMap<object, BudgetContext>()

/**
 * The getter of every reported budget's `limit`: worked out on first read, then a plain data
 * property. One function for all (a getter made per commit, a closure over its budget, made V8 keep
 * every commit's budget past the young generation).
 */
function limitOnRead(this: Budget): BudgetLimit {
  const limit = budgetLimit(limitContexts.get(this)!)
  Object.defineProperty(this, 'limit', { value: limit, enumerable: true, configurable: true, writable: true })
  return limit
}

/**
 * The budget as reported, its `limit` worked out when first read: the bisection behind it costs
 * more than a small commit, and most commits never look at it.
 */
function reportedBudget(ctx: BudgetContext): Budget {
  // Object.assign, not a spread: a spread here made V8 keep every commit's budget past the young generation.
  const budget = Object.assign({}, ctx.budget) as Budget
  limitContexts.set(budget, ctx)
  return Object.defineProperty(budget, 'limit', { enumerable: true, configurable: true, get: limitOnRead })
}

/** The fields every report of one commit shares: its budget and browser, and no shrinking yet. */
export function reportBase(
  budget: BudgetContext,
  profile: BrowserProfile,
): Pick<CommitReport, 'budget' | 'browser'> & ShrinkSummary {
  return {
    budget: reportedBudget(budget),
    browser: Object.assign({}, profile.browser),
    shrunk: false,
    shrinkSteps: 0,
    steps: [],
    trimmedKeys: [],
    droppedKeys: [],
  }
}

/**
 * A commit's report: `base` (from {@link reportBase}, one per commit) with the commit's fields
 * written into it, in this order. Written in, not spread: spreading the base made V8 keep every
 * commit's report, and the budget it holds, past the young generation.
 */
export function commitReport(
  base: ReturnType<typeof reportBase>,
  ...fields: Array<Partial<CommitReport> | undefined>
): CommitReport {
  return Object.assign(base, ...fields) as CommitReport
}

/** The request's cookies against its budget (see `inspect`). */
export function budgetSnapshot(
  request: RequestCookies,
  budget: BudgetContext,
  profile: BrowserProfile,
  reserveBytes: number,
): BudgetSnapshot {
  const { chunks } = request
  return {
    budget: reportedBudget(budget),
    browser: { ...profile.browser },
    chunks: chunks.names.map((name) => ({ name, bytes: name.length + 1 + (chunks.values.get(name)?.length ?? 0) })),
    others: request.others,
    cookieHeaderBytes: request.header.trim().length,
    reserveBytes,
  }
}

const LIMIT_WORDS: Record<BudgetLimit['by'], string> = {
  'cookie-count': 'cookies per host (of its per-cookie size)',
  'cookie-header': 'Cookie request header',
  'response-head': 'response head',
  partition: 'CHIPS partition',
}

/**
 * Which limit bound a session that had to be trimmed, and what to raise: what the development-time
 * warning says, so that a user behind nginx learns why and which directive goes with which option.
 */
export function limitAdvice(limit: BudgetLimit, fronts: readonly FrontEntry[], keys: readonly string[]): string {
  const trimmed = keys.length > 0 ? ` (${keys.join(', ')})` : ''
  const option = limit.by === 'response-head' ? 'maxResponseHeaderBytes' : 'maxCookieHeaderBytes'
  const whose = limit.source === 'option' ? `limits.${option}` : limit.source
  const head = `next-cookieman: the session was trimmed${trimmed} to fit the ${LIMIT_WORDS[limit.by]} limit of ${whose}: ${limit.capacity} bytes of sealed session fit this request.`
  const front = fronts.find((f) => f.id === limit.source)
  if (front !== undefined) {
    // A whole-head limit binds the Cookie line where it is the smaller (HAProxy, node).
    const byHead =
      front.requestHeadBytes !== undefined && front.requestHeadBytes - REQUEST_HEAD_ALLOWANCE < front.cookieLineBytes
    const field = limit.by === 'response-head' ? 'responseHeadBytes' : byHead ? 'requestHeadBytes' : 'cookieLineBytes'
    return `${head} If your ${front.name} allows more (${front.raise}), say so: limits.fronts: [{ id: '${front.id}', ${field}: … }] (or limits.${option}).`
  }
  if (limit.source === 'option') return head
  return `${head} That is the browser's own limit (database entry ${limit.source}): register shrink functions to choose what goes first.`
}
