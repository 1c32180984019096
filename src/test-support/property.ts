/**
 * Shared by the property tests under src/property/ (fast-check): the browsers, a client that replays
 * Set-Cookie lines, the arbitraries, and the budget checked item by item. Each run encodes and
 * decodes for real (~1 ms), so run counts are sized to keep each file well under ~40 s on 2 cores.
 */
import fc from 'fast-check'
import { expect } from 'vitest'
import { encodeProfile, PROFILE_HEADER } from '../browsers/profile-header.js'
import type { EncodeResult } from '../encode.js'
import type { Cookieman } from '../engine.js'
import { createCookieman } from '../create.js'
import type { CookiemanOptions } from '../options/types.js'
import type { SessionError, SessionErrorCode } from '../errors.js'
import { BUILTIN_BROWSERS, RFC6265_MINIMUM, type BrowserEntry } from '../browsers/database.js'
import { BUILTIN_FRONTS } from '../fronts/database.js'
import type { CookieAttributes, FrontOption } from '../options/types.js'
import { resolveCookie } from '../options/cookie.js'
import { deletionCookie } from '../set-cookie.js'
import type { Session } from '../session.js'
import type { ShrinkFunction } from '../shrink/index.js'
import { CHROME_UA, FIREFOX_UA, IE11_UA, Jar, SAFARI_UA, SECRET } from './jar.js'

export type Data = Record<string, unknown>

export const NOW = new Date('2026-11-26T12:00:00Z')
export const BASE = 'session'
/** Our chunk names, exactly as the reader accepts them. */
const OURS = /^session(?:\.[1-9][0-9]*)?$/
const COOKIE_LINE = 'Cookie: '.length + '\r\n'.length
/**
 * Upper bound on `session=v1.1.<wire of {}>; ` in either mode: kid 4, iat and exp 6 base36 digits
 * each, `z.`, and at most 47 bytes of JWS/JWE around 2 bytes of plaintext, plus separators.
 */
const EMPTY_SESSION_PAIR = 100

export const ALL_ENTRIES: readonly BrowserEntry[] = [...BUILTIN_BROWSERS, RFC6265_MINIMUM]

export function entry(id: string): BrowserEntry {
  const found = ALL_ENTRIES.find((e) => e.id === id)
  if (found === undefined) throw new Error(`no database entry ${id}`)
  return found
}

/**
 * Run options: `numRuns`, and a wall-clock cap (fast-check's clock is the real one, not the faked
 * Date) so that shrinking a large counterexample cannot run for minutes; it then reports the
 * smallest counterexample found so far.
 */
export function runs<T>(numRuns: number, examples: readonly unknown[] = []): fc.Parameters<T> {
  // The fixed examples are written as literals; fast-check checks their shape when it runs them.
  return { numRuns, examples: examples as T[], plugins: [fc.interruptAfterTimeLimit(10_000)] }
}

/** A real User-Agent per database entry (checked below, so every entry really is exercised). */
export const UA_BY_ENTRY: Readonly<Record<string, string>> = {
  blink: CHROME_UA,
  'blink-legacy':
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/90.0.4430.212 Safari/537.36',
  gecko: FIREFOX_UA,
  'gecko-legacy': 'Mozilla/5.0 (Windows NT 6.1; Win64; x64; rv:52.0) Gecko/20100101 Firefox/52.0',
  'webkit-apple': SAFARI_UA,
  webkitgtk: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Safari/605.1.15',
  webkit:
    'Mozilla/5.0 (Linux; U; Android 4.1.2; en-us; GT-I9300 Build/JZO54K) AppleWebKit/534.30 (KHTML, like Gecko) Version/4.0 Mobile Safari/534.30',
  trident: IE11_UA,
  'msie-legacy': 'Mozilla/4.0 (compatible; MSIE 6.0; Windows NT 5.1; SV1)',
  presto: 'Opera/9.80 (Windows NT 6.1; WOW64) Presto/2.12.388 Version/12.18',
  rfc6265: 'curl/8.5.0',
}

export function uaFor(id: string): string {
  const ua = UA_BY_ENTRY[id]
  if (ua === undefined) throw new Error(`no User-Agent for entry ${id}`)
  return ua
}

export function chunkNames(count: number): string[] {
  return Array.from({ length: count }, (_, i) => (i === 0 ? BASE : `${BASE}.${i}`))
}

export function byIndex(names: readonly string[]): string[] {
  const index = (n: string) => (n === BASE ? 0 : Number(n.slice(BASE.length + 1)))
  return [...names].sort((a, b) => index(a) - index(b))
}

/**
 * A browser: a cookie jar plus the last live Set-Cookie line of each of our cookies (what the
 * per-cookie limit of RFC 6265-style engines measures). The database entry reaches the engine
 * either through a real User-Agent or through the proxy's forwarded profile header (then the
 * User-Agent names another engine, so only the header can pick the entry).
 */
export class Client {
  readonly jar: Jar
  readonly lines = new Map<string, string>()
  entry: BrowserEntry
  viaHeader: boolean

  constructor(entry: BrowserEntry, viaHeader: boolean, initial: Record<string, string> = {}) {
    this.jar = new Jar('', initial)
    this.entry = entry
    this.viaHeader = viaHeader
    this.use(entry, viaHeader)
  }

  use(entry: BrowserEntry, viaHeader: boolean): void {
    this.entry = entry
    this.viaHeader = viaHeader
    this.jar.userAgent = viaHeader ? uaFor(entry.id === 'blink' ? 'gecko' : 'blink') : uaFor(entry.id)
  }

  headers(): Headers {
    if (!this.viaHeader) return this.jar.headers()
    const browser = { name: '', version: '', engine: '' }
    return this.jar.headers({ [PROFILE_HEADER]: encodeProfile({ entry: this.entry, browser }) })
  }

  apply(setCookie: readonly string[]): void {
    this.jar.apply(setCookie)
    for (const line of setCookie) {
      const name = line.slice(0, line.indexOf('='))
      if (this.jar.cookies.has(name)) this.lines.set(name, line)
      else this.lines.delete(name)
    }
  }

  ours(): string[] {
    return this.jar.names().filter((n) => OURS.test(n))
  }

  /** The other cookies: how many, and the bytes they take in the Cookie header with their `; `. */
  others(): { count: number; headerBytes: number } {
    const pairs = [...this.jar.cookies].filter(([n]) => !OURS.test(n)).map(([n, v]) => `${n}=${v}`)
    const header = pairs.join('; ')
    return { count: pairs.length, headerBytes: header === '' ? 0 : header.length + 2 }
  }
}

/** The fronts a run assumes: every built-in one, a few together, and a raised nginx. */
export const frontsArb = fc.constantFrom<FrontOption[]>(
  ['nginx'],
  ['apache'],
  ['haproxy'],
  ['caddy'],
  ['node'],
  ['nginx', 'haproxy'],
  [{ id: 'nginx', responseHeadBytes: 16384, cookieLineBytes: 16384 }],
  ...BUILTIN_FRONTS.filter((f) => f.kind === 'platform').map((f) => [f.id]),
)

export interface BudgetOptions {
  fronts: FrontOption[]
  maxCookieHeaderBytes: number | undefined
  maxResponseHeaderBytes: number | undefined
  reserveBytes: number | undefined
  responseReserveBytes: number | undefined
}

/**
 * The limits a configuration promises, worked out from the front table as the README states the
 * rule: the smallest Cookie line (a whole-head limit less 2,048 bytes for the rest of the request;
 * `next start` behind every server), the smallest response head, a numbers given wins; the reserve
 * one full cookie (at most half the line), 1,024 bytes kept of the response head.
 */
export function expectedLimits(b: BudgetOptions) {
  const fronts = b.fronts.map((f) => {
    const base = typeof f === 'string' ? undefined : BUILTIN_FRONTS.find((e) => e.id === f.id)
    return typeof f === 'string' ? BUILTIN_FRONTS.find((e) => e.id === f)! : { ...base!, ...f }
  })
  if (!fronts.some((f) => f.kind === 'platform' || f.id === 'node'))
    fronts.push(BUILTIN_FRONTS.find((e) => e.id === 'node')!)
  const line = Math.min(...fronts.map((f) => Math.min(f.cookieLineBytes!, (f.requestHeadBytes ?? Infinity) - 2048)))
  const head = Math.min(...fronts.map((f) => f.responseHeadBytes ?? Infinity))
  const maxCookieHeaderBytes = b.maxCookieHeaderBytes ?? line
  return {
    maxCookieHeaderBytes,
    reserveBytes: b.reserveBytes ?? (maxCookieHeaderBytes >= 8192 ? 4097 : Math.floor(maxCookieHeaderBytes / 2)),
    maxResponseHeaderBytes: b.maxResponseHeaderBytes ?? head,
    responseReserveBytes: b.responseReserveBytes ?? 1024,
  }
}

export function makeCookieman(options: Omit<CookiemanOptions<Data>, 'secret'>) {
  const errors: SessionErrorCode[] = []
  const cm = createCookieman<Data>({ secret: SECRET, onError: (e: SessionError) => errors.push(e.code), ...options })
  return { cm, errors }
}

/** Registered for `big`: drops 1/divisor of the array per call (the last phase halves it), then the key. */
export function bigShrinker(divisor: number): ShrinkFunction<Data> {
  return (data, last) => {
    const big = data['big']
    if (!Array.isArray(big) || big.length <= 1) {
      delete data['big']
      return data
    }
    const drop = last ? Math.ceil(big.length / 2) : Math.max(1, Math.ceil(big.length / divisor))
    big.splice(big.length - drop, drop)
    return data
  }
}

// ---------------------------------------------------------------------------------------------
// Arbitraries

const noProto = (k: string) => k !== '__proto__'
export const keyArb = fc
  .oneof(fc.string({ maxLength: 10 }), fc.string({ unit: 'binary', maxLength: 6 }), fc.constantFrom('cart', 'userId'))
  .filter(noProto)

const nonAsciiArb = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.constantFrom(
    'grüße, 東京, 🍪, "quotes"; semi=colons \\ back',
    '\u2028\u2029\u0000\u001f',
    '\ud800',
    'a\udc00b',
    '👩‍👩‍👧‍👦🏳️‍🌈',
    'ﬀ\ufeffĳ',
  ),
)

export const valueArb = fc.oneof(
  { weight: 3, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2, stringUnit: 'binary' }) },
  { weight: 2, arbitrary: nonAsciiArb },
)

export const bigItemArb = fc.oneof(
  fc.string({ maxLength: 80, size: 'max' }),
  fc.string({ unit: 'binary', maxLength: 24, size: 'max' }),
  fc.nat({ max: 999_999 }).map((n) => `sku-${String(n).padStart(20, '0')}`),
)

export const modeArb = fc.constantFrom('encrypt' as const, 'sign' as const)
export const entryArb = fc.constantFrom(...ALL_ENTRIES)

// RFC 6265 section 4.1.1: cookie-octet and token (RFC 2616) characters.
export const COOKIE_OCTETS = Array.from({ length: 0x7e - 0x21 + 1 }, (_, i) => String.fromCharCode(0x21 + i)).filter(
  (c) => !'",;\\'.includes(c),
)
const TOKEN_CHARS = [..."!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"]
const octetArb = fc.constantFrom(...COOKIE_OCTETS)

const otherNameArb = fc
  .oneof(
    { weight: 4, arbitrary: fc.string({ unit: fc.constantFrom(...TOKEN_CHARS), minLength: 1, maxLength: 16 }) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        'session-id',
        'session.x',
        'sessions',
        'xsession',
        'session.1.2',
        'Session',
        '__Host-s',
      ),
    },
  )
  .filter((n) => !/^session(\.\d+)?$/.test(n))

/** 0-1500 characters: a random head and a repeated filler (cheap to generate, any length). */
const otherValueArb = fc
  .tuple(fc.string({ unit: octetArb, maxLength: 12 }), fc.nat({ max: 1500 }), octetArb)
  .map(([head, n, filler]) => (head + filler.repeat(n)).slice(0, 1500))

export const othersArb = fc.uniqueArray(fc.record({ name: otherNameArb, value: otherValueArb }), {
  maxLength: 40,
  size: 'max',
  selector: (c) => c.name,
})

/** Leftovers of ours on the request (garbage or stale chunks), at indexes the engine can name. */
export const leftoversArb = fc.uniqueArray(
  fc.record({
    index: fc.oneof(fc.integer({ min: 0, max: 60 }), fc.constant(Number.MAX_SAFE_INTEGER)),
    value: fc.oneof(fc.string({ unit: octetArb, maxLength: 40 }), fc.constant('v1.9.garbage')),
  }),
  { maxLength: 4, selector: (l) => l.index },
)

export const cookieOptionsArb = fc.record({
  path: fc.constantFrom('/', '/app', '/a/rather/long/path/for/the/attributes/to/weigh/something'),
  sameSite: fc.constantFrom('lax' as const, 'strict' as const, 'none' as const),
  partitioned: fc.boolean(),
  priority: fc.constantFrom(undefined, 'high' as const),
  domain: fc.constantFrom(undefined, 'example.com'),
})

export function cookieOption(c: {
  path: string
  sameSite: 'lax' | 'strict' | 'none'
  partitioned: boolean
  priority: 'high' | undefined
  domain: string | undefined
}) {
  return {
    path: c.path,
    sameSite: c.sameSite,
    partitioned: c.partitioned,
    ...(c.priority !== undefined && { priority: c.priority }),
    ...(c.domain !== undefined && { domain: c.domain }),
  }
}

// ---------------------------------------------------------------------------------------------
// The budget, item by item (DESIGN section 3), for one commit already applied to the client.

export interface Checked {
  cm: Cookieman<Data>
  client: Client
  maxCookieHeaderBytes: number
  reserveBytes: number
  /** The fronts' response head limit (Infinity: none). */
  maxResponseHeaderBytes: number
  responseReserveBytes: number
  partitioned: boolean
  /** The `cookie` option of the engine, to know its deletion lines. */
  cookie: CookieAttributes
  out: EncodeResult
  session: Session<Data>
  defaults: Data
  /** The other cookies as the request carried them. */
  others: { count: number; headerBytes: number }
  /** onError calls made by the commit. */
  commitErrors: SessionErrorCode[]
}

export async function checkBudget(c: Checked): Promise<void> {
  const { cm, client, out, maxCookieHeaderBytes: max, reserveBytes: reserve } = c
  const { entry } = client
  const { report, setCookie } = out
  const ours = client.ours()
  expect(report.budget.source).toBe(entry.id)

  // (d) all Set-Cookie lines of the response, deletions included, fit the smaller of the fronts' and
  // the browser's response head, less the reserve for every other header.
  const head = setCookie.reduce((n, line) => n + 'Set-Cookie: '.length + line.length + 2, 0)
  expect(head).toBeLessThanOrEqual(Math.min(entry.responseHeadBytes, c.maxResponseHeaderBytes) - c.responseReserveBytes)
  if (setCookie.length > 0) expect(out.responseHeaders).toEqual({ 'cache-control': 'private, no-store' })
  // Stale chunks of ours left in the jar: only where the response had no room left to delete them.
  const written = chunkNames(report.error === undefined ? report.chunks : 0)
  const left = ours.filter((n) => !written.includes(n))
  const attributes = resolveCookie(c.cookie, BASE)
  for (const name of left) {
    expect(report.deleted).not.toContain(name)
    const deletion = 'Set-Cookie: '.length + deletionCookie(name, attributes).length + 2
    expect(head + deletion).toBeGreaterThan(
      Math.min(entry.responseHeadBytes, c.maxResponseHeaderBytes) - c.responseReserveBytes,
    )
  }

  if (report.error !== undefined) {
    // Even the empty session did not fit: nothing of ours is left, one onError call.
    expect(report.error.code).toBe('ERR_SESSION_TOO_LARGE')
    expect(ours).toEqual(left)
    expect(report.chunks).toBe(0)
    expect(c.commitErrors).toEqual(['ERR_SESSION_TOO_LARGE'])
    // ... and that was true: with a cookie slot and room for an empty session, giving up is a bug.
    const roomy =
      c.others.count < entry.cookies && COOKIE_LINE + c.others.headerBytes + EMPTY_SESSION_PAIR + reserve <= max
    expect(roomy).toBe(false)
    // (e) a new session with the defaults.
    expect(c.session.data).toEqual(c.defaults)
    const back = await cm.decodeSession(client.headers())
    expect(back.isNew).toBe(true)
    expect(back.error).toBeUndefined()
    expect(back.data).toEqual(c.defaults)
    return
  }
  expect(c.commitErrors).toEqual([])
  expect(byIndex(ours.filter((n) => !left.includes(n)))).toEqual(chunkNames(report.chunks))
  if (report.chunks === 0) {
    // An unchanged new session: nothing of ours before or after, the defaults.
    expect(report.unchanged).toBe(true)
    expect(c.session.data).toEqual(c.defaults)
    return
  }

  let bytes = 0
  let partition = 0
  for (const name of written) {
    const value = client.jar.cookies.get(name) ?? ''
    // (a) per cookie: name + value, and the whole line where the engine counts the attributes.
    expect(name.length + value.length).toBeLessThanOrEqual(entry.perCookie)
    if (entry.perCookieIncludesAttributes === true) {
      const line = client.lines.get(name) ?? ''
      expect(line.startsWith(`${name}=${value};`)).toBe(true)
      expect(line.length).toBeLessThanOrEqual(entry.perCookie)
    }
    bytes += name.length + 1 + value.length
    partition += name.length + value.length
  }
  expect(report.bytes).toBe(bytes)
  // CHIPS: our partitioned cookies within the engine's per-partition bytes.
  if (c.partitioned && entry.partitionBytes !== undefined) expect(partition).toBeLessThanOrEqual(entry.partitionBytes)
  // (b) cookies per host.
  expect(client.jar.cookies.size).toBeLessThanOrEqual(entry.cookies)
  // (c) the whole Cookie header the browser sends next, with the reserve.
  // (c) the Cookie header line (`Cookie: `, pairs, CRLF) with the reserve.
  expect(COOKIE_LINE + client.jar.header().length + reserve).toBeLessThanOrEqual(max)
  // (e) what the next request reads is exactly what the commit left in session.data.
  const back = await cm.decodeSession(client.headers())
  expect(back.error).toBeUndefined()
  expect(back.isNew).toBe(false)
  expect(back.data).toEqual(c.session.data)
}
