import type { Mode } from './backend.js'
import type { SealingKey } from './keys.js'
import { KID_LENGTH } from './keys.js'
import { asciiBase64url, base64urlLength } from './utf8.js'

/**
 * Sealing. The token is a standard JWE (RFC 7516, `dir` + `A256GCM`) or JWS (RFC 7515, `HS256`)
 * compact serialization whose protected header carries `kid`, `iat`, `exp` (RFC 7519 section 5.3
 * replicates claims in the header), `ct` (when the session was first issued: kept across every
 * re-issue and commit, for `absoluteMaxAge`) and `z` (payload deflated). That header is fully
 * determined by those values, so the cookie carries them in compact form and the reader rebuilds
 * the header byte for byte: the header is the AAD of the JWE and part of the JWS signing input,
 * so a changed value fails verification like any other tampering. This saves ~90 bytes per session.
 *
 * Wire form: `kid.iat.exp.F.age.REST`, where F is a hex digit of flags (bit 0: deflated; bit 1:
 * the `age` field follows, always set by this version; bit 2: a `ver` field follows the age, the
 * data's `version` option, header `v`, written only by apps that set one:
 * `kid.iat.exp.F.age.ver.REST`; bit 3: a spill reference follows, header `s`, when part of the data
 * lives in the app's store: `kid.iat.exp.F.age[.ver].ref.REST`),
 * `age` is `iat - ct` in base36, and REST is the
 * compact token after its first `.` (JWE: `.iv.ciphertext.tag`, the encrypted key being empty for
 * `dir`; JWS: `payload.signature`). Tokens of the first version (`kid.iat.exp.z.REST`, F 0 or 1,
 * no `ct`) still open: their `ct` is taken to be their `iat`.
 */

export type { Mode }

export interface SealMeta {
  kid: string
  /** Seconds since the epoch. */
  iat: number
  exp: number
  /** When the session was first issued (seconds); `undefined` only in a first-version token read. */
  created: number | undefined
  compressed: boolean
  /** The app's `version` of the data's shape; `undefined`: none written (read as version 0). */
  version?: number | undefined
  /**
   * The reference of the part of the data kept in the app's store (see ./store/spill.ts): 43
   * base64url characters, the stored value's id and hash. Header `s`; flag 8.
   */
  spill?: string | undefined
}

/** Length of a spill reference: 32 bytes in base64url. */
export const SPILL_REF_LENGTH = 43

/**
 * The base64url of the protected header's JSON (`alg`, `enc`, `kid`, `iat`, `exp`, then `ct`, `z`,
 * `v`, `s` when set), byte for byte what `JSON.stringify` gives for that object, written as text:
 * every member is an integer or a base64url string, nothing to escape.
 */
export function headerSegment(mode: Mode, meta: SealMeta, base64url = asciiBase64url): string {
  let json = mode === 'encrypt' ? '{"alg":"dir","enc":"A256GCM"' : '{"alg":"HS256"'
  json += `,"kid":"${meta.kid}","iat":${meta.iat},"exp":${meta.exp}`
  if (meta.created !== undefined) json += `,"ct":${meta.created}`
  if (meta.compressed) json += ',"z":1'
  if (meta.version !== undefined) json += `,"v":${meta.version}`
  if (meta.spill !== undefined) json += `,"s":"${meta.spill}"`
  return base64url(`${json}}`)
}

const DEFLATED = 1
const AGED = 2
const VERSIONED = 4
const SPILLED = 8

function metaPrefix(meta: SealMeta): string {
  const aged = meta.created !== undefined
  const versioned = meta.version !== undefined && aged
  const spilled = meta.spill !== undefined && aged
  const flags =
    (meta.compressed ? DEFLATED : 0) | (aged ? AGED : 0) | (versioned ? VERSIONED : 0) | (spilled ? SPILLED : 0)
  const age = aged ? `${(meta.iat - meta.created!).toString(36)}.` : ''
  const version = versioned ? `${meta.version!.toString(36)}.` : ''
  const spill = spilled ? `${meta.spill!}.` : ''
  return `${meta.kid}.${meta.iat.toString(36)}.${meta.exp.toString(36)}.${flags.toString(16)}.${age}${version}${spill}`
}

// Fixed parts of REST: JWE `.` + iv (12 bytes) + `.` + ciphertext + `.` + tag (16 bytes);
// JWS payload + `.` + HMAC-SHA-256 (32 bytes).
const JWE_FIXED = 1 + base64urlLength(12) + 1 + 1 + base64urlLength(16)
const JWS_FIXED = 1 + base64urlLength(32)

/**
 * Exact length of the wire form for a plaintext of `plaintextBytes` bytes, without sealing:
 * AES-GCM ciphertext is as long as the plaintext, an HMAC is fixed-size.
 */
export function sealedLength(mode: Mode, meta: SealMeta, plaintextBytes: number): number {
  return metaPrefix(meta).length + (mode === 'encrypt' ? JWE_FIXED : JWS_FIXED) + base64urlLength(plaintextBytes)
}

let sealCount = 0
/** Seals performed by this process (for tests and benchmarks: a commit seals at most once). */
export function sealsPerformed(): number {
  return sealCount
}

/** Seals `plaintext` with `key` (always the first secret's), through the key's backend. One call per commit. */
export async function seal(mode: Mode, key: SealingKey, meta: SealMeta, plaintext: Uint8Array): Promise<string> {
  const rest = await key.backend.seal(mode, key.key, headerSegment(mode, meta, key.backend.asciiBase64url), plaintext)
  sealCount++
  return metaPrefix(meta) + rest
}

// kid: KID_LENGTH base64url characters; iat, exp: base36 seconds; flags one hex digit (0-1, or
// with bit 2 set any of 2-f); with flag 2, the age (iat - ct) in base36 seconds; with flag 4, the
// data's version in base36; with flag 8, the spill reference.
const KID = new RegExp(`^[A-Za-z0-9_-]{${KID_LENGTH}}$`)
const SECONDS = /^[0-9a-z]{1,9}$/
const VERSION = /^[0-9a-z]{1,7}$/
const FLAGS = /^[0-9a-f]$/
const SPILL_SEGMENT = new RegExp(`^[A-Za-z0-9_-]{${SPILL_REF_LENGTH}}$`)

/** The fields before REST, each checked for its characters; `undefined` when the prefix is malformed. */
function parsePrefix(wire: string): { meta: SealMeta; end: number } | undefined {
  let at = 0
  const field = (pattern: RegExp): string | undefined => {
    const dot = wire.indexOf('.', at)
    if (dot < 0) return undefined
    const text = wire.slice(at, dot)
    at = dot + 1
    return pattern.test(text) ? text : undefined
  }
  const kid = field(KID)
  const iat36 = kid === undefined ? undefined : field(SECONDS)
  const exp36 = iat36 === undefined ? undefined : field(SECONDS)
  const flagText = exp36 === undefined ? undefined : field(FLAGS)
  if (flagText === undefined) return undefined
  const flags = Number.parseInt(flagText, 16)
  // Only a first-version token (flags 0 or 1) has no age; versions and spills need one.
  if ((flags & AGED) === 0 && flags > DEFLATED) return undefined
  const age36 = (flags & AGED) !== 0 ? field(SECONDS) : ''
  const version36 = age36 !== undefined && (flags & VERSIONED) !== 0 ? field(VERSION) : ''
  const spill = version36 !== undefined && (flags & SPILLED) !== 0 ? field(SPILL_SEGMENT) : ''
  if (age36 === undefined || version36 === undefined || spill === undefined) return undefined
  const iat = Number.parseInt(iat36!, 36)
  const meta: SealMeta = {
    kid: kid!,
    iat,
    exp: Number.parseInt(exp36!, 36),
    created: age36 === '' ? undefined : iat - Number.parseInt(age36, 36),
    compressed: (flags & DEFLATED) !== 0,
    version: version36 === '' ? undefined : Number.parseInt(version36, 36),
    spill: spill === '' ? undefined : spill,
  }
  return { meta, end: at }
}

// RFC 4648 section 3.5: in canonical base64url the bits a final character leaves over are zero.
// jose (like most decoders) ignores them, so without this check one token would have several
// spellings, and an altered cookie could still verify.
const LAST_OF_2 = /^[AQgw]$/ // 2 characters left over: 12 bits, 4 unused
const LAST_OF_3 = /^[AEIMQUYcgkosw048]$/ // 3 characters left over: 18 bits, 2 unused
const SEGMENT = /^[A-Za-z0-9_-]*$/

export function canonicalSegment(segment: string, length?: number): boolean {
  if (length !== undefined && segment.length !== length) return false
  if (!SEGMENT.test(segment)) return false
  const last = segment.slice(-1)
  switch (segment.length % 4) {
    case 0:
      return true
    case 2:
      return LAST_OF_2.test(last)
    case 3:
      return LAST_OF_3.test(last)
    default:
      return false
  }
}

/**
 * REST in canonical form: JWE `.iv.ciphertext.tag`, JWS `payload.signature`; the long segment
 * (ciphertext or payload) only when the backend's `open` does not check it itself.
 */
function canonicalRest(mode: Mode, rest: string, longChecked: boolean): boolean {
  const parts = rest.split('.')
  if (mode === 'encrypt') {
    const [encryptedKey, iv, ciphertext, tag] = parts
    return (
      parts.length === 4 &&
      encryptedKey === '' &&
      canonicalSegment(iv!, base64urlLength(12)) &&
      (longChecked || canonicalSegment(ciphertext!)) &&
      canonicalSegment(tag!, base64urlLength(16))
    )
  }
  const [payload, signature] = parts
  return (
    parts.length === 2 &&
    (longChecked || canonicalSegment(payload!)) &&
    canonicalSegment(signature!, base64urlLength(32))
  )
}

export type OpenResult =
  { ok: true; plaintext: Uint8Array; meta: SealMeta } | { ok: false; reason: 'format' | 'verification' }

/**
 * Opens a wire form with whichever key its `kid` names. Algorithms are allow-listed on top of the
 * rebuilt header, and every verification failure is the same answer: no oracle on why.
 */
export async function open(mode: Mode, keys: readonly SealingKey[], wire: string): Promise<OpenResult> {
  const parsed = parsePrefix(wire)
  if (parsed === undefined) return { ok: false, reason: 'format' }
  const { meta, end: fieldEnd } = parsed
  const { kid } = meta
  if (meta.spill !== undefined && !canonicalSegment(meta.spill, SPILL_REF_LENGTH))
    return { ok: false, reason: 'format' }
  // Only the canonical spelling of each number is accepted, so one token has exactly one wire form.
  if (metaPrefix(meta) !== wire.slice(0, fieldEnd)) return { ok: false, reason: 'format' }
  const rest = wire.slice(fieldEnd)
  if (!canonicalRest(mode, rest, keys[0]?.backend.canonical === 'open')) return { ok: false, reason: 'verification' }
  const headerB64 = headerSegment(mode, meta, keys[0]?.backend.asciiBase64url)
  for (const k of keys) {
    if (k.kid !== kid) continue
    const plaintext = await k.backend.open(mode, k.key, headerB64, rest)
    if (plaintext !== undefined) return { ok: true, plaintext, meta }
    // Try the next key with the same kid (a 24-bit kid can collide); then fail as one.
  }
  return { ok: false, reason: 'verification' }
}
