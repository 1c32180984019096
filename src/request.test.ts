import { describe, expect, it } from 'vitest'
import { cookiePairs, readRequest, rebuildCookieHeader, trustedCookieHeader, withCookieHeader } from './request.js'

describe('cookiePairs', () => {
  it.each([
    [
      'a=1; b=2',
      [
        ['a', 'a=1'],
        ['b', 'b=2'],
      ],
    ],
    [
      'a=1;b=2;;  c',
      [
        ['a', 'a=1'],
        ['b', 'b=2'],
        ['c', 'c'],
      ],
    ],
    ['  session = x=y ', [['session', 'session = x=y']]],
    ['', []],
  ])('%j', (header, expected) => {
    expect(cookiePairs(header).map(({ name, pair }) => [name, pair])).toEqual(expected)
  })
})

describe('readRequest', () => {
  it('parses the header once per headers object and cookie name', () => {
    const headers = new Headers({ cookie: 'session=v1.2.ab; session.1=cd; theme=dark; session.9=x' })
    const first = readRequest(headers, 'session')
    expect(readRequest(headers, 'session')).toBe(first)
    expect(readRequest(headers, 'other')).not.toBe(first)
    expect(first.chunks.names).toEqual(['session', 'session.1', 'session.9'])
    expect(first.others).toEqual({ count: 1, bytes: 'theme=dark; '.length })
  })

  it('reads again when the Cookie header of the same object changed', () => {
    const headers = new Headers({ cookie: 'session=a' })
    const first = readRequest(headers, 'session')
    headers.set('cookie', 'session=b')
    expect(readRequest(headers, 'session')).not.toBe(first)
    expect(readRequest(headers, 'session').chunks.first).toBe('b')
  })

  it('keeps values as sent (first duplicate wins, no percent-decoding) and counts duplicates as others', () => {
    const r = readRequest(new Headers({ cookie: 'session=%41; session=second; x=1' }), 'session')
    expect(r.chunks.first).toBe('%41')
    expect(r.others).toEqual({ count: 2, bytes: 'session=second; '.length + 'x=1; '.length })
  })
})

describe('rebuildCookieHeader', () => {
  it('keeps the accepted pairs as sent and in order, then appends', () => {
    const raw = 'a=1;session=old;  b = 2 ;session.1=x'
    expect(rebuildCookieHeader(raw, (n) => !n.startsWith('session'), ['session=new'])).toBe('a=1; b = 2; session=new')
    expect(rebuildCookieHeader('', () => true, [])).toBe('')
  })
})

describe('trustedCookieHeader: the one rule every reader follows', () => {
  const raw = 'theme=dark; session=v1.1.sent; lang=en'

  it('is the request header when nothing was written earlier in the request', () => {
    expect(trustedCookieHeader(raw)).toBe(raw)
    expect(trustedCookieHeader(raw, [])).toBe(raw)
  })

  it('lays the writes over the request header: replaced in place, new names first, the rest as sent', () => {
    const written = [
      { name: 'session', value: 'v1.2.new' },
      { name: 'session.1', value: 'part' },
      { name: 'theme', value: 'light' },
    ]
    expect(trustedCookieHeader(raw, written)).toBe('session.1=part; theme=light; session=v1.2.new; lang=en')
  })

  it('drops deleted cookies (empty values), and a later write of a name wins over an earlier one', () => {
    expect(trustedCookieHeader(raw, [{ name: 'session', value: '' }])).toBe('theme=dark; lang=en')
    const twice = [
      { name: 'session', value: '' },
      { name: 'session', value: 'v1.1.again' },
    ]
    expect(trustedCookieHeader(raw, twice)).toBe('theme=dark; session=v1.1.again; lang=en')
  })

  it('replaces only the first of two same-name cookies: the later one (another Path) is still sent', () => {
    const header = 'session=v1.1.ours; theme=dark; session=v1.1.other-path'
    const view = trustedCookieHeader(header, [
      { name: 'session', value: 'v1.2.new' },
      { name: 'session.1', value: 'part' },
    ])
    expect(view).toBe('session.1=part; session=v1.2.new; theme=dark; session=v1.1.other-path')
    const request = readRequest(new Headers({ cookie: view }), 'session')
    expect(request.chunks.first).toBe('v1.2.new')
    expect(request.others).toEqual({ count: 2, bytes: 'theme=dark; '.length + 'session=v1.1.other-path; '.length })
    // Deleting removes the first only: the other Path's copy is what the browser sends next.
    expect(trustedCookieHeader(header, [{ name: 'session', value: '' }])).toBe('theme=dark; session=v1.1.other-path')
  })

  it('takes values exactly as written and as sent: nothing is percent-decoded', () => {
    const header = 'session=v1.1.a%2Db; x=%41'
    expect(trustedCookieHeader(header, [{ name: 'x', value: '%42' }])).toBe('session=v1.1.a%2Db; x=%42')
    expect(
      readRequest(new Headers({ cookie: trustedCookieHeader(header, [{ name: 'x', value: '1' }]) }), 'session').chunks
        .first,
    ).toBe('v1.1.a%2Db')
  })
})

describe('withCookieHeader', () => {
  it('replaces only the Cookie header, whatever the case of the name asked', () => {
    const view = withCookieHeader(new Headers({ cookie: 'a=1', 'user-agent': 'UA' }), 'b=2')
    expect([view.get('cookie'), view.get('Cookie'), view.get('user-agent')]).toEqual(['b=2', 'b=2', 'UA'])
    expect(view.get('constructor')).toBeNull()
  })
})
