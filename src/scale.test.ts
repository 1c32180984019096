// Huge inputs are handled in linear time: a 1 MB Cookie header, 10,000 session.N cookies. Compared
// with 4× the input, a linear algorithm takes ~4× the time; the bound (10×) catches anything
// quadratic (16×) without being a speed target (those live in bench/).
import { describe, expect, it } from 'vitest'
import { createCookieman } from './create.js'
import { CHROME_UA, SECRET } from './test-support/jar.js'

const cm = createCookieman<Record<string, unknown>>({ secret: SECRET, onError: () => {} })
// Reached directly: no front limits the response head, so the per-host count caps the deletions.
const direct = createCookieman<Record<string, unknown>>({
  secret: SECRET,
  onError: () => {},
  limits: { fronts: ['node'] },
})
const headOf = (lines: readonly string[]) => lines.reduce((n, line) => n + 'Set-Cookie: '.length + line.length + 2, 0)

async function median(run: () => Promise<unknown>): Promise<number> {
  const times: number[] = []
  for (let i = 0; i < 5; i++) {
    const t = performance.now()
    await run()
    times.push(performance.now() - t)
  }
  return times.sort((a, b) => a - b)[2]!
}

function otherCookies(bytes: number): string {
  const pairs: string[] = []
  let size = 0
  for (let i = 0; size < bytes; i++) {
    const pair = `c${i}=${'v'.repeat(90)}`
    pairs.push(pair)
    size += pair.length + 2
  }
  return pairs.join('; ')
}

function chunks(count: number): string {
  // A first chunk in our format (kid, iat, exp, z, then the JWE's empty key and IV), so the whole
  // joined payload goes through the canonical checks and AES-GCM before it is refused.
  const pairs = [`session=v1.${Math.min(count, 9999)}.abcd.tp4hdz.tpuepz.0..AAAAAAAAAAAAAAAA.${'A'.repeat(100)}`]
  for (let i = 1; i < count; i++) pairs.push(`session.${i}=${'B'.repeat(100)}`)
  return pairs.join('; ')
}

describe('linear time on huge headers', () => {
  it('a 1 MB Cookie header of other cookies (and 4 MB): decode and encode', async () => {
    const h1 = new Headers({ cookie: otherCookies(1 << 20), 'user-agent': CHROME_UA })
    const h4 = new Headers({ cookie: otherCookies(4 << 20), 'user-agent': CHROME_UA })
    const roundTrip = (h: Headers) => async () => {
      const s = await cm.decodeSession(h)
      s.data['x'] = 1
      const { report } = await cm.encodeSession(s, h)
      // Those cookies ate the whole budget: nothing of ours fits, nothing is written.
      expect(report.error?.code).toBe('ERR_SESSION_TOO_LARGE')
    }
    await roundTrip(h1)() // warm-up
    const t1 = await median(roundTrip(h1))
    const t4 = await median(roundTrip(h4))
    expect(t4 / t1).toBeLessThan(10)
  })

  it('10,000 session.N cookies (and 40,000): decode fails closed, encode deletes at most the per-host count, within the response head', async () => {
    const h10 = new Headers({ cookie: chunks(10_000), 'user-agent': CHROME_UA })
    const h40 = new Headers({ cookie: chunks(40_000), 'user-agent': CHROME_UA })
    // Behind the default stock nginx: as many deletions as 4,096 - 1,024 bytes of head hold.
    const s = await cm.decodeSession(h10)
    const behindNginx = await cm.encodeSession(s, h10)
    expect(headOf(behindNginx.setCookie)).toBeLessThanOrEqual(4095 - 1024)
    expect(
      headOf(behindNginx.setCookie) + 'Set-Cookie: '.length + behindNginx.setCookie[0]!.length + 2,
    ).toBeGreaterThan(4095 - 1024)
    expect(behindNginx.setCookie).toHaveLength(26)
    const run = (h: Headers) => async () => {
      const s = await direct.decodeSession(h)
      expect(s.error?.code).toBe('ERR_SESSION_TAMPERED')
      const { setCookie } = await direct.encodeSession(s, h)
      expect(setCookie.length).toBe(180)
    }
    await run(h10)()
    const t10 = await median(run(h10))
    const t40 = await median(run(h40))
    expect(t40 / t10).toBeLessThan(10)
  })
})
