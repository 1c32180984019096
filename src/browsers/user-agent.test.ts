import { describe, expect, it } from 'vitest'
import { BUILTIN_BROWSERS, buildDatabase, entryById, RFC6265_MINIMUM, type BrowserEntry } from './database.js'
import { profileFor } from './user-agent.js'

// Every expectation below was checked against ua-parser-js 1.0.41 (browser.name, engine.name), not guessed.

const CHROME_WINDOWS =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36'
const FIREFOX_WINDOWS = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0'
const EDGE_WINDOWS =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0'

type Case = [
  label: string,
  userAgent: string | undefined,
  id: string,
  name: string,
  engine: string,
  perCookie: number,
  cookies: number,
]

const CASES: Case[] = [
  // Blink, Chromium 104 and later
  ['Chrome 131 on Windows', CHROME_WINDOWS, 'blink', 'Chrome', 'Blink', 4096, 180],
  [
    'Chrome 131 on macOS',
    'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
    'blink',
    'Chrome',
    'Blink',
    4096,
    180,
  ],
  [
    'Chrome 131 on Linux',
    'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
    'blink',
    'Chrome',
    'Blink',
    4096,
    180,
  ],
  [
    'Chrome 131 on ChromeOS',
    'Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
    'blink',
    'Chrome',
    'Blink',
    4096,
    180,
  ],
  [
    'HeadlessChrome 156 on Linux',
    'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/156.0.0.0 Safari/537.36',
    'blink',
    'Chrome Headless',
    'Blink',
    4096,
    180,
  ],
  [
    'Chrome 131 on Android',
    'Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36',
    'blink',
    'Chrome',
    'Blink',
    4096,
    180,
  ],
  ['Edge 131 (Chromium) on Windows', EDGE_WINDOWS, 'blink', 'Edge', 'Blink', 4096, 180],
  [
    'Edge 131 on Android',
    'Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36 EdgA/131.0.0.0',
    'blink',
    'Edge',
    'Blink',
    4096,
    180,
  ],
  [
    'Samsung Internet 23 (Chromium 115)',
    'Mozilla/5.0 (Linux; Android 13; SAMSUNG SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/23.0 Chrome/115.0.0.0 Mobile Safari/537.36',
    'blink',
    'Samsung Internet',
    'Blink',
    4096,
    180,
  ],
  [
    'Opera 115 (Chromium 130)',
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36 OPR/115.0.0.0',
    'blink',
    'Opera',
    'Blink',
    4096,
    180,
  ],
  // Brave sends exactly Chrome's User-Agent.
  ['Brave (reports as Chrome)', CHROME_WINDOWS, 'blink', 'Chrome', 'Blink', 4096, 180],
  [
    'Vivaldi 7.0 (Chromium 130)',
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36 Vivaldi/7.0.3495.18',
    'blink',
    'Vivaldi',
    'Blink',
    4096,
    180,
  ],
  [
    'Yandex Browser 24.7 (Chromium 126)',
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 YaBrowser/24.7.0.0 Safari/537.36',
    'blink',
    'Yandex',
    'Blink',
    4096,
    180,
  ],
  [
    'Android WebView (wv)',
    'Mozilla/5.0 (Linux; Android 13; Pixel 7 Build/TQ3A.230901.001; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/131.0.6778.39 Mobile Safari/537.36',
    'blink',
    'Chrome WebView',
    'Blink',
    4096,
    180,
  ],
  [
    'Chrome 104 (first name + value release)',
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/104.0.0.0 Safari/537.36',
    'blink',
    'Chrome',
    'Blink',
    4096,
    180,
  ],
  // Blink before Chromium 104
  [
    'Chrome 103',
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/103.0.0.0 Safari/537.36',
    'blink-legacy',
    'Chrome',
    'Blink',
    4096,
    180,
  ],
  [
    'Chrome 90',
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/90.0.4430.212 Safari/537.36',
    'blink-legacy',
    'Chrome',
    'Blink',
    4096,
    180,
  ],
  [
    'Vivaldi 2.6 (Chromium 75) on Linux',
    'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/75.0.3770.145 Safari/537.36 Vivaldi/2.6.1566.49',
    'blink-legacy',
    'Vivaldi',
    'Blink',
    4096,
    180,
  ],
  [
    'UC Browser 13 (Chromium 78)',
    'Mozilla/5.0 (Linux; U; Android 10; en-US; RMX1911 Build/QKQ1.200209.002) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/78.0.3904.108 UCBrowser/13.4.0.1306 Mobile Safari/537.36',
    'blink-legacy',
    'UCBrowser',
    'Blink',
    4096,
    180,
  ],
  // Gecko 60 and later
  ['Firefox 133 on Windows', FIREFOX_WINDOWS, 'gecko', 'Firefox', 'Gecko', 4096, 180],
  [
    'Firefox 133 on macOS',
    'Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:133.0) Gecko/20100101 Firefox/133.0',
    'gecko',
    'Firefox',
    'Gecko',
    4096,
    180,
  ],
  [
    'Firefox 153 on Linux',
    'Mozilla/5.0 (X11; Linux x86_64; rv:153.0) Gecko/20100101 Firefox/153.0',
    'gecko',
    'Firefox',
    'Gecko',
    4096,
    180,
  ],
  [
    'Firefox ESR 115 (rv frozen at 109)',
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:109.0) Gecko/20100101 Firefox/115.0',
    'gecko',
    'Firefox',
    'Gecko',
    4096,
    180,
  ],
  [
    'Firefox 133 on Android',
    'Mozilla/5.0 (Android 14; Mobile; rv:133.0) Gecko/133.0 Firefox/133.0',
    'gecko',
    'Firefox',
    'Gecko',
    4096,
    180,
  ],
  [
    'Firefox 60 (first gecko release)',
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:60.0) Gecko/20100101 Firefox/60.0',
    'gecko',
    'Firefox',
    'Gecko',
    4096,
    180,
  ],
  // Gecko before 60
  [
    'Firefox 59 on Ubuntu',
    'Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:59.0) Gecko/20100101 Firefox/59.0',
    'gecko-legacy',
    'Firefox',
    'Gecko',
    4096,
    150,
  ],
  [
    'Firefox ESR 52',
    'Mozilla/5.0 (Windows NT 6.1; Win64; x64; rv:52.0) Gecko/20100101 Firefox/52.0',
    'gecko-legacy',
    'Firefox',
    'Gecko',
    4096,
    150,
  ],
  // Apple WebKit: Safari, and every browser on iOS
  [
    'Safari 17 on macOS',
    'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Safari/605.1.15',
    'webkit-apple',
    'Safari',
    'WebKit',
    4093,
    180,
  ],
  [
    'Safari 18 on macOS',
    'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.2 Safari/605.1.15',
    'webkit-apple',
    'Safari',
    'WebKit',
    4093,
    180,
  ],
  [
    'Safari 5.1 on Mac OS X 10.6',
    'Mozilla/5.0 (Macintosh; U; Intel Mac OS X 10_6_8; en-us) AppleWebKit/534.50 (KHTML, like Gecko) Version/5.1 Safari/534.50',
    'webkit-apple',
    'Safari',
    'WebKit',
    4093,
    180,
  ],
  [
    'Safari on iPhone',
    'Mozilla/5.0 (iPhone; CPU iPhone OS 18_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.2 Mobile/15E148 Safari/604.1',
    'webkit-apple',
    'Mobile Safari',
    'WebKit',
    4093,
    180,
  ],
  [
    'Safari on iPad',
    'Mozilla/5.0 (iPad; CPU OS 17_7 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Mobile/15E148 Safari/604.1',
    'webkit-apple',
    'Mobile Safari',
    'WebKit',
    4093,
    180,
  ],
  [
    'WKWebView in an iOS app (no Safari token)',
    'Mozilla/5.0 (iPhone; CPU iPhone OS 18_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148',
    'webkit-apple',
    'WebKit',
    'WebKit',
    4093,
    180,
  ],
  [
    'Chrome on iOS (CriOS)',
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_7 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/131.0.6778.73 Mobile/15E148 Safari/604.1',
    'webkit-apple',
    'Chrome',
    'WebKit',
    4093,
    180,
  ],
  [
    'Firefox on iOS (FxiOS)',
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_7 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) FxiOS/133.0 Mobile/15E148 Safari/605.1.15',
    'webkit-apple',
    'Firefox',
    'WebKit',
    4093,
    180,
  ],
  [
    'Edge on iOS (EdgiOS)',
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_7_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 EdgiOS/131.2903.92 Mobile/15E148 Safari/605.1.15',
    'webkit-apple',
    'Edge',
    'WebKit',
    4093,
    180,
  ],
  // WebKitGTK: Safari's UA on a Linux OS
  [
    'WebKitGTK on Linux',
    'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Safari/605.1.15',
    'webkitgtk',
    'Safari',
    'WebKit',
    4096,
    180,
  ],
  [
    'Epiphany on Linux',
    'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/11.0 Safari/605.1.15 Epiphany/605.1.15',
    'webkitgtk',
    'Epiphany',
    'WebKit',
    4096,
    180,
  ],
  [
    'Epiphany on Ubuntu',
    'Mozilla/5.0 (X11; Ubuntu; Linux x86_64) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/13.0 Safari/605.1.15 Epiphany/605.1.15',
    'webkitgtk',
    'Epiphany',
    'WebKit',
    4096,
    180,
  ],
  [
    'Epiphany on FreeBSD',
    'Mozilla/5.0 (X11; FreeBSD amd64) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Safari/605.1.15 Epiphany/605.1.15',
    'webkitgtk',
    'Epiphany',
    'WebKit',
    4096,
    180,
  ],
  // Other WebKit: conservative entry
  [
    'Android 4.1 stock browser',
    'Mozilla/5.0 (Linux; U; Android 4.1.2; en-us; GT-I9300 Build/JZO54K) AppleWebKit/534.30 (KHTML, like Gecko) Version/4.0 Mobile Safari/534.30',
    'webkit',
    'Android Browser',
    'WebKit',
    4093,
    50,
  ],
  // Bots that name Chromium render with it and get its limits
  [
    'Googlebot smartphone (Chromium renderer)',
    'Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.69 Mobile Safari/537.36 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
    'blink',
    'Chrome',
    'Blink',
    4096,
    180,
  ],
  // IE 7 sends no Trident token: RFC minimums (the same numbers as the trident entry)
  ['IE 7 on Windows XP', 'Mozilla/4.0 (compatible; MSIE 7.0; Windows NT 5.1)', 'rfc6265', 'IE', '', 4096, 50],
  // Trident and EdgeHTML
  [
    'legacy Edge 18 (EdgeHTML)',
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/70.0.3538.102 Safari/537.36 Edge/18.19582',
    'trident',
    'Edge',
    'EdgeHTML',
    4096,
    50,
  ],
  [
    'legacy Edge 15 on Windows 10 Mobile',
    'Mozilla/5.0 (Windows Phone 10.0; Android 6.0.1; Microsoft; Lumia 950) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/52.0.2743.116 Mobile Safari/537.36 Edge/15.15063',
    'trident',
    'Edge',
    'EdgeHTML',
    4096,
    50,
  ],
  [
    'IE 11',
    'Mozilla/5.0 (Windows NT 10.0; WOW64; Trident/7.0; rv:11.0) like Gecko',
    'trident',
    'IE',
    'Trident',
    4096,
    50,
  ],
  ['IE 10', 'Mozilla/5.0 (compatible; MSIE 10.0; Windows NT 6.1; Trident/6.0)', 'trident', 'IE', 'Trident', 4096, 50],
  ['IE 9', 'Mozilla/5.0 (compatible; MSIE 9.0; Windows NT 6.1; Trident/5.0)', 'trident', 'IE', 'Trident', 4096, 50],
  [
    'IE 8',
    'Mozilla/4.0 (compatible; MSIE 8.0; Windows NT 6.1; Trident/4.0; SLCC2; .NET CLR 2.0.50727; .NET CLR 3.5.30729; .NET CLR 3.0.30729; Media Center PC 6.0)',
    'trident',
    'IE',
    'Trident',
    4096,
    50,
  ],
  [
    'IE 8 in compatibility view (MSIE 7.0 with a Trident token)',
    'Mozilla/4.0 (compatible; MSIE 7.0; Windows NT 6.1; WOW64; Trident/4.0; SLCC2; .NET CLR 2.0.50727; .NET CLR 3.5.30729; .NET CLR 3.0.30729; Media Center PC 6.0)',
    'trident',
    'IE',
    'Trident',
    4096,
    50,
  ],
  [
    'IE Mobile 9 on Windows Phone 7.5',
    'Mozilla/5.0 (compatible; MSIE 9.0; Windows Phone OS 7.5; Trident/5.0; IEMobile/9.0)',
    'trident',
    'IEMobile',
    'Trident',
    4096,
    50,
  ],
  // IE 6 and older: no Trident token, ua-parser-js reports no engine at all
  ['IE 6', 'Mozilla/4.0 (compatible; MSIE 6.0; Windows NT 5.1; SV1)', 'msie-legacy', 'IE', '', 4096, 20],
  [
    'IE 6 with .NET CLR',
    'Mozilla/4.0 (compatible; MSIE 6.0; Windows NT 5.1; SV1; .NET CLR 1.1.4322)',
    'msie-legacy',
    'IE',
    '',
    4096,
    20,
  ],
  ['IE 5.5', 'Mozilla/4.0 (compatible; MSIE 5.5; Windows 98)', 'msie-legacy', 'IE', '', 4096, 20],
  // Presto
  [
    'Opera 12 (Presto)',
    'Opera/9.80 (Windows NT 6.1; WOW64) Presto/2.12.388 Version/12.18',
    'presto',
    'Opera',
    'Presto',
    4096,
    50,
  ],
  [
    'Opera Mini (Presto)',
    'Opera/9.80 (Android; Opera Mini/36.2.2254/119.132; U; id) Presto/2.12.423 Version/12.16',
    'presto',
    'Opera Mini',
    'Presto',
    4096,
    50,
  ],
  // Unknown agents, bots and missing headers: RFC 6265 minimums
  [
    'Googlebot',
    'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
    'rfc6265',
    '',
    '',
    4096,
    50,
  ],
  ['Bingbot', 'Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)', 'rfc6265', '', '', 4096, 50],
  ['curl', 'curl/7.88.1', 'rfc6265', '', '', 4096, 50],
  [
    'Pale Moon (Goanna, an engine the database does not know)',
    'Mozilla/5.0 (Windows NT 6.1; WOW64; rv:102.0) Gecko/20100101 Goanna/6.7 Firefox/102.0 PaleMoon/33.0.1',
    'rfc6265',
    'PaleMoon',
    'Goanna',
    4096,
    50,
  ],
  ['an empty string', '', 'rfc6265', '', '', 4096, 50],
  ['undefined', undefined, 'rfc6265', '', '', 4096, 50],
]

describe('profileFor', () => {
  it.each(CASES)('%s', (_label, userAgent, id, name, engine, perCookie, cookies) => {
    const { browser, entry } = profileFor(userAgent)
    expect(entry.id).toBe(id)
    expect(browser.name).toBe(name)
    expect(browser.engine).toBe(engine)
    expect(entry.perCookie).toBe(perCookie)
    expect(entry.cookies).toBe(cookies)
    // The entry is the database row itself, not a copy.
    expect(entryById(id, BUILTIN_BROWSERS)).toBe(entry)
  })

  it('covers every built-in entry and the RFC fallback', () => {
    const ids = new Set(CASES.map((c) => c[2]))
    expect([...ids].sort()).toEqual([...BUILTIN_BROWSERS.map((e) => e.id), RFC6265_MINIMUM.id].sort())
  })

  it('gives null the RFC 6265 minimums', () => {
    const { browser, entry } = profileFor(null)
    expect(entry).toBe(RFC6265_MINIMUM)
    expect(browser).toEqual({ name: '', version: '', engine: '' })
  })

  it('reports the browser version', () => {
    expect(profileFor(CHROME_WINDOWS).browser.version).toBe('131.0.0.0')
    expect(profileFor(FIREFOX_WINDOWS).browser.version).toBe('133.0')
  })

  it('truncates a User-Agent longer than 512 characters and still parses it', () => {
    // The Edg token sits past the cut: were it read, the browser would be Edge.
    const long = `${CHROME_WINDOWS} ${'x'.repeat(600)} Edg/131.0.0.0`
    expect(long.length).toBeGreaterThan(512)
    const profile = profileFor(long)
    expect(profile.entry.id).toBe('blink')
    expect(profile.browser).toEqual({ name: 'Chrome', version: '131.0.0.0', engine: 'Blink' })
    expect(profile).toEqual(profileFor(long.slice(0, 512)))
  })

  it('parses a forged megabyte-long User-Agent from its first 512 characters', () => {
    const huge = `${FIREFOX_WINDOWS} ${'(; '.repeat(350_000)}`
    expect(huge.length).toBeGreaterThan(1_000_000)
    const profile = profileFor(huge)
    expect(profile.entry.id).toBe('gecko')
    expect(profile.browser.name).toBe('Firefox')
  })
})

describe('buildDatabase', () => {
  const custom = (id: string, match: BrowserEntry['match'], cookies: number): BrowserEntry => ({
    id,
    match,
    perCookie: 4000,
    cookies,
    responseHeadBytes: 32 * 1024,
    source: 'test',
  })

  it('is the built-in database when there are no user entries', () => {
    // The RFC 6265 fallback (it matches anything) always comes last.
    expect(buildDatabase()).toEqual([...BUILTIN_BROWSERS, RFC6265_MINIMUM])
    expect(buildDatabase([])).toEqual([...BUILTIN_BROWSERS, RFC6265_MINIMUM])
  })

  it('replaces a built-in entry with a user entry of the same id', () => {
    const blink = custom('blink', { engine: ['Blink'] }, 90)
    const database = buildDatabase([blink])
    expect(database).toHaveLength(BUILTIN_BROWSERS.length + 1)
    expect(database.filter((e) => e.id === 'blink')).toEqual([blink])
    expect(profileFor(CHROME_WINDOWS, database).entry).toBe(blink)
    expect(profileFor(EDGE_WINDOWS, database).entry).toBe(blink)
    // The other built-in entries are untouched.
    expect(profileFor(FIREFOX_WINDOWS, database).entry).toBe(entryById('gecko', BUILTIN_BROWSERS))
  })

  it('tries a new user entry before the built-in ones', () => {
    const chromeOnly = custom('chrome-only', { browser: ['Chrome'], minVersion: 120 }, 100)
    const database = buildDatabase([chromeOnly])
    expect(database).toHaveLength(BUILTIN_BROWSERS.length + 2)
    expect(database[0]).toBe(chromeOnly)
    expect(profileFor(CHROME_WINDOWS, database).entry).toBe(chromeOnly)
    // Edge is Blink but not named Chrome: it falls through to the built-in entry.
    expect(profileFor(EDGE_WINDOWS, database).entry.id).toBe('blink')
    expect(profileFor(FIREFOX_WINDOWS, database).entry.id).toBe('gecko')
  })

  it('lets the app override the RFC 6265 fallback, which stays last', () => {
    const stricter = { ...RFC6265_MINIMUM, cookies: 20, source: 'app' }
    const database = buildDatabase([stricter])
    expect(database.at(-1)).toBe(stricter)
    expect(profileFor('', database).entry).toBe(stricter)
    expect(profileFor('curl/8.5.0', database).entry).toBe(stricter)
    expect(profileFor(CHROME_WINDOWS, database).entry.id).toBe('blink')
    expect(entryById('rfc6265', database)).toBe(stricter)
  })

  it('falls back to the RFC 6265 minimums when no entry matches', () => {
    const database = [custom('only-gecko', { engine: ['Gecko'] }, 100)]
    expect(profileFor(CHROME_WINDOWS, database).entry).toBe(RFC6265_MINIMUM)
    expect(profileFor(FIREFOX_WINDOWS, database).entry.id).toBe('only-gecko')
  })
})

describe('entryById', () => {
  it('finds a built-in entry', () => {
    for (const entry of BUILTIN_BROWSERS) expect(entryById(entry.id, BUILTIN_BROWSERS)).toBe(entry)
  })

  it('always knows the RFC 6265 fallback, even in an empty database', () => {
    expect(entryById('rfc6265', [])).toBe(RFC6265_MINIMUM)
    expect(entryById('rfc6265', BUILTIN_BROWSERS)).toBe(RFC6265_MINIMUM)
  })

  it('returns undefined for an unknown id', () => {
    expect(entryById('netscape', BUILTIN_BROWSERS)).toBeUndefined()
    expect(entryById('blink', [])).toBeUndefined()
  })

  it('finds the user entry that replaced a built-in one', () => {
    const gecko: BrowserEntry = { ...RFC6265_MINIMUM, id: 'gecko', match: { engine: ['Gecko'] }, source: 'test' }
    expect(entryById('gecko', buildDatabase([gecko]))).toBe(gecko)
  })
})
