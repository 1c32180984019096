import { parseSetCookie } from 'cookie'

/** A minimal browser cookie jar for one host and path: enough to replay commits in tests. */
export class Jar {
  readonly cookies = new Map<string, string>()
  userAgent: string

  constructor(userAgent = '', initial: Record<string, string> = {}) {
    this.userAgent = userAgent
    for (const [name, value] of Object.entries(initial)) this.cookies.set(name, value)
  }

  /** Applies Set-Cookie values as a browser does: Max-Age <= 0 deletes. */
  apply(setCookie: readonly string[]): this {
    for (const line of setCookie) {
      const c = parseSetCookie(line, { decode: (v) => v })
      if (c.maxAge !== undefined && c.maxAge <= 0) this.cookies.delete(c.name)
      else this.cookies.set(c.name, c.value ?? '')
    }
    return this
  }

  header(): string {
    return [...this.cookies].map(([n, v]) => `${n}=${v}`).join('; ')
  }

  headers(extra: Record<string, string> = {}): Headers {
    const h = new Headers(extra)
    if (this.userAgent !== '') h.set('user-agent', this.userAgent)
    const cookie = this.header()
    if (cookie !== '') h.set('cookie', cookie)
    return h
  }

  names(): string[] {
    return [...this.cookies.keys()]
  }
}

export const CHROME_UA =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/156.0.0.0 Safari/537.36'
export const FIREFOX_UA = 'Mozilla/5.0 (X11; Linux x86_64; rv:153.0) Gecko/20100101 Firefox/153.0'
export const SAFARI_UA =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Safari/605.1.15'
export const IE11_UA = 'Mozilla/5.0 (Windows NT 10.0; WOW64; Trident/7.0; rv:11.0) like Gecko'

export const SECRET = 'test-secret-0123456789-abcdefghij-0123'
export const SECRET2 = 'second-secret-0123456789-abcdefghij-01'

/**
 * The limits the chunk and engine tests are written for: the app reached directly on `next start`
 * (`node`), an 8 KiB Cookie line and 512 bytes of reserve, so sessions span several chunks. The
 * default fronts (a stock nginx: 4 KiB of response head) hold one chunk; their tests say so.
 */
export const DIRECT = { fronts: ['node'], maxCookieHeaderBytes: 8192, reserveBytes: 512 } as const
