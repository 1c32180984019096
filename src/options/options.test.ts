import { resolveFronts } from './fronts.js'
import { describe, expect, it } from 'vitest'
import { SessionError } from '../errors.js'
import { BUILTIN_BROWSERS } from '../browsers/database.js'
import { resolveOptions, type CookiemanOptions } from './index.js'

const secret = 'options-test-secret-0123456789-abcdef'

function configMessage(options: unknown): string {
  try {
    resolveOptions(options as CookiemanOptions<object>, BUILTIN_BROWSERS)
  } catch (err) {
    expect(err).toBeInstanceOf(SessionError)
    expect((err as SessionError).code).toBe('ERR_SESSION_CONFIG')
    return (err as SessionError).message
  }
  throw new Error('expected ERR_SESSION_CONFIG')
}

describe('resolveOptions defaults', () => {
  it('fills the documented defaults', () => {
    const o = resolveOptions({ secret }, BUILTIN_BROWSERS)
    expect(o.secrets).toEqual([secret])
    expect(o.cookieName).toBe('session')
    expect(o.mode).toBe('encrypt')
    expect(o.compress).toBe(false)
    expect(o.maxAge).toBe(1_209_600)
    expect(o.cookie).toEqual({
      path: '/',
      domain: undefined,
      sameSite: 'lax',
      httpOnly: true,
      secure: true,
      partitioned: false,
      priority: undefined,
    })
    // A stock nginx, then next start: the nginx line, its 4 KiB response head, one cookie of headroom.
    expect(o.fronts.map((f) => f.id)).toEqual(['nginx', 'node'])
    expect(o.maxCookieHeaderBytes).toBe(8192)
    expect(o.maxResponseHeaderBytes).toBe(4095)
    expect(o.limitSources).toEqual({ cookieHeader: 'nginx', responseHead: 'nginx' })
    expect(o.reserveBytes).toBe(4097)
    expect(o.responseReserveBytes).toBe(1024)
    expect(o.maxInflatedBytes).toBe(262_144)
    expect(o.rolling).toBe(false)
    expect(o.defaults()).toEqual({})
  })

  it('leaves compression off by default in both modes (on only when asked)', () => {
    expect(resolveOptions({ secret, mode: 'sign' }, BUILTIN_BROWSERS).compress).toBe(false)
    expect(resolveOptions({ secret }, BUILTIN_BROWSERS).compress).toBe(false)
    expect(resolveOptions({ secret, mode: 'sign', compress: true }, BUILTIN_BROWSERS).compress).toBe(true)
    expect(resolveOptions({ secret, compress: true }, BUILTIN_BROWSERS).compress).toBe(true)
  })

  it('accepts several secrets and the maximum maxAge', () => {
    const o = resolveOptions(
      { secret: [secret, 'rotated-secret-9876543210-zyxwvutsrq'], maxAge: 34_560_000 },
      BUILTIN_BROWSERS,
    )
    expect(o.secrets).toHaveLength(2)
    expect(o.maxAge).toBe(34_560_000)
  })

  it('accepts a valid __Host- setup and a __Secure- one with a domain', () => {
    expect(resolveOptions({ secret, cookieName: '__Host-s' }, BUILTIN_BROWSERS).cookieName).toBe('__Host-s')
    expect(
      resolveOptions({ secret, cookieName: '__Secure-s', cookie: { domain: 'example.com' } }, BUILTIN_BROWSERS).cookie
        .domain,
    ).toBe('example.com')
  })
})

describe('resolveOptions refuses misuse with ERR_SESSION_CONFIG', () => {
  it.each([
    ['no options', undefined, 'needs an options object'],
    ['no secret', {}, 'option secret is required'],
    ['short secret', { secret: 'short' }, 'option secret is too weak: 5 characters, at least 32 needed'],
    ['31 characters', { secret: 'x'.repeat(31) }, 'too weak: 31 characters'],
    ['short rotated secret', { secret: [secret, 'y'.repeat(10)] }, 'option secret[1] is too weak: 10 characters'],
    ['empty secret list', { secret: [] }, 'option secret is required'],
    ['one character 32 times', { secret: 'a'.repeat(32) }, 'too weak: it repeats "a"'],
    ['32 spaces', { secret: ' '.repeat(32) }, 'too weak: it repeats " "'],
    ['few characters', { secret: 'abcabcabcabcabcabcabcabcabcabcabcX' }, 'too weak: it has only 4 distinct characters'],
    ['a repeated word', { secret: 'password'.repeat(4) }, 'too weak: it repeats "password"'],
    ['a repeated phrase', { secret: 'correct-horse-'.repeat(3) }, 'too weak: it repeats "correct-horse-"'],
    [
      'a placeholder',
      { secret: 'your-secret-key-at-least-32-chars' },
      'too weak: it looks like a placeholder (it contains "yoursecret")',
    ],
    [
      'a placeholder, rotated',
      { secret: [secret, 'CHANGE_ME_0123456789abcdefghijklmno'] },
      'option secret[1] is too weak',
    ],
    [
      'a chunk name',
      { secret, cookieName: 'session.1' },
      'ends like a chunk name (.N, .gone or .flash) of the cookie "session"',
    ],
    ['a marker name', { secret, cookieName: 'session.gone' }, 'ends like a chunk name'],
    ['unknown key', { secret, cookeName: 'x' }, 'unknown option cookeName'],
    ['unknown cookie key', { secret, cookie: { samesite: 'lax' } }, 'unknown option cookie.samesite'],
    ['unknown limits key', { secret, limits: { maxBytes: 1 } }, 'unknown option limits.maxBytes'],
    ['unknown mode', { secret, mode: 'plain' }, `option mode must be 'encrypt' or 'sign', got "plain"`],
    ['maxAge over 400 days', { secret, maxAge: 34_560_001 }, 'browsers cap cookies at 400 days (34560000 s)'],
    ['maxAge 0', { secret, maxAge: 0 }, 'option maxAge must be an integer >= 1, got 0'],
    ['fractional maxAge', { secret, maxAge: 1.5 }, 'option maxAge must be an integer >= 1, got 1.5'],
    ['bad cookie name', { secret, cookieName: 'a b' }, 'option cookieName must be an RFC 6265 token'],
    ['__Host- with domain', { secret, cookieName: '__Host-s', cookie: { domain: 'a.com' } }, 'forbids cookie.domain'],
    ['__Host- with path', { secret, cookieName: '__Host-s', cookie: { path: '/app' } }, `needs cookie.path '/'`],
    ['__Host- without Secure', { secret, cookieName: '__Host-s', cookie: { secure: false } }, 'needs cookie.secure'],
    [
      '__Secure- without Secure',
      { secret, cookieName: '__Secure-s', cookie: { secure: false } },
      'needs cookie.secure',
    ],
    [
      'SameSite=None without Secure',
      { secret, cookie: { sameSite: 'none', secure: false } },
      `'none' needs cookie.secure`,
    ],
    ['Partitioned without Secure', { secret, cookie: { partitioned: true, secure: false } }, 'partitioned needs'],
    ['unknown sameSite', { secret, cookie: { sameSite: 'loose' } }, `option cookie.sameSite must be 'lax'`],
    ['path without slash', { secret, cookie: { path: 'app' } }, 'option cookie.path must start with "/"'],
    ['path with ;', { secret, cookie: { path: '/a;b' } }, 'option cookie.path must start with "/"'],
    ['path over 1024 bytes', { secret, cookie: { path: '/' + 'p'.repeat(1024) } }, 'is 1025 bytes'],
    ['bad domain', { secret, cookie: { domain: 'exa mple.com' } }, 'option cookie.domain is not a valid domain'],
    ['reserve >= header', { secret, limits: { maxCookieHeaderBytes: 1024, reserveBytes: 1024 } }, 'must be smaller'],
    [
      'tiny header budget',
      { secret, limits: { maxCookieHeaderBytes: 100 } },
      'maxCookieHeaderBytes must be an integer >= 256',
    ],
    ['non-boolean httpOnly', { secret, cookie: { httpOnly: 'yes' } }, 'option cookie.httpOnly must be a boolean'],
    ['defaults not a function', { secret, defaults: {} }, 'option defaults must be a function'],
    ['new browser entry without limits', { secret, limits: { browsers: { kiosk: { match: {} } } } }, 'perCookie'],
    [
      'new browser entry without match',
      { secret, limits: { browsers: { kiosk: { perCookie: 4096, cookies: 50, responseHeadBytes: 65536 } } } },
      'match is required',
    ],
    [
      'unknown entry key',
      { secret, limits: { browsers: { blink: { perCokie: 1 } } } },
      'unknown option limits.browsers.blink.perCokie',
    ],
    [
      'unknown match key',
      {
        secret,
        limits: {
          browsers: { kiosk: { match: { browsers: ['K'] }, perCookie: 4096, cookies: 50, responseHeadBytes: 65536 } },
        },
      },
      'unknown option limits.browsers.kiosk.match.browsers',
    ],
    [
      'empty match',
      {
        secret,
        limits: { browsers: { kiosk: { match: {}, perCookie: 4096, cookies: 50, responseHeadBytes: 65536 } } },
      },
      'must name an engine, browser or OS',
    ],
    [
      'match engine not an array',
      { secret, limits: { browsers: { blink: { match: { engine: 'Blink' } } } } },
      'match.engine must be a non-empty array',
    ],
    ['path with <', { secret, cookie: { path: '/a<b' } }, 'option cookie.path must start with "/"'],
    [
      'lower-case __host- without Secure',
      { secret, cookieName: '__host-s', cookie: { secure: false } },
      'needs cookie.secure',
    ],
    [
      'upper-case __HOST- with a domain',
      { secret, cookieName: '__HOST-s', cookie: { domain: 'a.com' } },
      'forbids cookie.domain',
    ],
    ['a 257-character name', { secret, cookieName: 'n'.repeat(257) }, 'keep it under 256'],
    [
      'defaults not returning an object',
      { secret, defaults: () => null },
      'option defaults must return a plain object, got null',
    ],
  ])('%s', (_name, options, message) => {
    expect(configMessage(options)).toContain(message)
  })
})

describe('browser overrides', () => {
  it('overrides the numbers of the RFC 6265 fallback', () => {
    const o = resolveOptions({ secret, limits: { browsers: { rfc6265: { cookies: 20 } } } }, BUILTIN_BROWSERS)
    expect(o.browsers[0]).toMatchObject({ id: 'rfc6265', cookies: 20, perCookie: 4096, match: {} })
  })

  it('merges a partial override of a built-in entry', () => {
    const o = resolveOptions({ secret, limits: { browsers: { blink: { cookies: 150 } } } }, BUILTIN_BROWSERS)
    expect(o.browsers).toHaveLength(1)
    expect(o.browsers[0]).toMatchObject({ id: 'blink', cookies: 150, perCookie: 4096, partitionBytes: 10240 })
  })

  it('adds a complete new entry with a default source', () => {
    const o = resolveOptions(
      {
        secret,
        limits: {
          browsers: {
            kiosk: { match: { browser: ['Kiosk'] }, perCookie: 2048, cookies: 20, responseHeadBytes: 32768 },
          },
        },
      },
      BUILTIN_BROWSERS,
    )
    expect(o.browsers[0]).toEqual({
      id: 'kiosk',
      match: { browser: ['Kiosk'] },
      perCookie: 2048,
      cookies: 20,
      responseHeadBytes: 32768,
      source: 'limits.browsers.kiosk (app configuration)',
    })
  })
})

describe('limits.fronts', () => {
  const ids = (o: { fronts: readonly { id: string }[] }) => o.fronts.map((f) => f.id)

  it.each([
    // fronts, Cookie line, its source, response head, its source, reserve
    [['haproxy'], 15360 - 2048, 'haproxy', 15280, 'haproxy', 4097],
    [['apache'], 8192, 'apache', 65291, 'apache', 4097],
    [['caddy'], 16384 - 2048, 'node', undefined, undefined, 4097],
    [['node'], 16384 - 2048, 'node', undefined, undefined, 4097],
    [['nginx', 'haproxy'], 8192, 'nginx', 4095, 'nginx', 4097],
    [['vercel'], 16384, 'vercel', undefined, undefined, 4097],
    [['cloudfront'], 20480 - 2048, 'cloudfront', undefined, undefined, 4097],
  ] as const)(
    '%j: line %i (%s), response head %s (%s), reserve %i',
    (fronts, line, lineFrom, head, headFrom, reserve) => {
      const o = resolveOptions({ secret, limits: { fronts } }, BUILTIN_BROWSERS)
      expect(o.maxCookieHeaderBytes).toBe(line)
      expect(o.maxResponseHeaderBytes).toBe(head)
      expect(o.limitSources).toEqual({ cookieHeader: lineFrom, responseHead: headFrom })
      expect(o.reserveBytes).toBe(reserve)
    },
  )

  it('adds next start behind servers, not behind a platform', () => {
    expect(ids(resolveOptions({ secret, limits: { fronts: ['haproxy'] } }, BUILTIN_BROWSERS))).toEqual([
      'haproxy',
      'node',
    ])
    expect(ids(resolveOptions({ secret, limits: { fronts: ['vercel'] } }, BUILTIN_BROWSERS))).toEqual(['vercel'])
  })

  it('recognizes a platform from the environment when no front is named', () => {
    expect(ids(resolveFronts({}, { VERCEL: '1' }))).toEqual(['vercel'])
    expect(ids(resolveFronts({}, { VERCEL: '' }))).toEqual(['nginx', 'node'])
    expect(ids(resolveFronts({ fronts: ['nginx'] }, { VERCEL: '1' }))).toEqual(['nginx', 'node'])
  })

  it('takes an entry of the app: a raised nginx, and a front of its own', () => {
    const raised = resolveOptions(
      { secret, limits: { fronts: [{ id: 'nginx', responseHeadBytes: 16384, cookieLineBytes: 16384 }] } },
      BUILTIN_BROWSERS,
    )
    expect(raised.maxResponseHeaderBytes).toBe(16384)
    expect(raised.maxCookieHeaderBytes).toBe(16384 - 2048) // next start behind it
    expect(raised.limitSources).toEqual({ cookieHeader: 'node', responseHead: 'nginx' })
    const own = resolveOptions(
      { secret, limits: { fronts: [{ id: 'edge-lb', cookieLineBytes: 12000, responseHeadBytes: 8000 }] } },
      BUILTIN_BROWSERS,
    )
    expect(own.fronts[0]).toMatchObject({
      id: 'edge-lb',
      kind: 'server',
      source: 'limits.fronts[0] (app configuration)',
    })
    expect(own.maxCookieHeaderBytes).toBe(12000)
    expect(own.maxResponseHeaderBytes).toBe(8000)
  })

  it('a key given as undefined keeps the built-in limit; a source given is kept', () => {
    const o = resolveOptions(
      // Plain JavaScript can pass an undefined the types refuse.
      {
        secret,
        limits: { fronts: [{ id: 'nginx', responseHeadBytes: undefined, source: 'our nginx.conf' } as never] },
      },
      BUILTIN_BROWSERS,
    )
    expect(o.maxResponseHeaderBytes).toBe(4095)
    expect(o.fronts[0]!.source).toBe('our nginx.conf')
  })

  it('numbers given by the app win over the fronts', () => {
    const o = resolveOptions(
      { secret, limits: { maxCookieHeaderBytes: 16384, maxResponseHeaderBytes: 16384 } },
      BUILTIN_BROWSERS,
    )
    expect(o.maxCookieHeaderBytes).toBe(16384)
    expect(o.maxResponseHeaderBytes).toBe(16384)
    expect(o.limitSources).toEqual({ cookieHeader: 'option', responseHead: 'option' })
    expect(o.reserveBytes).toBe(4097)
  })

  it.each([
    [{ fronts: [] }, 'option limits.fronts must be a non-empty array'],
    [{ fronts: ['ngnix'] }, 'option limits.fronts[0] names no known front: "ngnix"'],
    [{ fronts: [{ id: 'mine' }] }, 'option limits.fronts[0].cookieLineBytes is required'],
    [{ fronts: [{ id: 'nginx', bufsize: 1 }] }, 'unknown option limits.fronts[0].bufsize'],
    [
      { fronts: [{ id: 'nginx', responseHeadBytes: 100 }] },
      'option limits.fronts[0].responseHeadBytes must be an integer >= 1024',
    ],
    [{ maxResponseHeaderBytes: 1000 }, 'option limits.maxResponseHeaderBytes must be an integer >= 1024'],
    [{ fronts: [{ id: 'nginx', kind: 'bogus' }] }, "option limits.fronts[0].kind must be 'server' or 'platform'"],
    [{ fronts: [{ id: 'nginx', raise: 42 }] }, 'option limits.fronts[0].raise must be a string'],
    [
      { responseReserveBytes: 4095 },
      'option limits.responseReserveBytes (4095) must be smaller than the response head limit (4095, from front nginx)',
    ],
  ])('refuses %j', (limits, message) => {
    expect(() => resolveOptions({ secret, limits: limits as never }, BUILTIN_BROWSERS)).toThrow(message)
  })
})
