import { describe, expect, it } from 'vitest'
import { BUILTIN_FRONTS, frontById, frontsFromEnvironment, type FrontEntry } from './database.js'

const SERVERS = ['nginx', 'apache', 'haproxy', 'caddy', 'node']
const PLATFORMS = ['vercel', 'netlify', 'cloudflare', 'aws-alb', 'cloudfront']

function numbers(entry: FrontEntry): number[] {
  return [entry.cookieLineBytes, entry.requestHeadBytes, entry.responseHeadBytes].filter(
    (n): n is number => n !== undefined,
  )
}

describe('BUILTIN_FRONTS', () => {
  it('lists the servers first, then the platforms, with unique ids', () => {
    const ids = BUILTIN_FRONTS.map((e) => e.id)
    expect(new Set(ids).size).toBe(ids.length)
    expect(ids.slice(0, SERVERS.length)).toEqual(SERVERS)
    for (const id of PLATFORMS) expect(ids).toContain(id)
    const firstPlatform = BUILTIN_FRONTS.findIndex((e) => e.kind === 'platform')
    expect(BUILTIN_FRONTS.slice(0, firstPlatform).every((e) => e.kind === 'server')).toBe(true)
    expect(BUILTIN_FRONTS.slice(firstPlatform).every((e) => e.kind === 'platform')).toBe(true)
    for (const id of SERVERS) expect(frontById(id)?.kind).toBe('server')
    for (const id of PLATFORMS) expect(frontById(id)?.kind).toBe('platform')
  })

  it('gives every entry a name, a source and a way to raise it', () => {
    for (const entry of BUILTIN_FRONTS) {
      expect(entry.name.trim(), entry.id).not.toBe('')
      expect(entry.source.trim(), entry.id).not.toBe('')
      expect(entry.raise.trim(), entry.id).not.toBe('')
    }
  })

  it('holds only whole byte counts of at least 1 KiB', () => {
    for (const entry of BUILTIN_FRONTS) {
      for (const n of numbers(entry)) {
        expect(Number.isInteger(n), entry.id).toBe(true)
        expect(n, entry.id).toBeGreaterThanOrEqual(1024)
      }
    }
  })

  it('never lets a Cookie line through that the whole head would refuse', () => {
    for (const entry of BUILTIN_FRONTS) {
      if (entry.requestHeadBytes !== undefined) {
        expect(entry.cookieLineBytes, entry.id).toBeLessThanOrEqual(entry.requestHeadBytes)
      }
    }
  })

  it('gives environment variables to platforms only, and none that is empty', () => {
    for (const entry of BUILTIN_FRONTS) {
      if (entry.env === undefined) continue
      expect(entry.kind, entry.id).toBe('platform')
      expect(entry.env.length, entry.id).toBeGreaterThan(0)
      for (const name of entry.env) expect(name, entry.id).toMatch(/^[A-Z][A-Z0-9_]*$/)
    }
    expect(frontById('aws-alb')?.env).toBeUndefined()
    expect(frontById('cloudfront')?.env).toBeUndefined()
  })

  it('holds the measured stock limits of the Debian servers', () => {
    expect(frontById('nginx')).toMatchObject({
      cookieLineBytes: 8192,
      requestHeadBytes: 32768,
      responseHeadBytes: 4095,
    })
    expect(frontById('apache')?.cookieLineBytes).toBe(8192)
    expect(frontById('apache')?.requestHeadBytes).toBeUndefined()
    expect(frontById('apache')?.responseHeadBytes).toBe(65291)
    expect(frontById('haproxy')).toMatchObject({
      cookieLineBytes: 15360,
      requestHeadBytes: 15360,
      responseHeadBytes: 15280,
    })
    expect(frontById('node')).toMatchObject({ cookieLineBytes: 16384, requestHeadBytes: 16384 })
    expect(frontById('node')?.responseHeadBytes).toBeUndefined()
    expect(frontById('caddy')?.responseHeadBytes).toBeUndefined()
  })
})

describe('frontById', () => {
  it('finds every built-in entry', () => {
    for (const entry of BUILTIN_FRONTS) expect(frontById(entry.id)).toBe(entry)
  })

  it('returns undefined for an unknown id', () => {
    expect(frontById('lighttpd')).toBeUndefined()
    expect(frontById('')).toBeUndefined()
    expect(frontById('NGINX')).toBeUndefined()
  })

  it('searches the table it is given', () => {
    const custom: FrontEntry = {
      id: 'nginx',
      name: 'nginx (raised)',
      kind: 'server',
      cookieLineBytes: 16384,
      source: 'test',
      raise: 'test',
    }
    expect(frontById('nginx', [custom])).toBe(custom)
    expect(frontById('vercel', [custom])).toBeUndefined()
    expect(frontById('nginx', [])).toBeUndefined()
  })
})

describe('frontsFromEnvironment', () => {
  it('recognizes Vercel by VERCEL', () => {
    expect(frontsFromEnvironment({ VERCEL: '1' })).toEqual([frontById('vercel')])
  })

  it('recognizes Cloudflare Pages by CF_PAGES', () => {
    expect(frontsFromEnvironment({ CF_PAGES: '1' })).toEqual([frontById('cloudflare')])
  })

  it('finds nothing in an empty or unrelated environment', () => {
    expect(frontsFromEnvironment({})).toEqual([])
    expect(frontsFromEnvironment({ PATH: '/usr/bin', NODE_ENV: 'production', HOSTNAME: 'web-1' })).toEqual([])
  })

  it('does not count empty or undefined values', () => {
    expect(frontsFromEnvironment({ VERCEL: '' })).toEqual([])
    expect(frontsFromEnvironment({ VERCEL: undefined, CF_PAGES: '' })).toEqual([])
  })

  it('returns every matching platform in table order', () => {
    const found = frontsFromEnvironment({ CF_PAGES: '1', VERCEL: '1' })
    expect(found.map((e) => e.id)).toEqual(['vercel', 'cloudflare'])
  })

  it('matches each platform by every variable it lists, and only platforms', () => {
    for (const entry of BUILTIN_FRONTS) {
      for (const name of entry.env ?? []) {
        expect(frontsFromEnvironment({ [name]: 'x' })[0], name).toBe(entry)
      }
    }
    for (const found of frontsFromEnvironment(
      Object.fromEntries(BUILTIN_FRONTS.flatMap((e) => (e.env ?? []).map((n) => [n, '1']))),
    )) {
      expect(found.kind).toBe('platform')
    }
  })
})
