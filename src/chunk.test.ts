import { describe, expect, it } from 'vitest'
import { assemble, chunkHeader, chunkName, chunkPattern, collectChunks, headerCount, split } from './chunk.js'

describe('chunk names', () => {
  it.each([
    ['session', true],
    ['session.1', true],
    ['session.42', true],
    ['session.0', false],
    ['session.01', false],
    ['session.x', false],
    ['session-id', false],
    ['session.1.2', false],
    ['sessions', false],
    ['xsession', false],
    ['Session', false],
    ['session.', false],
  ])('%s is ours: %s', (name, ours) => {
    expect(chunkPattern('session').test(name)).toBe(ours)
  })

  it('escapes regex characters in the base name', () => {
    const p = chunkPattern('a.b+c')
    expect(p.test('a.b+c.3')).toBe(true)
    expect(p.test('aXb+c')).toBe(false)
    expect(p.test('a.bbc')).toBe(false)
  })

  it('names chunk 0 NAME and chunk k NAME.k', () => {
    expect([0, 1, 10].map((i) => chunkName('s', i))).toEqual(['s', 's.1', 's.10'])
  })
})

describe('collectChunks', () => {
  it('lists ours in numeric order, NAME first, and ignores the rest', () => {
    const c = collectChunks(
      { 'session.10': 'j', other: 'o', 'session.2': 'b', session: 'a', 'session.1': 'x', 'session-id': 'z' },
      'session',
    )
    expect(c.names).toEqual(['session', 'session.1', 'session.2', 'session.10'])
    expect(c.first).toBe('a')
    expect([...c.numbered]).toEqual([
      [10, 'j'],
      [2, 'b'],
      [1, 'x'],
    ])
  })
})

describe('header and assemble', () => {
  it('writes v1.<count>.', () => {
    expect(chunkHeader(1)).toBe('v1.1.')
    expect(chunkHeader(12)).toBe('v1.12.')
    expect(headerCount('v1.12.abc')).toBe(12)
    expect(headerCount('v1.0.abc')).toBeUndefined()
    expect(headerCount('v2.1.abc')).toBeUndefined()
  })

  it('splits by plain slicing, the first chunk carrying the header, and joins back', () => {
    const values = split('abcdefghijklmnop', [10, 6, 6])
    expect(values).toEqual(['v1.3.abcde', 'fghijk', 'lmnop'])
    const c = collectChunks({ s: values[0], 's.1': values[1], 's.2': values[2] }, 's')
    expect(assemble(c)).toEqual({ ok: true, count: 3, payload: 'abcdefghijklmnop' })
  })

  it('refuses capacities that do not cover the payload', () => {
    expect(() => split('abcdefghij', [8, 2])).toThrow(RangeError)
  })

  it('ignores stale chunks past the count', () => {
    const c = collectChunks({ s: 'v1.2.ab', 's.1': 'cd', 's.2': 'stale', 's.7': 'old' }, 's')
    expect(assemble(c)).toEqual({ ok: true, count: 2, payload: 'abcd' })
  })

  it.each([
    [{ 's.1': 'x' }, 'missing'],
    [{ s: 'v1.3.ab', 's.1': 'cd' }, 'missing'],
    [{ s: 'v1.3.ab', 's.1': 'cd', 's.3': 'ef' }, 'missing'],
    [{ s: 'v1.9999.ab', 's.1': 'cd' }, 'missing'],
    [{ s: 'hello' }, 'malformed'],
    [{ s: 'v1.x.ab' }, 'malformed'],
    [{ s: 'v1.10000.ab' }, 'malformed'],
  ])('%o → %s', (cookies, reason) => {
    expect(assemble(collectChunks(cookies, 's'))).toEqual({ ok: false, reason })
  })
})
