/**
 * The browser limits database: what each engine keeps, per cookie and per host, and how large a
 * response head it accepts. Every number cites where it comes from. "measured" means our own
 * measurement on a loopback server (Debian 12, 2026-11), documented in the README.
 *
 * Entries are matched in order against the User-Agent as parsed by ua-parser-js 1.x (MIT); the first
 * match wins. User entries (`limits.browsers`) are tried before the built-in ones, and an entry with
 * the id of a built-in one replaces it.
 */

/** The limits one browser enforces. All sizes are bytes. */
export interface BrowserLimits {
  /** Largest `name + value` of one cookie (the `=` and the attributes do not count, unless `perCookieIncludesAttributes`). */
  perCookie: number
  /** When true the per-cookie limit covers the name, value and every attribute (RFC 6265 section 6.1 wording). */
  perCookieIncludesAttributes?: boolean
  /** Cookies the browser keeps for one host before it evicts some. */
  cookies: number
  /** Largest response head (status line + all headers) the browser accepts. */
  responseHeadBytes: number
  /** Bytes of `name + value` kept per partition for partitioned (CHIPS) cookies; absent when unsupported. */
  partitionBytes?: number
}

/** How an entry recognises a browser. Every present field must match. */
export interface BrowserMatch {
  /** ua-parser-js engine names, e.g. `Blink`, `Gecko`, `WebKit`. */
  engine?: readonly string[]
  /** ua-parser-js browser names, e.g. `Chrome`, `Firefox`, `Safari`. */
  browser?: readonly string[]
  /** ua-parser-js OS names, e.g. `iOS`, `Mac OS`, `Linux`. */
  os?: readonly string[]
  /** Inclusive major-version range; the engine's version for Blink and Gecko, the browser's otherwise. */
  minVersion?: number
  maxVersion?: number
}

/** One row of the database. */
export interface BrowserEntry extends BrowserLimits {
  /** Stable identifier, reported as `budget.source` and forwarded by the proxy. */
  id: string
  match: BrowserMatch
  /** Where the numbers come from: a spec section, a browser source file, or a measurement. */
  source: string
}

const KiB = 1024

/**
 * RFC 6265 section 6.1: "At least 4096 bytes per cookie (as measured by the sum of the length of the
 * cookie's name, value, and attributes)", "At least 50 cookies per domain". The response head limit
 * is the smallest we measured in any engine (WebKitGTK, ~64 KiB).
 */
export const RFC6265_MINIMUM: BrowserEntry = {
  id: 'rfc6265',
  match: {},
  perCookie: 4096,
  perCookieIncludesAttributes: true,
  cookies: 50,
  responseHeadBytes: 64 * KiB,
  source: 'RFC 6265 section 6.1 minimums (4096 bytes incl. attributes, 50 cookies per domain)',
}

/** The built-in entries, most specific first. */
export const BUILTIN_BROWSERS: readonly BrowserEntry[] = [
  {
    // Chromium 104 moved the size check to name + value only (net/cookies/parsed_cookie.h
    // kMaxCookieNamePlusValueSize = 4096, kMaxCookieAttributeValueSize = 1024), measured on
    // Chromium 156: 4096 kept, 4097 dropped. net/cookies/cookie_monster.cc: kDomainMaxCookies = 180,
    // kDomainPurgeCookies = 30, kPerPartitionDomainMaxCookieBytes = 10240. Response head: 256 KiB
    // (net/http/http_stream_parser.cc kMaxHeaderBufSize), measured.
    id: 'blink',
    match: { engine: ['Blink'], minVersion: 104 },
    perCookie: 4096,
    cookies: 180,
    responseHeadBytes: 256 * KiB,
    partitionBytes: 10240,
    source:
      'Chromium net/cookies/parsed_cookie.h kMaxCookieNamePlusValueSize=4096; net/cookies/cookie_monster.cc kDomainMaxCookies=180, kPerPartitionDomainMaxCookieBytes=10240; measured on Chromium 156',
  },
  {
    // Before Chromium 104 the 4096 bytes covered the whole cookie line, attributes included
    // (the pre-rfc6265bis ParsedCookie::kMaxCookieSize). Partitioned cookies did not exist yet.
    id: 'blink-legacy',
    match: { engine: ['Blink'], maxVersion: 103 },
    perCookie: 4096,
    perCookieIncludesAttributes: true,
    cookies: 180,
    responseHeadBytes: 256 * KiB,
    source:
      'Chromium < 104 net/cookies/parsed_cookie.cc kMaxCookieSize=4096 over the whole cookie line; cookie_monster.cc kDomainMaxCookies=180',
  },
  {
    // Gecko: netwerk/cookie CookieCommons kMaxBytesPerCookie = 4096 over name + value; the pref
    // network.cookie.maxPerHost = 180 (quotaPerHost 150 is the purge target). Measured on Firefox
    // ESR 153: 4096 kept, 4097 dropped; 180 kept, the 181st purges to ~150; 384 KiB response head.
    id: 'gecko',
    match: { engine: ['Gecko'], minVersion: 60 },
    perCookie: 4096,
    cookies: 180,
    responseHeadBytes: 384 * KiB,
    source:
      'Firefox netwerk/cookie kMaxBytesPerCookie=4096; modules/libpref network.cookie.maxPerHost=180; measured on Firefox ESR 153',
  },
  {
    // Old Gecko shipped kMaxCookiesPerHost = 150 in netwerk/cookie/nsCookieService.cpp; we keep the
    // lower count for every release before 60 rather than guess the exact version of the change.
    id: 'gecko-legacy',
    match: { engine: ['Gecko'], maxVersion: 59 },
    perCookie: 4096,
    cookies: 150,
    responseHeadBytes: 64 * KiB,
    source:
      'old Firefox netwerk/cookie/nsCookieService.cpp kMaxCookiesPerHost=150, kMaxBytesPerCookie=4096 (conservative for < 60)',
  },
  {
    // Apple WebKit (Safari, and every browser on iOS: CriOS, FxiOS, EdgiOS use WebKit). The cookie
    // store is CFNetwork's, not WebKitGTK's: 4093 bytes per cookie is the widely reproduced figure
    // for Safari, and we keep the Chromium count of 180 and the 64 KiB head seen in WebKit.
    id: 'webkit-apple',
    match: { engine: ['WebKit'], os: ['Mac OS', 'iOS'] },
    perCookie: 4093,
    cookies: 180,
    responseHeadBytes: 64 * KiB,
    source:
      'Safari/CFNetwork: 4093 bytes per cookie (browser cookie limit tests); 180 cookies and 64 KiB head kept conservative (WebKitGTK 2.50 measurement)',
  },
  {
    // WebKitGTK and WPE (the Linux and BSD ports; Epiphany, MiniBrowser). Measured on WebKitGTK
    // 2.50: no per-cookie or per-host limit seen (3000 cookies kept), but a response whose head is
    // over ~64 KiB fails as a whole. We promise no more than Chromium per cookie and per host.
    id: 'webkitgtk',
    match: { engine: ['WebKit'], os: ['Linux', 'Ubuntu', 'Debian', 'Fedora', 'Arch', 'FreeBSD', 'OpenBSD', 'NetBSD'] },
    perCookie: 4096,
    cookies: 180,
    responseHeadBytes: 64 * KiB,
    source:
      'measured on WebKitGTK 2.50 (no per-cookie limit, 3000 cookies kept, response head fails past ~64 KiB); capped to 4096 bytes and 180 cookies',
  },
  {
    // Any other WebKit (the pre-Chromium Android Browser, BlackBerry, old Chrome before Blink): no
    // source we trust, so Safari's per-cookie figure and the RFC 6265 count.
    id: 'webkit',
    match: { engine: ['WebKit'] },
    perCookie: 4093,
    cookies: 50,
    responseHeadBytes: 64 * KiB,
    source: 'conservative: Safari 4093 bytes per cookie, RFC 6265 section 6.1 minimum of 50 cookies',
  },
  {
    // Internet Explorer 8+ (and IE 7 in compatibility view), which send a Trident token, and legacy
    // Edge: Microsoft KB 941495 raised the limit to 50 cookies per domain; 4096 bytes per cookie over
    // the whole cookie. A plain IE 7 sends no Trident token and gets the RFC minimums: the same numbers.
    id: 'trident',
    match: { engine: ['Trident', 'EdgeHTML'] },
    perCookie: 4096,
    perCookieIncludesAttributes: true,
    cookies: 50,
    responseHeadBytes: 64 * KiB,
    source: 'Microsoft KB 941495 (IE7+/legacy Edge: 50 cookies per domain, 4096 bytes per cookie)',
  },
  {
    // Internet Explorer 6 and older (MSIE with no Trident token): 20 cookies per domain (KB 306070).
    id: 'msie-legacy',
    match: { browser: ['IE'], maxVersion: 6 },
    perCookie: 4096,
    perCookieIncludesAttributes: true,
    cookies: 20,
    responseHeadBytes: 64 * KiB,
    source: 'Microsoft KB 306070 (IE6 and older: 20 cookies per domain)',
  },
  {
    // Presto (Opera 12 and older): no source we trust beyond the RFC, so the RFC minimums.
    id: 'presto',
    match: { engine: ['Presto'] },
    perCookie: 4096,
    perCookieIncludesAttributes: true,
    cookies: 50,
    responseHeadBytes: 64 * KiB,
    source: 'RFC 6265 section 6.1 minimums (Presto: no better source)',
  },
]

/**
 * Merges user entries over the built-in ones: same id replaces, new ids go first. The RFC 6265
 * entry (matching anything) comes last, as the fallback; users may override its numbers too.
 */
export function buildDatabase(user: readonly BrowserEntry[] = []): readonly BrowserEntry[] {
  const replaced = new Set(user.map((e) => e.id))
  const fallback = user.find((e) => e.id === RFC6265_MINIMUM.id) ?? RFC6265_MINIMUM
  return [
    ...user.filter((e) => e.id !== RFC6265_MINIMUM.id),
    ...BUILTIN_BROWSERS.filter((e) => !replaced.has(e.id)),
    fallback,
  ]
}

export function fallbackOf(database: readonly BrowserEntry[]): BrowserEntry {
  return database.find((e) => e.id === RFC6265_MINIMUM.id) ?? RFC6265_MINIMUM
}

/** Looks an entry up by id (used for the profile the proxy forwards). */
export function entryById(id: string, database: readonly BrowserEntry[]): BrowserEntry | undefined {
  if (id === RFC6265_MINIMUM.id) return fallbackOf(database)
  return database.find((e) => e.id === id)
}
