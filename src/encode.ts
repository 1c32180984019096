import { budgetOf, fitsChunks, plan, type BudgetContext } from './budget.js'
import { chunkName, split, type RequestChunks } from './chunk.js'
import type { EngineContext } from './context.js'
import { SessionError } from './errors.js'
import { holdsEveryDefault, PayloadEncoder, withDefaults } from './payload.js'
import { reportBase, shrinkSummary, type CommitReport, type ShrinkSummary } from './report.js'
import { readRequest, type HeadersLike } from './request.js'
import { seal, sealedLength, type SealMeta } from './seal.js'
import { settle, stateOf, type Session } from './session.js'
import { deletionWrite, liveWrite, serializeWrite, type CookieWrite } from './set-cookie.js'
import { shrink, type Data } from './shrink/index.js'
import { utf8Length } from './utf8.js'

/**
 * The write path, in the order data moves: the request's budget → unchanged? (then nothing is
 * sealed) → shrink until the JSON fits, measured without sealing → one seal → chunks → Set-Cookie
 * writes, stale chunks deleted → the session settled to what was stored.
 */

export interface EncodeResult {
  /** One `Set-Cookie` header value each. */
  setCookie: string[]
  /** The same cookies, structured (name, value, options) for APIs such as Next's `cookies().set`. */
  cookies: CookieWrite[]
  report: CommitReport
}

const EMPTY = { chunks: 0, bytes: 0, names: [] }
// Deletions per commit are capped at the browser's per-host count, and at least at the largest one
// in the database (Chromium and Firefox keep 180): a browser cannot hold more of ours than that.
const DELETION_CAP = 180

export async function encodeSession<T extends object>(
  ctx: EngineContext<T>,
  session: Session<T>,
  headers: HeadersLike,
): Promise<EncodeResult> {
  const { opts } = ctx
  const now = Math.floor(Date.now() / 1000)
  const state = stateOf(session)
  const request = readRequest(headers, opts.cookieName)
  const profile = ctx.profile(headers)
  // Ours on the request, plus what an earlier commit of this session wrote in the same response
  // (a browser holds at most its per-host count: never more deletions than that).
  const present = [...new Set([...request.chunks.names, ...(state.written?.names ?? [])])].slice(
    0,
    Math.max(profile.entry.cookies, DELETION_CAP),
  )
  const budget = budgetOf(opts, profile.entry, request.others, present)
  const base = reportBase(budget, profile)
  const done = (writes: CookieWrite[], report: CommitReport): EncodeResult => ({
    setCookie: writes.map(serializeWrite),
    cookies: writes,
    report,
  })
  const deletions = (names: readonly string[]): CookieWrite[] => names.map((name) => deletionWrite(name, opts.cookie))

  if (state.destroyed) {
    settle(session, opts.defaults(), undefined, EMPTY)
    return done(deletions(present), { ...base, chunks: 0, bytes: 0, unchanged: false, deleted: [...present] })
  }

  const json = JSON.stringify(session.data)
  const rollingDue = opts.rolling && state.iat !== undefined && now - state.iat > opts.maxAge / 2
  if (json === state.snapshot && !rollingDue) {
    if (state.written !== undefined) {
      // Committed before in this request: those Set-Cookie lines already went out.
      const { chunks, bytes } = state.written
      return done([], { ...base, chunks, bytes, unchanged: true, deleted: [] })
    }
    const kept = keptChunks(request.chunks, state.count, budget)
    if (kept !== undefined) {
      const stale = present.filter((name) => !kept.names.includes(name))
      return done(deletions(stale), {
        ...base,
        chunks: kept.names.length,
        bytes: kept.bytes,
        unchanged: true,
        deleted: stale,
      })
    }
  }

  const { kid } = (await ctx.keys())[0]!
  const meta: SealMeta = { kid, iat: now, exp: now + opts.maxAge, compressed: false }
  const payload = new PayloadEncoder(ctx.backend)
  const sealedFits = (plaintextBytes: number, compressed: boolean): boolean =>
    plan(sealedLength(opts.mode, compressed ? { ...meta, compressed } : meta, plaintextBytes), budget) !== undefined
  // Without compression the size alone decides: nothing to serialize, deflate or await per step.
  const fitsText = (text: string, jsonBytes: number): boolean | Promise<boolean> => {
    if (jsonBytes > opts.maxInflatedBytes) return false
    if (!opts.compress) return sealedFits(jsonBytes, false)
    return payload.measure(text, jsonBytes).then((m) => sealedFits(m.bytes, m.compressed))
  }
  const fits = (data: Data, jsonBytes: number): boolean | Promise<boolean> =>
    fitsText(opts.compress ? JSON.stringify(data) : '', jsonBytes)

  let finalJson = json
  let storedData: Data | undefined
  // Set when the commit shrank; the base already says it did not.
  let summary: ShrinkSummary | undefined
  if (!(await fitsText(json, utf8Length(json)))) {
    // The working copy the shrinkers may mutate: a JSON round trip, so it is plain data.
    const shrunk = await shrink(JSON.parse(json) as Data, ctx.shrinkers, fits)
    summary = shrinkSummary(shrunk)
    if (!shrunk.fits) {
      const error = new SessionError(
        'ERR_SESSION_TOO_LARGE',
        `even an empty session does not fit: the request's other cookies leave ${budget.budget.available} bytes of the ${budget.budget.headerBytes}-byte Cookie header budget and ${Math.max(0, budget.cookieSlots)} cookie slots`,
      )
      ctx.reportError(error)
      settle(session, opts.defaults(), undefined, EMPTY)
      const report = { ...base, ...summary, chunks: 0, bytes: 0, unchanged: false, deleted: [...present], error }
      return done(deletions(present), report)
    }
    finalJson = JSON.stringify(shrunk.data)
    storedData = shrunk.data
  }

  // One seal per commit, of exactly the data that was measured.
  const { plaintext, compressed } = opts.compress ? await payload.deflated(finalJson) : payload.plain(finalJson)
  meta.compressed = compressed
  const wire = await seal(opts.mode, (await ctx.keys())[0]!, meta, plaintext)
  const layout = plan(wire.length, budget)
  if (wire.length !== sealedLength(opts.mode, meta, plaintext.length) || layout === undefined) {
    throw new Error('next-cookieman: internal error, the sealed session does not match its measured size')
  }
  const values = split(wire, layout.capacities)
  const names = values.map((_, i) => chunkName(opts.cookieName, i))
  const stale = present.filter((name) => !names.includes(name))
  const writes = [
    ...values.map((value, i) => liveWrite(names[i]!, value, opts.cookie, opts.maxAge)),
    ...deletions(stale),
  ]

  // session.data becomes the stored data, as the next request will read it. When every default
  // key is stored, that is the parse of finalJson, and it is parsed only if the app reads it.
  const written = { chunks: values.length, bytes: layout.bytes, names }
  const stored = (finalJson === json ? session.data : storedData) as Data
  const defaults = opts.defaults() as Data
  const load = () => withDefaults<T>(JSON.parse(finalJson) as Data, finalJson, defaults)
  if (holdsEveryDefault(stored, defaults)) {
    settle(session, () => load().data, now, written, finalJson)
  } else {
    // A default is merged in: the snapshot is the merged data's JSON, so parse now.
    const { data, snapshot } = load()
    settle(session, data, now, written, snapshot)
  }
  return done(writes, {
    ...base,
    ...summary,
    chunks: values.length,
    bytes: layout.bytes,
    unchanged: false,
    deleted: stale,
  })
}

/** The chunks of a valid session on the request, if they still fit this request's budget. */
function keptChunks(
  chunks: RequestChunks,
  count: number | undefined,
  budget: BudgetContext,
): { names: string[]; bytes: number } | undefined {
  if (count === undefined) return { names: [], bytes: 0 }
  const names: string[] = []
  let nameBytes = 0
  let valueBytes = 0
  let largest = 0
  for (let i = 0; i < count; i++) {
    const value = i === 0 ? chunks.first : chunks.numbered.get(i)
    if (value === undefined) return undefined
    const name = chunkName(budget.baseName, i)
    names.push(name)
    nameBytes += name.length
    valueBytes += value.length
    largest = Math.max(largest, name.length + value.length)
  }
  // Not re-sent: only the request side of the budget applies.
  if (!fitsChunks({ count, nameBytes, valueBytes, largest }, budget, false)) return undefined
  return { names, bytes: nameBytes + count + valueBytes }
}
