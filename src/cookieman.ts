import { parse } from 'cookie'
import {
  deletionWrite,
  liveWrite,
  makeBudget,
  plan,
  serializeWrite,
  type Budget,
  type BudgetContext,
  type CookieWrite,
} from './budget.js'
import { assemble, chunkName, collectChunks, split, type RequestChunks } from './chunk.js'
import { cookiePairs } from './cookie-pairs.js'
import { webBackend, type SealBackend } from './backend.js'
import { SessionError, configError } from './errors.js'
import { deriveKeys, type SealingKey } from './keys.js'
import { BUILTIN_BROWSERS, type BrowserEntry } from './limits.js'
import { utf8Length } from './utf8.js'
import { resolveOptions, type CookiemanOptions, type ResolvedOptions } from './options.js'
import { open, seal, sealedLength, type SealMeta } from './seal.js'
import { createSession, settle, stateOf, type Session } from './session.js'
import { shrink, type Data, type ShrinkFunction, type Shrinker } from './shrink.js'
import { buildDatabase, entryById, profileFor, type BrowserInfo, type BrowserProfile } from './user-agent.js'

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
  error?: SessionError
}

export interface ShrinkStep {
  /** 1: shrink functions, 2: keys without one removed, 3: shrink functions with `last`, 4: keys removed. */
  phase: 1 | 2 | 3 | 4
  keys: string[]
  /** Consecutive calls of the same shrink function (1 for a key removal). */
  count: number
}

/** A Web-standard `Headers`, or anything with the same `get` (Next's `ReadonlyHeaders`). */
export interface HeadersLike {
  get(name: string): string | null
}

export interface EncodeResult {
  /** One `Set-Cookie` header value each. */
  setCookie: string[]
  /** The same cookies, structured (name, value, options) for APIs such as Next's `cookies().set`. */
  cookies: CookieWrite[]
  report: CommitReport
}

type KeyOf<T> = Extract<keyof T, string>

export interface Cookieman<T extends object> {
  /** The validated options (secrets omitted). */
  readonly cookieName: string
  /**
   * Registers a shrink function for one key or several. Shrinkers run in registration order.
   * @example cookieman.register('recent', (data, last) => { data.recent?.pop(); if (last || !data.recent?.length) delete data.recent; return data })
   */
  register(keys: KeyOf<T> | readonly KeyOf<T>[], fn: ShrinkFunction<T>): this
  /** Reads the session from request headers. Never throws on bad cookies. */
  decodeSession(headers: HeadersLike): Promise<Session<T>>
  /** Shrinks, seals and chunks the session for the browser that sent `headers`. */
  encodeSession(session: Session<T>, headers: HeadersLike): Promise<EncodeResult>
  /** The browser profile for a request: the proxy's forwarded one, else parsed from the User-Agent. */
  profile(headers: HeadersLike): BrowserProfile
  /** The budget of a request and what our cookies and the others take of it, without decoding. */
  inspect(headers: HeadersLike): BudgetSnapshot
}

/** What {@link Cookieman.inspect} reports: enough to draw the session against its budget. */
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

/** Request header through which the proxy forwards the parsed browser profile. */
export const PROFILE_HEADER = 'x-next-cookieman-profile'

/** Serializes a profile for {@link PROFILE_HEADER}. */
export function encodeProfile(profile: BrowserProfile): string {
  const { browser, entry } = profile
  return [entry.id, browser.name, browser.version, browser.engine].map(encodeURIComponent).join(';')
}

let sealCount = 0
/** Seals performed by this process (for tests and benchmarks: a commit seals at most once). */
export function sealsPerformed(): number {
  return sealCount
}

const encoder = new TextEncoder()
const decoder = new TextDecoder('utf-8', { fatal: true })

/** Whether JSON.stringify keeps an object entry with this value. */
function jsonValue(value: unknown): boolean {
  return value !== undefined && typeof value !== 'function' && typeof value !== 'symbol'
}

function isPlainObject(value: unknown): value is Data {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

interface RequestInfo {
  chunks: RequestChunks
  /** The request's other cookies (counted on first use: a read-only request never needs them). */
  readonly others: { count: number; bytes: number }
}

// getSession and commitSession read the same request: parse its Cookie header once.
const parsedRequests = new WeakMap<HeadersLike, { header: string; baseName: string; info: RequestInfo }>()

function readRequest(headers: HeadersLike, baseName: string): RequestInfo {
  const header = headers.get('cookie') ?? ''
  const cached = parsedRequests.get(headers)
  if (cached !== undefined && cached.header === header && cached.baseName === baseName) return cached.info
  const info = parseRequest(header, baseName)
  parsedRequests.set(headers, { header, baseName, info })
  return info
}

function parseRequest(header: string, baseName: string): RequestInfo {
  const chunks = collectChunks(parse(header, { decode: (v) => v }), baseName)
  let others: { count: number; bytes: number } | undefined
  return {
    chunks,
    get others() {
      // Everything else in the header is someone else's, duplicates of our names included
      // (another Path or Domain: we cannot delete those). Each pair is counted as the browser will
      // send it next time, `name=value` plus `; `, whatever separators this request used.
      if (others === undefined) {
        const ours = new Set(chunks.names)
        let count = 0
        let bytes = 0
        for (const { name, pair } of cookiePairs(header)) {
          if (ours.delete(name)) continue
          count++
          bytes += pair.length + 2
        }
        others = { count, bytes }
      }
      return others
    },
  }
}

/** The framework-free engine and what the Next.js layer needs of its resolved options. */
export interface Core<T extends object> {
  cookieman: Cookieman<T>
  options: ResolvedOptions<T>
  database: readonly BrowserEntry[]
}

/**
 * Creates the framework-free engine. Options are validated here (`ERR_SESSION_CONFIG`). `backend`
 * is chosen by the package entry point: Web Crypto by default, node:crypto from the Node entry.
 */
export function createCore<T extends object>(options: CookiemanOptions<T>, backend: SealBackend = webBackend): Core<T> {
  const opts: ResolvedOptions<T> = resolveOptions(options, BUILTIN_BROWSERS)
  const database = buildDatabase(opts.browsers)
  const shrinkers: Shrinker<T>[] = []
  let keys: Promise<SealingKey[]> | undefined
  const getKeys = (): Promise<SealingKey[]> => (keys ??= deriveKeys(opts.secrets, opts.cookieName, opts.mode, backend))

  const report = (err: SessionError): void => {
    try {
      opts.onError(err)
    } catch (hookError) {
      // A throwing hook must not turn a bad cookie into a 500.
      console.error('next-cookieman: onError threw', hookError)
    }
  }

  /**
   * Stored data with `defaults()` merged under it, and its JSON. When every default key is stored
   * there is nothing to merge and `json` (JSON.stringify output: a round trip is exact) is reused.
   */
  const withDefaults = (stored: Data, json: string): { data: T; snapshot: string } => {
    const defaults = opts.defaults() as Data
    if (Object.keys(defaults).every((k) => Object.hasOwn(stored, k))) return { data: stored as T, snapshot: json }
    const data = { ...defaults, ...stored } as T
    return { data, snapshot: JSON.stringify(data) }
  }

  const fresh = (error?: SessionError): Session<T> => {
    if (error !== undefined) report(error)
    return createSession(opts.defaults(), { iat: undefined, count: undefined }, error)
  }

  const profile = (headers: HeadersLike): BrowserProfile => {
    const forwarded = headers.get(PROFILE_HEADER)
    if (forwarded !== null) {
      const [id, name, version, engine] = forwarded.split(';').map((p) => {
        try {
          return decodeURIComponent(p)
        } catch {
          return ''
        }
      })
      const entry = id === undefined ? undefined : entryById(id, database)
      if (entry !== undefined) {
        return { entry, browser: { name: name ?? '', version: version ?? '', engine: engine ?? '' } }
      }
    }
    return profileFor(headers.get('user-agent'), database)
  }

  /** The budget of one request for this instance's cookie settings. */
  const budgetOf = (prof: BrowserProfile, request: RequestInfo, presentNames: readonly string[]): BudgetContext =>
    makeBudget({
      entry: prof.entry,
      others: request.others,
      baseName: opts.cookieName,
      cookie: opts.cookie,
      maxAge: opts.maxAge,
      maxCookieHeaderBytes: opts.maxCookieHeaderBytes,
      reserveBytes: opts.reserveBytes,
      presentNames,
    })

  async function decodeSession(headers: HeadersLike): Promise<Session<T>> {
    const { chunks } = readRequest(headers, opts.cookieName)
    if (chunks.names.length === 0) return fresh()
    const assembled = assemble(chunks)
    if (!assembled.ok) {
      return assembled.reason === 'missing'
        ? fresh(new SessionError('ERR_SESSION_CHUNK_MISSING', `session cookie ${opts.cookieName}: a chunk is missing`))
        : fresh(
            new SessionError(
              'ERR_SESSION_MALFORMED',
              `session cookie ${opts.cookieName} is not in the next-cookieman format`,
            ),
          )
    }
    const opened = await open(opts.mode, await getKeys(), assembled.payload)
    if (!opened.ok) {
      return opened.reason === 'format'
        ? fresh(new SessionError('ERR_SESSION_MALFORMED', `session cookie ${opts.cookieName} holds no token`))
        : fresh(new SessionError('ERR_SESSION_TAMPERED', `session cookie ${opts.cookieName} failed verification`))
    }
    const now = Math.floor(Date.now() / 1000)
    // RFC 7519 section 4.1.4: not accepted on or after exp. No clock tolerance: we issued it. A
    // token older than the current maxAge is expired too (maxAge lowered since it was issued).
    if (now >= opened.meta.exp || now - opened.meta.iat >= opts.maxAge) {
      return fresh(new SessionError('ERR_SESSION_EXPIRED', `session cookie ${opts.cookieName} expired`))
    }
    let plaintext = opened.plaintext
    if (opened.meta.compressed) {
      let inflated: Uint8Array | undefined
      try {
        inflated = await backend.inflateRaw(plaintext, opts.maxInflatedBytes)
      } catch (cause) {
        return fresh(new SessionError('ERR_SESSION_MALFORMED', 'session payload does not inflate', { cause }))
      }
      if (inflated === undefined) {
        return fresh(
          new SessionError('ERR_SESSION_TOO_LARGE', `session payload inflates past ${opts.maxInflatedBytes} bytes`),
        )
      }
      plaintext = inflated
    }
    let decoded: unknown
    let text: string
    try {
      text = decoder.decode(plaintext)
      decoded = JSON.parse(text)
    } catch (cause) {
      return fresh(new SessionError('ERR_SESSION_MALFORMED', 'session payload is not JSON', { cause }))
    }
    if (!isPlainObject(decoded)) {
      return fresh(new SessionError('ERR_SESSION_MALFORMED', 'session payload is not a JSON object'))
    }
    if (opts.verify !== undefined) {
      let accepted: boolean
      try {
        accepted = (await opts.verify(decoded as Partial<T>)) === true
      } catch (cause) {
        return fresh(new SessionError('ERR_SESSION_EXPIRED', 'verify() threw: the session was rejected', { cause }))
      }
      if (!accepted) {
        return fresh(new SessionError('ERR_SESSION_EXPIRED', `session cookie ${opts.cookieName} rejected by verify()`))
      }
    }
    // verify() may have changed what it was given: then the sealed text no longer describes it.
    const { data, snapshot } = withDefaults(decoded, opts.verify === undefined ? text : JSON.stringify(decoded))
    return createSession(data, { iat: opened.meta.iat, count: assembled.count }, undefined, snapshot)
  }

  async function encodeSession(session: Session<T>, headers: HeadersLike): Promise<EncodeResult> {
    const now = Math.floor(Date.now() / 1000)
    const state = stateOf(session)
    const request = readRequest(headers, opts.cookieName)
    const prof = profile(headers)
    // Ours on the request, plus what an earlier commit of this session wrote in the same response
    // (a browser holds at most its per-host count: never more deletions than that).
    const present = [...new Set([...request.chunks.names, ...(state.written?.names ?? [])])].slice(
      0,
      Math.max(prof.entry.cookies, 180),
    )
    const ctx = budgetOf(prof, request, present)
    const base = {
      budget: ctx.budget,
      browser: { ...prof.browser },
      shrunk: false,
      shrinkSteps: 0,
      steps: [] as ShrinkStep[],
      trimmedKeys: [] as string[],
      droppedKeys: [] as string[],
    } satisfies Partial<CommitReport>
    const done = (writes: CookieWrite[], report: CommitReport): EncodeResult => ({
      setCookie: writes.map(serializeWrite),
      cookies: writes,
      report,
    })
    const deleteAll = (): CookieWrite[] => present.map((name) => deletionWrite(name, opts.cookie))

    if (state.destroyed) {
      settle(session, opts.defaults(), undefined, { chunks: 0, bytes: 0, names: [] })
      return done(deleteAll(), { ...base, chunks: 0, bytes: 0, unchanged: false, deleted: [...present] })
    }

    const json = JSON.stringify(session.data)
    const rollingDue = opts.rolling && state.iat !== undefined && now - state.iat > opts.maxAge / 2
    if (json === state.snapshot && !rollingDue && state.written !== undefined) {
      // Committed before in this request: those Set-Cookie lines already went out.
      const { chunks, bytes } = state.written
      return done([], { ...base, chunks, bytes, unchanged: true, deleted: [] })
    }
    if (json === state.snapshot && !rollingDue) {
      const kept = keptChunks(request.chunks, state.count, ctx)
      if (kept !== undefined) {
        const stale = present.filter((name) => !kept.names.includes(name))
        return done(
          stale.map((name) => deletionWrite(name, opts.cookie)),
          { ...base, chunks: kept.names.length, bytes: kept.bytes, unchanged: true, deleted: stale },
        )
      }
    }

    const { kid } = (await getKeys())[0]!
    const meta: SealMeta = { kid, iat: now, exp: now + opts.maxAge, compressed: false }
    let lastCompressed: { json: string; bytes: Uint8Array } | undefined

    const fitsText = async (text: string, jsonBytes: number): Promise<boolean> => {
      if (jsonBytes > opts.maxInflatedBytes) return false
      let plaintextBytes = jsonBytes
      let compressed = false
      if (opts.compress) {
        const deflated = await backend.deflateRaw(encoder.encode(text))
        lastCompressed = { json: text, bytes: deflated }
        // Tiny sessions deflate to more than they are: store those as they are.
        if (deflated.length < jsonBytes) {
          plaintextBytes = deflated.length
          compressed = true
        }
      }
      return plan(sealedLength(opts.mode, { ...meta, compressed }, plaintextBytes), ctx) !== undefined
    }
    // Without compression the size alone decides: no need to serialize at each shrink step.
    const fits = (data: Data, jsonBytes: number): boolean | Promise<boolean> =>
      opts.compress
        ? fitsText(JSON.stringify(data), jsonBytes)
        : jsonBytes <= opts.maxInflatedBytes && plan(sealedLength(opts.mode, meta, jsonBytes), ctx) !== undefined

    let finalJson = json
    let storedData: Data | undefined
    let shrinkInfo: Pick<CommitReport, 'shrunk' | 'shrinkSteps' | 'steps' | 'trimmedKeys' | 'droppedKeys'> = {
      shrunk: false,
      shrinkSteps: 0,
      steps: [],
      trimmedKeys: [],
      droppedKeys: [],
    }
    if (!(await fitsText(json, utf8Length(json)))) {
      // The working copy the shrinkers may mutate: a JSON round trip, so it is plain data.
      const shrunk = await shrink(JSON.parse(json) as Data, shrinkers, fits)
      const keys = [...shrunk.initial.keys()]
      shrinkInfo = {
        shrunk: true,
        shrinkSteps: shrunk.steps.reduce((n, step) => n + step.count, 0),
        steps: shrunk.steps.map((step) => ({ phase: step.phase, keys: [...step.keys], count: step.count })),
        trimmedKeys: keys.filter(
          (k) => Object.hasOwn(shrunk.data, k) && shrunk.initial.get(k) !== JSON.stringify(shrunk.data[k]),
        ),
        droppedKeys: keys.filter((k) => !Object.hasOwn(shrunk.data, k)),
      }
      if (!shrunk.fits) {
        const error = new SessionError(
          'ERR_SESSION_TOO_LARGE',
          `even an empty session does not fit: the request's other cookies leave ${ctx.budget.available} bytes of the ${ctx.budget.headerBytes}-byte Cookie header budget and ${Math.max(0, ctx.cookieSlots)} cookie slots`,
        )
        report(error)
        settle(session, opts.defaults(), undefined, { chunks: 0, bytes: 0, names: [] })
        return done(deleteAll(), {
          ...base,
          ...shrinkInfo,
          chunks: 0,
          bytes: 0,
          unchanged: false,
          deleted: [...present],
          error,
        })
      }
      finalJson = JSON.stringify(shrunk.data)
      storedData = shrunk.data
    }

    // One seal per commit, of exactly the data that was measured.
    const raw = encoder.encode(finalJson)
    let plaintext: Uint8Array = raw
    if (opts.compress) {
      const deflated = lastCompressed?.json === finalJson ? lastCompressed.bytes : await backend.deflateRaw(raw)
      if (deflated.length < raw.length) {
        plaintext = deflated
        meta.compressed = true
      }
    }
    const wire = await seal(opts.mode, (await getKeys())[0]!, meta, plaintext)
    sealCount++
    const layout = plan(wire.length, ctx)
    if (wire.length !== sealedLength(opts.mode, meta, plaintext.length) || layout === undefined) {
      throw new Error('next-cookieman: internal error, the sealed session does not match its measured size')
    }
    const values = split(wire, layout.capacities)
    const names = values.map((_, i) => chunkName(opts.cookieName, i))
    const stale = present.filter((name) => !names.includes(name))
    const writes = [
      ...values.map((value, i) => liveWrite(names[i]!, value, opts.cookie, opts.maxAge)),
      ...stale.map((name) => deletionWrite(name, opts.cookie)),
    ]
    const bytes = values.reduce((sum, value, i) => sum + names[i]!.length + 1 + value.length, 0)

    // session.data becomes the stored data, as the next request will read it. When every default
    // key is stored, that is the parse of finalJson, and it is parsed only if the app reads it.
    const written = { chunks: values.length, bytes, names }
    const stored = (finalJson === json ? session.data : storedData) as Data
    const load = () => withDefaults(JSON.parse(finalJson) as Data, finalJson)
    if (Object.keys(opts.defaults() as Data).every((k) => Object.hasOwn(stored, k) && jsonValue(stored[k]))) {
      settle(session, () => load().data, now, written, finalJson)
    } else {
      // A default is merged in: the snapshot is the merged data's JSON, so parse now.
      const { data, snapshot } = load()
      settle(session, data, now, written, snapshot)
    }
    return done(writes, { ...base, ...shrinkInfo, chunks: values.length, bytes, unchanged: false, deleted: stale })
  }

  /** The chunks of a valid session on the request, if they still fit this request's budget. */
  function keptChunks(
    chunks: RequestChunks,
    count: number | undefined,
    ctx: BudgetContext,
  ): { names: string[]; bytes: number } | undefined {
    if (count === undefined) return { names: [], bytes: 0 }
    const names: string[] = []
    let bytes = 0
    for (let i = 0; i < count; i++) {
      const value = i === 0 ? chunks.first : chunks.numbered.get(i)
      if (value === undefined) return undefined
      const name = chunkName(opts.cookieName, i)
      if (name.length + value.length > ctx.perCookie) return undefined
      names.push(name)
      bytes += name.length + 1 + value.length
    }
    if (count > ctx.cookieSlots || bytes + 2 * count > ctx.headerAvailable) return undefined
    // CHIPS counts name + value: our name=value bytes less one `=` per chunk.
    if (ctx.partitionBytes !== undefined && bytes - count > ctx.partitionBytes) return undefined
    return { names, bytes }
  }

  function inspect(headers: HeadersLike): BudgetSnapshot {
    const request = readRequest(headers, opts.cookieName)
    const prof = profile(headers)
    const ctx = budgetOf(prof, request, [])
    const { chunks } = request
    return {
      budget: ctx.budget,
      browser: { ...prof.browser },
      chunks: chunks.names.map((name) => ({ name, bytes: name.length + 1 + (chunks.values.get(name)?.length ?? 0) })),
      others: request.others,
      cookieHeaderBytes: (headers.get('cookie') ?? '').trim().length,
      reserveBytes: opts.reserveBytes,
    }
  }

  const cookieman: Cookieman<T> = {
    cookieName: opts.cookieName,
    register(keysArg, fn) {
      const list: readonly string[] = typeof keysArg === 'string' ? [keysArg] : keysArg
      if (!Array.isArray(list) || list.length === 0 || list.some((k) => typeof k !== 'string' || k === '')) {
        throw configError('register needs a key or a non-empty array of keys')
      }
      if (typeof fn !== 'function') throw configError('register needs a shrink function (data, last) => data')
      for (const key of list) {
        if (shrinkers.some((s) => s.keys.includes(key))) {
          throw configError(`a shrink function is already registered for key ${JSON.stringify(key)}`)
        }
      }
      shrinkers.push({ keys: [...list], fn })
      return this
    },
    decodeSession,
    encodeSession,
    profile,
    inspect,
  }
  return { cookieman, options: opts, database }
}
