import type { SealBackend } from './backend.js'
import { SessionError } from './errors.js'
import type { Data } from './shrink/index.js'

/**
 * The payload stage: the session's JSON and the plaintext it seals as, both ways. On read, inflate
 * (only after the seal verified, with a hard cap), UTF-8, JSON, a plain object, defaults merged
 * under it; on write, the plaintext a JSON text seals as, deflated when that helps.
 */

const encoder = new TextEncoder()
const decoder = new TextDecoder('utf-8', { fatal: true })

export type PayloadResult = { ok: true; data: Data; text: string } | { ok: false; error: SessionError }

/** Inflates a verified, deflated plaintext, at most `maxInflatedBytes`. Never throws. */
export async function inflatePayload(
  plaintext: Uint8Array,
  maxInflatedBytes: number,
  backend: SealBackend,
): Promise<{ ok: true; bytes: Uint8Array } | { ok: false; error: SessionError }> {
  let inflated: Uint8Array | undefined
  try {
    inflated = await backend.inflateRaw(plaintext, maxInflatedBytes)
  } catch (cause) {
    return {
      ok: false,
      error: new SessionError('ERR_SESSION_MALFORMED', 'session payload does not inflate', { cause }),
    }
  }
  if (inflated === undefined) {
    const message = `session payload inflates past ${maxInflatedBytes} bytes`
    return { ok: false, error: new SessionError('ERR_SESSION_TOO_LARGE', message) }
  }
  return { ok: true, bytes: inflated }
}

/** Reads verified (and inflated) plaintext back into data. Never throws: a bad payload is an error code. */
export function parsePayload(bytes: Uint8Array): PayloadResult {
  let decoded: unknown
  let text: string
  try {
    text = decoder.decode(bytes)
    decoded = JSON.parse(text)
  } catch (cause) {
    return { ok: false, error: new SessionError('ERR_SESSION_MALFORMED', 'session payload is not JSON', { cause }) }
  }
  if (!isPlainObject(decoded)) {
    return { ok: false, error: new SessionError('ERR_SESSION_MALFORMED', 'session payload is not a JSON object') }
  }
  return { ok: true, data: decoded, text }
}

function isPlainObject(value: unknown): value is Data {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** Whether JSON.stringify keeps an object entry with this value. */
function jsonValue(value: unknown): boolean {
  return value !== undefined && typeof value !== 'function' && typeof value !== 'symbol'
}

/** Whether `stored` holds every key of `defaults` with a JSON value: then merging changes nothing. */
export function holdsEveryDefault(stored: Data, defaults: Data): boolean {
  return Object.keys(defaults).every((k) => Object.hasOwn(stored, k) && jsonValue(stored[k]))
}

/**
 * Stored data with `defaults` merged under it, and its JSON. When every default key is stored
 * there is nothing to merge and `json` (JSON.stringify output: a round trip is exact) is reused.
 */
export function withDefaults<T extends object>(
  stored: Data,
  json: string,
  defaults: Data,
): { data: T; snapshot: string } {
  if (Object.keys(defaults).every((k) => Object.hasOwn(stored, k))) return { data: stored as T, snapshot: json }
  const data = { ...defaults, ...stored } as T
  return { data, snapshot: JSON.stringify(data) }
}

/**
 * The plaintext of a JSON text: deflated when compression is on and makes it smaller (tiny
 * sessions deflate to more than they are). Remembers its last two deflates, so measuring a text
 * again, or sealing one measured last (a shrink search ends on the state that fits, often checked
 * just before the one after it that does not), deflates it once.
 */
export class PayloadEncoder {
  private last: { json: string; bytes: Uint8Array } | undefined
  private before: { json: string; bytes: Uint8Array } | undefined

  constructor(private readonly backend: SealBackend) {}

  /** With compression on: the plaintext length of `text` (of `jsonBytes` UTF-8 bytes), deflated if that is smaller. */
  async measure(text: string, jsonBytes: number): Promise<{ bytes: number; compressed: boolean }> {
    const deflated = this.known(text) ?? (await this.deflate(text))
    return deflated.length < jsonBytes
      ? { bytes: deflated.length, compressed: true }
      : { bytes: jsonBytes, compressed: false }
  }

  /** The plaintext to seal for `text`, compression off. */
  plain(text: string): { plaintext: Uint8Array; compressed: false } {
    return { plaintext: encoder.encode(text), compressed: false }
  }

  /** The plaintext to seal for `text`, compression on: deflated when that makes it smaller. */
  async deflated(text: string): Promise<{ plaintext: Uint8Array; compressed: boolean }> {
    const raw = encoder.encode(text)
    const deflated = this.known(text) ?? (await this.deflate(text))
    return deflated.length < raw.length
      ? { plaintext: deflated, compressed: true }
      : { plaintext: raw, compressed: false }
  }

  private known(text: string): Uint8Array | undefined {
    if (this.last?.json === text) return this.last.bytes
    if (this.before?.json === text) return this.before.bytes
    return undefined
  }

  private async deflate(text: string): Promise<Uint8Array> {
    const bytes = await this.backend.deflateRaw(encoder.encode(text))
    this.before = this.last
    this.last = { json: text, bytes }
    return bytes
  }
}
