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

  it('is the request header when no store is consulted', () => {
    expect(trustedCookieHeader(raw, 'session')).toBe(raw)
  })

  it('is the request header when the store holds the same chunks', () => {
    const stored = [
      { name: 'theme', value: 'dark' },
      { name: 'session', value: 'v1.1.sent' },
    ]
    expect(trustedCookieHeader(raw, 'session', stored)).toBe(raw)
  })

  it('takes ours from the store when a write of this request changed them, the others as sent', () => {
    const stored = [
      { name: 'theme', value: 'changed-by-store' },
      { name: 'session', value: 'v1.2.new' },
      { name: 'session.1', value: 'part' },
    ]
    expect(trustedCookieHeader(raw, 'session', stored)).toBe('session=v1.2.new; session.1=part; theme=dark; lang=en')
  })

  it('drops chunks the store holds as deleted (empty values)', () => {
    const stored = [{ name: 'session', value: '' }]
    expect(trustedCookieHeader(raw, 'session', stored)).toBe('theme=dark; lang=en')
  })

  it('keeps a later duplicate of our name as someone else’s cookie, and Next’s last-wins store is no change', () => {
    const twice = 'session=v1.1.ours; theme=dark; session=v1.1.other-path'
    // Next's store keeps the last duplicate: that is what the request sent, not a write.
    expect(trustedCookieHeader(twice, 'session', [{ name: 'session', value: 'v1.1.other-path' }])).toBe(twice)
    // A write of this request: ours from the store, the other Path's duplicate still counted.
    const written = [
      { name: 'session', value: 'v1.2.new' },
      { name: 'session.1', value: 'part' },
    ]
    const header = trustedCookieHeader(twice, 'session', written)
    expect(header).toBe('session=v1.2.new; session.1=part; theme=dark; session=v1.1.other-path')
    const request = readRequest(new Headers({ cookie: header }), 'session')
    expect(request.chunks.first).toBe('v1.2.new')
    expect(request.others).toEqual({ count: 2, bytes: 'theme=dark; '.length + 'session=v1.1.other-path; '.length })
  })

  it('reads the first of two same-name chunks in the request, like every reader', () => {
    const twice = 'session=v1.1.first; session=v1.1.second'
    expect(trustedCookieHeader(twice, 'session', [{ name: 'session', value: 'v1.1.first' }])).toBe(twice)
  })
})

describe('withCookieHeader', () => {
  it('replaces only the Cookie header, whatever the case of the name asked', () => {
    const view = withCookieHeader(new Headers({ cookie: 'a=1', 'user-agent': 'UA' }), 'b=2')
    expect([view.get('cookie'), view.get('Cookie'), view.get('user-agent')]).toEqual(['b=2', 'b=2', 'UA'])
    expect(view.get('constructor')).toBeNull()
  })
})
