import { assemble } from './chunk.js'
import type { EngineContext } from './context.js'
import { SessionError, type SessionErrorCode } from './errors.js'
import { inflatePayload, parsePayload, withDefaults } from './payload.js'
import type { Data } from './shrink/index.js'
import { readRequest, rejectedCode, type HeadersLike } from './request.js'
import { open } from './seal.js'
import { createSession, type Session } from './session.js'

/** Seconds an `iat` may lie ahead of this server's clock (clocks of one deployment disagree a little). */
const FUTURE_IAT_SKEW = 60

/** A new session with `defaults()`; a rejected cookie's error goes to `onError` once. */
function newSession<T extends object>(ctx: EngineContext<T>, error?: SessionError): Session<T> {
  if (error !== undefined) ctx.reportError(error)
  return createSession(ctx.opts.defaults(), { iat: undefined, created: undefined, count: undefined }, error)
}

/**
 * The read path, in the order data moves: request (our chunks) → chunks assembled → seal opened
 * (tag or signature verified, algorithms allow-listed) → expiry → payload (inflated, parsed) →
 * the app's `verify` → session. Never throws on bad cookies: every rejection is an empty session,
 * one `onError` call and `session.error`.
 */
export async function decodeSession<T extends object>(
  ctx: EngineContext<T>,
  headers: HeadersLike,
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
    return createSession(ctx.opts.defaults(), { iat: undefined, created: undefined, count: undefined }, error)
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
  const decoded = payload.data

  if (opts.verify !== undefined) {
    let accepted: boolean
    try {
      accepted = (await opts.verify(decoded as Partial<T>)) === true
    } catch (cause) {
      return fresh(new SessionError('ERR_SESSION_EXPIRED', 'verify() threw: the session was rejected', { cause }))
    }
    if (!accepted) return fresh(new SessionError('ERR_SESSION_EXPIRED', `session cookie ${name} rejected by verify()`))
  }

  // verify() may have changed what it was given: then the sealed text no longer describes it.
  const text = opts.verify === undefined ? payload.text : JSON.stringify(decoded)
  const { data, snapshot } = withDefaults<T>(decoded, text, opts.defaults() as Data)
  return createSession(data, { iat: opened.meta.iat, created, count: assembled.count }, undefined, snapshot)
}
