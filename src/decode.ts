import { assemble } from './chunk.js'
import type { EngineContext } from './context.js'
import { SessionError, type SessionErrorCode } from './errors.js'
import { inflatePayload, parsePayload, withDefaults } from './payload.js'
import type { Data } from './shrink/index.js'
import { readRequest, rejectedCode, type HeadersLike } from './request.js'
import { open } from './seal.js'
import { invalidData, validate } from './schema.js'
import { createSession, receiveFlashes, type Session } from './session.js'
import { FLASH_HEADER, openFlash } from './flash.js'
import { readSpill, unreadSpill, type SpillState } from './store/spill.js'

/** Seconds an `iat` may lie ahead of this server's clock (clocks of one deployment disagree a little). */
const FUTURE_IAT_SKEW = 60

/** A new session with `defaults()`; a rejected cookie's error goes to `onError` once. */
function newSession<T extends object>(ctx: EngineContext<T>, error?: SessionError): Session<T> {
  if (error !== undefined) ctx.reportError(error)
  return createSession(ctx.opts.defaults(), NO_TOKEN, error)
}

const NO_TOKEN = { iat: undefined, created: undefined, version: undefined, count: undefined } as const

/**
 * The read path, in the order data moves: request (our chunks) → chunks assembled → seal opened
 * (tag or signature verified, algorithms allow-listed) → expiry → payload (inflated, parsed) →
 * shape (`migrate` from an older version, defaults merged, the app's `schema`) → the app's
 * `verify` → session. Never throws on bad cookies: every rejection is an empty session, one
 * `onError` call and `session.error`.
 */
export async function decodeSession<T extends object>(
  ctx: EngineContext<T>,
  headers: HeadersLike,
  /**
   * Migrate and validate the data, and read the flash values the proxy forwarded (the app's reads).
   * The proxy reads the data as stored instead: it only re-fits and re-issues it, with its stored
   * version, and the app's read validates it once.
   */
  shape = true,
): Promise<Session<T>> {
  const forwarded = shape ? headers.get(FLASH_HEADER) : null
  if (forwarded === null || forwarded === '') return decodeStored(ctx, headers, shape)
  const [session, flashes] = await Promise.all([
    decodeStored(ctx, headers, shape),
    openFlash(ctx, forwarded, Math.floor(ctx.now() / 1000)),
  ])
  if (flashes !== undefined) receiveFlashes(session, flashes)
  return session
}

async function decodeStored<T extends object>(
  ctx: EngineContext<T>,
  headers: HeadersLike,
  shape: boolean,
): Promise<Session<T>> {
  const { opts } = ctx
  const name = opts.cookieName
  const fresh = (error?: SessionError): Session<T> => newSession(ctx, error)

  const { chunks } = readRequest(headers, name)
  if (chunks.names.length === 0) {
    // The proxy rejected and deleted the cookie, and reported it: say why, without a second report.
    const code = rejectedCode(headers) as SessionErrorCode | undefined
    if (code === undefined) return newSession(ctx)
    const error = new SessionError(code, `session cookie ${name} was rejected by the proxy (${code})`)
    return createSession(ctx.opts.defaults(), NO_TOKEN, error)
  }
  const assembled = assemble(chunks)
  if (!assembled.ok) {
    return assembled.reason === 'missing'
      ? fresh(new SessionError('ERR_SESSION_CHUNK_MISSING', `session cookie ${name}: a chunk is missing`))
      : fresh(new SessionError('ERR_SESSION_MALFORMED', `session cookie ${name} is not in the next-cookieman format`))
  }

  const opened = await open(opts.mode, await ctx.keys(), assembled.payload)
  if (!opened.ok) {
    return opened.reason === 'format'
      ? fresh(new SessionError('ERR_SESSION_MALFORMED', `session cookie ${name} holds no token`))
      : fresh(new SessionError('ERR_SESSION_TAMPERED', `session cookie ${name} failed verification`))
  }

  const now = Math.floor(ctx.now() / 1000)
  // RFC 7519 section 4.1.4: not accepted on or after exp. No clock tolerance: we issued it. A
  // token older than the current maxAge is expired too (maxAge lowered since it was issued).
  if (now >= opened.meta.exp || now - opened.meta.iat >= opts.maxAge) {
    return fresh(new SessionError('ERR_SESSION_EXPIRED', `session cookie ${name} expired`))
  }
  // However often it was re-issued, a session ends absoluteMaxAge after its first issue (a
  // first-version token, without one, counts from its own issue).
  const created = opened.meta.created ?? opened.meta.iat
  if (now - created >= opts.absoluteMaxAge) {
    return fresh(
      new SessionError(
        'ERR_SESSION_EXPIRED',
        `session cookie ${name} was first issued more than absoluteMaxAge (${opts.absoluteMaxAge} s) ago`,
      ),
    )
  }
  // Issued in the future: a server whose clock runs fast would otherwise give it a longer life.
  if (opened.meta.iat > now + FUTURE_IAT_SKEW) {
    return fresh(new SessionError('ERR_SESSION_EXPIRED', `session cookie ${name} was issued in the future`))
  }

  let plaintext = opened.plaintext
  if (opened.meta.compressed) {
    const inflated = await inflatePayload(plaintext, opts.maxInflatedBytes, ctx.backend)
    if (!inflated.ok) return fresh(inflated.error)
    plaintext = inflated.bytes
  }
  const payload = parsePayload(plaintext)
  if (!payload.ok) return fresh(payload.error)
  let decoded = payload.data
  let text = payload.text
  // The part in the store: read by the app's reads only (the proxy re-issues the reference as is).
  let spill: SpillState | undefined
  let storeFailure: SessionError | undefined
  let rewrite = false
  if (opened.meta.spill !== undefined) {
    const read = shape ? await readSpill(ctx, opened.meta.spill, opened.meta.exp) : undefined
    if (read === undefined) spill = unreadSpill(opened.meta.spill, opened.meta.exp)
    else if (read.ok) {
      // Keys are disjoint as written. One in both comes from a commit that could not read the
      // store and kept its reference: the cookie's is a default or an edit of one, the stored wins.
      const disjoint = Object.keys(read.data).every((k) => !Object.hasOwn(decoded, k))
      decoded = { ...decoded, ...read.data }
      // The merged text without a second serialization: two objects' members, in this order.
      text = !disjoint
        ? JSON.stringify(decoded)
        : text === '{}'
          ? read.state.json!
          : read.state.json === '{}'
            ? text
            : `${text.slice(0, -1)},${read.state.json!.slice(1)}`
      spill = read.state
    } else if (read.kind === 'tampered') return fresh(read.error)
    else {
      // The cookie's part, said so: kept as it is while unchanged (the store may come back), and
      // written without the reference by the next commit when the store holds nothing for it.
      storeFailure = read.error
      ctx.reportError(read.error)
      if (read.kind === 'unavailable') spill = unreadSpill(opened.meta.spill, opened.meta.exp)
      else rewrite = true
    }
  }
  const storedVersion = opened.meta.version ?? 0
  // The version this data is sealed with again: the current shape once shaped, else as stored.
  // The version this data is sealed with again. Read as stored (the proxy): the stored one. Shaped:
  // the current one, but data of a newer version than this code's (a rolling deploy, a rollback)
  // keeps its own, so that the newer code does not migrate it again.
  const stored = opts.version === undefined ? opened.meta.version : storedVersion
  const newer = opened.meta.version !== undefined && (opts.version === undefined || opened.meta.version > opts.version)
  const version = !shape ? stored : newer ? opened.meta.version : undefined
  // Set when the data the app sees is the shape stage's (defaults merged in, maybe migrated).
  let migrated: boolean | undefined
  if (shape && (opts.schema !== undefined || opts.migrate !== undefined)) {
    const shaped = await shapeData(ctx, decoded, storedVersion)
    if (!shaped.ok) return fresh(shaped.error)
    decoded = shaped.data
    migrated = shaped.migrated
  }

  if (opts.verify !== undefined) {
    let accepted: boolean
    try {
      accepted = (await opts.verify(decoded as Partial<T>)) === true
    } catch (cause) {
      return fresh(new SessionError('ERR_SESSION_EXPIRED', 'verify() threw: the session was rejected', { cause }))
    }
    if (!accepted) return fresh(new SessionError('ERR_SESSION_EXPIRED', `session cookie ${name} rejected by verify()`))
  }

  const meta = { iat: opened.meta.iat, created, version, count: assembled.count, spill }
  if (migrated !== undefined) {
    // Shaped: defaults are merged in already. A migrated session is written on its next commit
    // (its snapshot matches no data), so that the cookie takes the current shape.
    return createSession(decoded as T, meta, storeFailure, migrated || rewrite ? '' : JSON.stringify(decoded))
  }
  // verify() may have changed what it was given: then the sealed text no longer describes it.
  if (opts.verify !== undefined) text = JSON.stringify(decoded)
  // Data of another version, read as stored (the proxy), gets no defaults of this version's shape.
  // Nor a cookie part whose other part is in the store: its defaults would be stored in the cookie.
  const foreign = !shape && ((opts.version !== undefined && storedVersion !== opts.version) || spill !== undefined)
  const { data, snapshot } = withDefaults<T>(decoded, text, foreign ? {} : (opts.defaults() as Data))
  return createSession(data, meta, storeFailure, rewrite ? '' : snapshot)
}

/**
 * The shape stage: data of an older version through `migrate`, then defaults merged under it and
 * the app's schema: its output is the data the app sees. `ok: false` is `ERR_SESSION_INVALID`.
 */
async function shapeData<T extends object>(
  ctx: EngineContext<T>,
  stored: Data,
  storedVersion: number,
): Promise<{ ok: true; data: Data; migrated: boolean } | { ok: false; error: SessionError }> {
  const { opts } = ctx
  const name = opts.cookieName
  let data: unknown = stored
  let migrated = false
  if (opts.migrate !== undefined && opts.version !== undefined && storedVersion < opts.version) {
    try {
      data = await opts.migrate(stored, storedVersion)
    } catch (cause) {
      const message = `session cookie ${name}: migrate() threw on data of version ${storedVersion}: a new session was started`
      return { ok: false, error: new SessionError('ERR_SESSION_INVALID', message, { cause }) }
    }
    if (typeof data !== 'object' || data === null || Array.isArray(data)) {
      const message = `session cookie ${name}: migrate() returned ${data === null ? 'null' : Array.isArray(data) ? 'an array' : typeof data} for data of version ${storedVersion}, not the data object`
      return { ok: false, error: new SessionError('ERR_SESSION_INVALID', message) }
    }
    migrated = true
  }
  const merged: Data = { ...(opts.defaults() as Data), ...(data as Data) }
  if (opts.schema === undefined) return { ok: true, data: merged, migrated }
  const result = await validate(opts.schema, merged)
  if (!result.ok) return { ok: false, error: invalidData(name, result.issues, 'read') }
  const output = result.value as unknown
  if (typeof output !== 'object' || output === null || Array.isArray(output)) {
    const message = `session cookie ${name}: the schema's output is not an object; a session schema must describe an object`
    return { ok: false, error: new SessionError('ERR_SESSION_INVALID', message) }
  }
  return { ok: true, data: output as Data, migrated }
}
