import { requestBudget, type BudgetContext } from './budget.js'
import { flashWrite, sendFlash, withFlash } from './flash.js'
import { deletionsFor, keptChunks, plan } from './fit.js'
import { chunkName, split } from './chunk.js'
import type { EngineContext } from './context.js'
import { crossSiteRefusal } from './cross-site.js'
import { invalidData, validate } from './schema.js'
import { SessionError } from './errors.js'
import { holdsEveryDefault, PayloadEncoder, withDefaults } from './payload.js'
import {
  commitReport,
  limitAdvice,
  reportBase,
  shrinkSummary,
  type CommitReport,
  type ShrinkSummary,
} from './report.js'
import { readRequest, responseSpentOf, type HeadersLike } from './request.js'
import { seal, sealedLength, type SealMeta } from './seal.js'
import { stateOf, type Session } from './session.js'
import { captureSession, dataJson, PARSE_ON_READ, settle } from './session-commit.js'
import { deletionWrite, liveWrite, NO_STORE, serializeWrite, type CookieWrite } from './set-cookie.js'
import { overBytes, shrink, type Data } from './shrink/index.js'
import { destroySpilled, storeCommit, storeSpilled, type StoreReport } from './store/commit.js'
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
  /**
   * Headers for the response (lower-case names): `cache-control: private, no-store` whenever it
   * sets or deletes a cookie, so that no shared cache hands one user's session to another.
   */
  responseHeaders: Record<string, string>
  report: CommitReport
  /**
   * Puts the session back as it was before this encode (data, `isNew`, what it remembers of the
   * last commit): for an adapter whose write failed, so that a commit that wrote nothing changed
   * nothing.
   */
  undo(): void
}

const EMPTY = { chunks: 0, bytes: 0, names: [] }

export async function encodeSession<T extends object>(
  ctx: EngineContext<T>,
  session: Session<T>,
  headers: HeadersLike,
  /** Refuse a commit answering a request from another origin (see ./cross-site.ts). */
  checkSite = true,
): Promise<EncodeResult> {
  const { opts } = ctx
  const now = Math.floor(ctx.now() / 1000)
  const state = stateOf(session)
  const undo = captureSession(session)
  const request = readRequest(headers, opts.cookieName)
  const profile = ctx.profile(headers)
  const flash = state.flashOut === undefined ? undefined : await flashWrite(ctx, state.flashOut, headers, now)
  // Ours on the request, plus what an earlier commit of this session wrote in the same response.
  const spent = responseSpentOf(headers)
  const budget = withFlash(requestBudget(opts, profile.entry, request, state.written?.names, spent), flash)
  const base = reportBase(budget, profile)
  let flashing = false
  const done = (sessionWrites: CookieWrite[], report: CommitReport): EncodeResult => {
    const writes = flashing ? sendFlash(sessionWrites, flash, state) : sessionWrites
    const responseHeaders: Record<string, string> = writes.length > 0 ? { 'cache-control': NO_STORE } : {}
    return { setCookie: writes.map(serializeWrite), cookies: writes, responseHeaders, report, undo }
  }
  const deletions = (names: readonly string[]): CookieWrite[] => names.map((name) => deletionWrite(name, opts.cookie))
  // Every name of ours, as many as the response's deletions hold (the largest first).
  const deleteAll = () => deletionsFor(budget, 0, budget.responseAvailable).names

  const refused =
    checkSite && opts.csrf !== false ? crossSiteRefusal(headers, opts.csrf.allowedHosts, opts.cookieName) : undefined
  if (refused !== undefined) {
    // Nothing written, the session left as it was (a destroy() included: a cross-site logout too).
    ctx.reportError(refused)
    const kept = keptChunks(request.chunks, state.count, budget) ?? { names: [], bytes: 0 }
    const fields = { chunks: kept.names.length, bytes: kept.bytes, unchanged: true, deleted: [], error: refused }
    return done([], commitReport(base, fields))
  }
  flashing = true

  if (state.destroyed) {
    const store = await destroySpilled(ctx, state)
    settle(session, opts.defaults(), undefined, EMPTY)
    // `NAME` whatever the proxy already spent of the response: without it no reader finds a
    // session, so a logout always works (the other chunks, orphans then, go when there is room).
    const all = deleteAll()
    if (!all.includes(opts.cookieName) && request.chunks.values.has(opts.cookieName)) all.unshift(opts.cookieName)
    const report = commitReport(base, { chunks: 0, bytes: 0, unchanged: false, deleted: all }, store && { store })
    return done(deletions(all), report)
  }

  const json = dataJson(session)
  if (opts.schema !== undefined && state.version === undefined && json !== state.snapshot) {
    // Changed data in the current shape must match the schema: a bug in the app, before any seal.
    const checked = await validate(opts.schema, session.data)
    if (!checked.ok) throw invalidData(opts.cookieName, checked.issues, 'commit')
  }
  const rollingDue = opts.rolling && state.iat !== undefined && now - state.iat > opts.maxAge / 2
  if (json === state.snapshot && !rollingDue) {
    if (state.written !== undefined) {
      // Committed before in this request: those Set-Cookie lines already went out.
      const { chunks, bytes } = state.written
      return done([], commitReport(base, { chunks, bytes, unchanged: true, deleted: [] }))
    }
    const kept = keptChunks(request.chunks, state.count, budget)
    if (kept !== undefined) {
      const stale = deletionsFor(budget, kept.names.length, budget.responseAvailable).names
      const fields = { chunks: kept.names.length, bytes: kept.bytes, unchanged: true, deleted: stale }
      return done(deletions(stale), commitReport(base, fields))
    }
  }

  const { kid } = (await ctx.keys())[0]!
  // A session keeps its first issue time across commits; it ends absoluteMaxAge after it (the
  // reader refuses it then, and the cookie's Max-Age says the same to the browser). One held past
  // that in memory starts over as a new session.
  const firstIssued =
    state.created !== undefined && state.created + opts.absoluteMaxAge > now ? state.created : undefined
  const created = firstIssued ?? now
  const meta: SealMeta = {
    kid,
    iat: now,
    exp: Math.min(now + opts.maxAge, created + opts.absoluteMaxAge),
    created,
    compressed: false,
    version: state.version ?? opts.version,
  }
  // The reference to the part in the app's store, when there is one (see ./store/commit.ts).
  const storage = storeCommit(ctx, state, meta)
  const payload = new PayloadEncoder(ctx.backend)
  const sealedFits = (plaintextBytes: number, compressed: boolean): boolean =>
    plan(sealedLength(opts.mode, compressed ? { ...meta, compressed } : meta, plaintextBytes), budget) !== undefined
  // Without compression the size alone decides: nothing to serialize, deflate or await per step.
  const fitsText = (text: string, jsonBytes: number): boolean | Promise<boolean> => {
    if (jsonBytes > opts.maxInflatedBytes) return false
    if (!opts.compress) return sealedFits(jsonBytes, false)
    return payload.measure(text, jsonBytes).then((m) => {
      over.measured(jsonBytes, m.bytes)
      return sealedFits(m.bytes, m.compressed)
    })
  }
  const fits = (data: Data, jsonBytes: number, json?: string): boolean | Promise<boolean> =>
    fitsText(opts.compress ? (json ?? JSON.stringify(data)) : '', jsonBytes)
  const over = overBytes(
    (plaintextBytes) => sealedFits(plaintextBytes, opts.compress),
    budget.headerAvailable,
    opts.maxInflatedBytes,
  )

  let finalJson = json
  let storedData: Data | undefined
  // Set when the commit shrank; the base already says it did not.
  let summary: ShrinkSummary | undefined
  let spilled: Data = {}
  let store: StoreReport | undefined
  let spillState: Parameters<typeof settle>[5]
  if (!(await fitsText(json, (ctx.backend.utf8Length ?? utf8Length)(json)))) {
    // The working copy the shrinkers may mutate: a JSON round trip, so it is plain data.
    let shrunk = await shrink(JSON.parse(json) as Data, ctx.shrinkers, fits, over, storage.plan, opts.compress)
    if (shrunk.fits && Object.keys(shrunk.spilled).length > 0) {
      const kept = await storeSpilled(ctx, state, storage, shrunk.spilled, meta)
      if ('failed' in kept) {
        // The store failed: the drop rules, as without one; the old stored part is not referred to.
        ctx.reportError(kept.failed)
        meta.spill = undefined
        store = { keys: [], bytes: 0, written: false, deleted: false, error: kept.failed }
        shrunk = await shrink(JSON.parse(json) as Data, ctx.shrinkers, fits, over, undefined, opts.compress)
      } else {
        ;({ spill: spillState, report: store } = kept)
        spilled = shrunk.spilled
      }
    }
    summary = shrinkSummary(shrunk)
    if (!shrunk.fits) {
      const error = new SessionError(
        'ERR_SESSION_TOO_LARGE',
        `even an empty session does not fit: the request's other cookies leave ${budget.budget.available} bytes of the ${budget.budget.headerBytes}-byte Cookie header budget and ${Math.max(0, budget.cookieSlots)} cookie slots, and the response ${budget.budget.responseAvailable} bytes of Set-Cookie lines`,
      )
      ctx.reportError(error)
      const destroyed = await destroySpilled(ctx, state)
      settle(session, opts.defaults(), undefined, EMPTY)
      const all = deleteAll()
      const fields = { chunks: 0, bytes: 0, unchanged: false, deleted: all, error }
      return done(deletions(all), commitReport(base, summary, fields, destroyed && { store: destroyed }))
    }
    const { limit } = base.budget
    const keys = [...summary.trimmedKeys, ...summary.droppedKeys]
    if (keys.length > 0) ctx.warnOnce(`${limit.by}:${limit.source}`, limitAdvice(limit, opts.fronts, keys))
    finalJson = JSON.stringify(shrunk.data)
    storedData = shrunk.data
  }
  if (store === undefined && (opts.spill !== undefined || storage.carried !== undefined)) {
    // Nothing spilled by this commit: a stored part no longer needed goes, a carried one stays.
    const kept = await storeSpilled(ctx, state, storage, {}, meta)
    if (!('failed' in kept)) ({ spill: spillState, report: store } = kept)
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
  const stale = deletionsFor(budget, values.length, budget.responseAvailable - layout.lineBytes).names
  const writes = [
    ...values.map((value, i) => liveWrite(names[i]!, value, opts.cookie, meta.exp - now)),
    ...deletions(stale),
  ]

  // session.data becomes the stored data, as the next request will read it. When every default
  // key is stored, that is the parse of finalJson, and it is parsed only if the app reads it.
  const written = { chunks: values.length, bytes: layout.bytes, names }
  // With a spill, the next read merges the stored keys after the cookie's.
  const spilling = Object.keys(spilled).length > 0
  const stored = (finalJson === json ? session.data : spilling ? { ...storedData, ...spilled } : storedData) as Data
  const storedJson = spilling ? JSON.stringify(stored) : finalJson
  const defaults = opts.defaults() as Data
  if (holdsEveryDefault(stored, defaults)) {
    // Merging the defaults into the parse of storedJson changes nothing then.
    settle(session, PARSE_ON_READ, { iat: now, created }, written, storedJson, spillState)
  } else {
    // A default is merged in: the snapshot is the merged data's JSON, so parse now.
    const { data, snapshot } = withDefaults<T>(JSON.parse(storedJson) as Data, storedJson, defaults)
    settle(session, data, { iat: now, created }, written, snapshot, spillState)
  }
  const fields = { chunks: values.length, bytes: layout.bytes, unchanged: false, deleted: stale }
  return done(writes, commitReport(base, summary, fields, store && { store }))
}
