import * as base64url from 'jose/base64url'
import type { EngineContext } from '../context.js'
import { SessionError } from '../errors.js'
import { parsePayload } from '../payload.js'
import { open, seal, SPILL_REF_LENGTH } from '../seal.js'
import { randomBytes } from '../random.js'
import type { Data } from '../shrink/index.js'
import type { ResolvedSpill } from './types.js'

/**
 * Spill-over: the part of a session that does not fit its cookies, in the app's store. The stored
 * value is the spilled keys' JSON sealed like the cookie (JWE or JWS, with keys of its own: salt
 * `NAME.store`), so that whoever reads the store reads no session in `encrypt` mode. The cookie
 * carries its reference, authenticated with the cookie's data: 16 random bytes (the store key,
 * unguessable) and the first 16 bytes of the SHA-256 of the stored text. A stored value that was
 * swapped (another session's, an older one of this session) or edited fails closed.
 */

/** A stored part of the session, as the engine remembers it between decode and commit. */
export interface SpillState {
  /** The reference the cookie carries (43 base64url characters). */
  ref: string
  /** When the stored value expires (seconds): its TTL was set to reach the cookie's `exp`. */
  exp: number
  /** The stored keys' JSON as read; `undefined` when it was not read (the proxy, a store failure). */
  json: string | undefined
  /** The stored text, when read (stored again whole by a store without `touch`). */
  text: string | undefined
  /** The stored keys and their JSON bytes, when read. */
  keys: readonly string[]
  bytes: number
}

const encoder = new TextEncoder()

export const storeKey = (cookieName: string, ref: string): string => `${cookieName}.store:${ref.slice(0, 22)}`

/** Runs one store call with the `spill.timeout` bound; a throw or a timeout is the rejection. */
export async function bounded<R>(spill: ResolvedSpill, what: string, call: () => Promise<R>): Promise<R> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the store's ${what} took more than ${spill.timeout} ms`)), spill.timeout)
  })
  try {
    return await Promise.race([Promise.resolve().then(call), timeout])
  } finally {
    clearTimeout(timer)
  }
}

async function digest16(text: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(text))).subarray(0, 16)
}

/** A new reference for `text`: a fresh random id and the text's hash. */
async function newRef(text: string): Promise<string> {
  const bytes = new Uint8Array(32)
  bytes.set(randomBytes(16))
  bytes.set(await digest16(text), 16)
  return base64url.encode(bytes)
}

async function matches(ref: string, text: string): Promise<boolean> {
  const expected = base64url.decode(ref).subarray(16)
  const actual = await digest16(text)
  let diff = 0
  for (let i = 0; i < 16; i++) diff |= expected[i]! ^ actual[i]!
  return diff === 0 && ref.length === SPILL_REF_LENGTH
}

export const storeError = (message: string, cause?: unknown): SessionError =>
  new SessionError('ERR_SESSION_STORE', message, cause === undefined ? undefined : { cause })

export type SpillRead =
  | { ok: true; data: Data; state: SpillState }
  /** `unavailable`: the store failed or timed out; `missing`: it holds nothing under the key. */
  | { ok: false; kind: 'unavailable' | 'missing' | 'tampered'; error: SessionError }

/** Reads the stored part a cookie's reference names, in one store call. Never throws. */
export async function readSpill<T extends object>(ctx: EngineContext<T>, ref: string, exp: number): Promise<SpillRead> {
  const { opts } = ctx
  const name = opts.cookieName
  if (opts.spill === undefined) {
    const error = storeError(`session cookie ${name} refers to data in a store, and no store is configured`)
    return { ok: false, kind: 'unavailable', error }
  }
  let text: string | null
  try {
    text = await bounded(opts.spill, 'get', () => opts.spill!.store.get(storeKey(name, ref)))
  } catch (cause) {
    const error = storeError(`session cookie ${name}: the store could not be read; the cookie's part is used`, cause)
    return { ok: false, kind: 'unavailable', error }
  }
  if (text === null) {
    const error = storeError(`session cookie ${name}: the store holds nothing under its reference (expired or deleted)`)
    return { ok: false, kind: 'missing', error }
  }
  const tampered = (): SpillRead => ({
    ok: false,
    kind: 'tampered',
    error: new SessionError('ERR_SESSION_TAMPERED', `session cookie ${name}: the stored part failed verification`),
  })
  if (typeof text !== 'string' || !(await matches(ref, text))) return tampered()
  const opened = await open(opts.mode, await ctx.storeKeys(), text)
  if (!opened.ok || opened.meta.compressed) return tampered()
  const payload = parsePayload(opened.plaintext)
  if (!payload.ok) return tampered()
  const keys = Object.keys(payload.data)
  const state = { ref, exp, json: payload.text, text, keys, bytes: opened.plaintext.length }
  return { ok: true, data: payload.data, state }
}

/** The state of a reference that was not read (the proxy never reads the store). */
export const unreadSpill = (ref: string, exp: number): SpillState => ({
  ref,
  exp,
  json: undefined,
  text: undefined,
  keys: [],
  bytes: 0,
})

export type SpillWrite = { ok: true; state: SpillState; written: boolean } | { ok: false; error: SessionError }

/**
 * Stores the spilled keys' JSON for a cookie that expires at `exp`: nothing when the stored value
 * is the same (its TTL extended when the cookie outlives it), else a new value under a new id.
 */
export async function writeSpill<T extends object>(
  ctx: EngineContext<T>,
  json: string,
  keys: readonly string[],
  previous: SpillState | undefined,
  meta: { iat: number; exp: number; created: number },
): Promise<SpillWrite> {
  const spill = ctx.opts.spill!
  const name = ctx.opts.cookieName
  const bytes = encoder.encode(json)
  if (bytes.length > spill.maxBytes) {
    return {
      ok: false,
      error: storeError(`the spilled part takes ${bytes.length} bytes, spill.maxBytes is ${spill.maxBytes}`),
    }
  }
  const ttl = Math.max(1, meta.exp - meta.iat)
  const key = (await ctx.storeKeys())[0]!
  try {
    if (previous?.json === json && previous.text !== undefined && previous.text.startsWith(`${key.kid}.`)) {
      if (previous.exp < meta.exp) {
        const at = storeKey(name, previous.ref)
        const store = spill.store
        await bounded(spill, store.touch ? 'touch' : 'set', () =>
          store.touch ? store.touch(at, ttl) : store.set(at, previous.text!, ttl),
        )
      }
      return { ok: true, state: { ...previous, exp: Math.max(previous.exp, meta.exp) }, written: false }
    }
    const sealMeta = { kid: key.kid, iat: meta.iat, exp: meta.exp, created: meta.created, compressed: false }
    const text = await seal(ctx.opts.mode, key, sealMeta, bytes)
    const ref = await newRef(text)
    await bounded(spill, 'set', () => spill.store.set(storeKey(name, ref), text, ttl))
    return { ok: true, state: { ref, exp: meta.exp, json, text, keys, bytes: bytes.length }, written: true }
  } catch (cause) {
    return {
      ok: false,
      error: storeError(`the store could not be written; the session was fitted to its cookies`, cause),
    }
  }
}

/**
 * Seconds a replaced stored part stays readable: requests already sent with the previous cookie
 * (another tab, a second fetch of the same page) still read the session they carry, whole.
 */
export const RETIRED_TTL = 60

/**
 * Ends a stored part no cookie of this commit refers to any more: deleted at once for a destroy,
 * else (with `touch`) left to expire in {@link RETIRED_TTL} seconds. Never throws: the error, if any.
 */
export async function retireSpill<T extends object>(
  ctx: EngineContext<T>,
  ref: string,
  now: boolean,
): Promise<SessionError | undefined> {
  const spill = ctx.opts.spill
  if (spill === undefined) return undefined
  const key = storeKey(ctx.opts.cookieName, ref)
  const { store } = spill
  try {
    if (now || store.touch === undefined) await bounded(spill, 'delete', () => store.delete(key))
    else await bounded(spill, 'touch', () => store.touch!(key, RETIRED_TTL))
    return undefined
  } catch (cause) {
    return storeError('the store could not end a stored part no cookie refers to (it expires with its TTL)', cause)
  }
}
