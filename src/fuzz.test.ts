// Fuzzing decodeSession with random and mutated Cookie headers. CI runs FUZZ_CASES (default 20,000);
// `npm run fuzz` runs 1,000,000. Deterministic for a FUZZ_SEED. Never a throw; a header whose
// effective chunks differ from a valid session's never yields a non-new session; memory stays bounded.
import { parse } from 'cookie'
import { beforeAll, describe, expect, it } from 'vitest'
import { collectChunks, headerCount } from './chunk.js'
import { createCookieman } from './create.js'
import type { SessionErrorCode } from './errors.js'
import { CHROME_UA, Jar, SECRET, SECRET2 } from './test-support/jar.js'

const CASES = Number(process.env['FUZZ_CASES'] ?? 20_000)
const SEED = Number(process.env['FUZZ_SEED'] ?? 0x5eed)

type Data = Record<string, unknown>

/** mulberry32: a small seeded PRNG, so a failing case can be replayed. */
function prng(seed: number) {
  let a = seed >>> 0
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  return {
    next,
    int: (n: number) => Math.floor(next() * n),
    pick: <T>(list: readonly T[]) => list[Math.floor(next() * list.length)]!,
  }
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.'
// Bytes a Cookie header can carry through Headers (ByteString): ASCII and Latin-1, no controls.
const NOISE = B64 + ' =;"\\,%éÿ\u00a0\u0080'

interface Sample {
  cookies: Array<[string, string]>
  data: Data
}

const errors: SessionErrorCode[] = []
const cm = createCookieman<Data>({
  secret: SECRET,
  onError: (e) => errors.push(e.code),
  limits: { maxCookieHeaderBytes: 65536 },
})
const signer = createCookieman<Data>({ secret: SECRET, mode: 'sign', limits: { maxCookieHeaderBytes: 65536 } })
const foreign = createCookieman<Data>({ secret: SECRET2, limits: { maxCookieHeaderBytes: 65536 } })
const samples: Sample[] = []

async function sample(maker: typeof cm, data: Data): Promise<Sample> {
  const jar = new Jar(CHROME_UA)
  const s = await maker.decodeSession(jar.headers())
  Object.assign(s.data, data)
  jar.apply((await maker.encodeSession(s, jar.headers())).setCookie)
  return { cookies: [...jar.cookies], data: JSON.parse(JSON.stringify(s.data)) as Data }
}

beforeAll(async () => {
  const list = (n: number) => Array.from({ length: n }, (_, i) => `item-${i}-${'x'.repeat(i % 7)}`)
  for (const data of [
    { a: 1 },
    { list: list(300) },
    { list: list(700), n: 'ü' },
    { deep: { k: [1, 2, { z: null }] } },
  ]) {
    samples.push(await sample(cm, data))
  }
  // Valid tokens the reader must still refuse: another secret, another mode.
  samples.push(await sample(foreign, { list: list(200) }))
  samples.push(await sample(signer, { list: list(200) }))
})

const header = (pairs: Array<[string, string]>) => pairs.map(([n, v]) => `${n}=${v}`).join('; ')

/** Our chunks as the reader sees them: first occurrence of each name, those the header counts. */
function effective(cookieHeader: string): string | undefined {
  const chunks = collectChunks(parse(cookieHeader, { decode: (v) => v }), 'session')
  if (chunks.first === undefined) return undefined
  const count = headerCount(chunks.first)
  if (count === undefined) return undefined
  const parts = [chunks.first]
  for (let i = 1; i < count; i++) {
    const part = chunks.numbered.get(i)
    if (part === undefined) return undefined
    parts.push(part)
  }
  return parts.join('\u0000')
}

function mutate(r: ReturnType<typeof prng>, base: Sample): { cookies: Array<[string, string]>; kind: string } {
  const cookies = base.cookies.map(([n, v]) => [n, v] as [string, string])
  const at = r.int(cookies.length)
  const [name, value] = cookies[at]!
  const kinds = [
    'flip',
    'truncate',
    'swap',
    'duplicate',
    'mix',
    'count',
    'bytes',
    'delete',
    'append',
    'garbage',
    'rename',
  ] as const
  const kind = r.pick(kinds)
  switch (kind) {
    case 'flip': {
      const i = r.int(Math.max(1, value.length))
      cookies[at] = [name, value.slice(0, i) + r.pick([...B64]) + value.slice(i + 1)]
      break
    }
    case 'truncate':
      cookies[at] = [name, value.slice(0, r.int(value.length))]
      break
    case 'swap': {
      const other = r.int(cookies.length)
      const v = cookies[other]![1]
      cookies[other] = [cookies[other]![0], value]
      cookies[at] = [name, v]
      break
    }
    case 'duplicate': {
      const donor = r.pick(samples)
      const [, dv] = r.pick(donor.cookies)
      cookies.splice(r.int(cookies.length + 1), 0, [name, dv])
      break
    }
    case 'mix': {
      const donor = r.pick(samples).cookies.find(([n]) => n === name)
      if (donor) cookies[at] = [name, donor[1]]
      break
    }
    case 'count': {
      const first = cookies.findIndex(([n]) => n === 'session')
      const counts = ['0', '01', '9999', '99999999', '-1', '1e3', String(r.int(12)), '']
      if (first >= 0) cookies[first] = ['session', cookies[first]![1].replace(/^v1\.\d+\./, `v1.${r.pick(counts)}.`)]
      break
    }
    case 'bytes': {
      const i = r.int(value.length + 1)
      const noise = Array.from({ length: 1 + r.int(4) }, () => r.pick([...NOISE])).join('')
      cookies[at] = [name, value.slice(0, i) + noise + value.slice(i)]
      break
    }
    case 'delete':
      cookies.splice(at, 1)
      break
    case 'append':
      cookies[at] = [name, value + Array.from({ length: 1 + r.int(8) }, () => r.pick([...B64])).join('')]
      break
    case 'garbage': {
      const n = 1 + r.int(6)
      for (let i = 0; i < n; i++) {
        const gname = r.pick(['session', `session.${r.int(20)}`, `session.${r.int(1e9)}`, 'x', 'session.0'])
        const glen = r.int(r.next() < 0.1 ? 8000 : 200)
        cookies.push([gname, Array.from({ length: glen }, () => r.pick([...B64])).join('')])
      }
      break
    }
    case 'rename':
      cookies[at] = [r.pick(['session.1', 'session.2', 'session', 'Session', 'session.01']), value]
      break
  }
  return { cookies, kind }
}

describe(`decodeSession fuzzing (${CASES} cases, seed ${SEED})`, () => {
  it('never throws; mutated chunks never give a non-new session; equal chunks give the same data', async () => {
    const r = prng(SEED)
    const heapBefore = process.memoryUsage().heapUsed
    const kinds = new Map<string, { cases: number; rejected: number }>()
    for (let i = 0; i < CASES; i++) {
      const base = r.pick(samples)
      const { cookies, kind } = mutate(r, base)
      const mutated = header(cookies)
      errors.length = 0
      let session
      try {
        session = await cm.decodeSession(new Headers({ cookie: mutated }))
      } catch (err) {
        throw new Error(`case ${i} (${kind}) threw: ${String(err)}\n${mutated.slice(0, 300)}`)
      }
      // Chunks that are exactly one of the valid sessions (a whole session moved in, say) read as it.
      const seen = effective(mutated)
      const same =
        seen === undefined ? undefined : samples.slice(0, 4).find((v) => effective(header(v.cookies)) === seen)
      const stat = kinds.get(kind) ?? { cases: 0, rejected: 0 }
      stat.cases++
      if (same !== undefined) {
        // The reader sees exactly the chunks of a valid session: that session, nothing else.
        expect(session.isNew, `case ${i} (${kind})`).toBe(false)
        expect(session.data).toEqual(same.data)
      } else if (!session.isNew) {
        throw new Error(`case ${i} (${kind}): mutated chunks decoded to a session\n${mutated.slice(0, 300)}`)
      } else if (effective(mutated) !== undefined || cookies.some(([n]) => /^session(\.[1-9][0-9]*)?$/.test(n))) {
        stat.rejected++
        expect(session.error?.code, `case ${i} (${kind})`).toMatch(
          /^ERR_SESSION_(TAMPERED|CHUNK_MISSING|MALFORMED|TOO_LARGE)$/,
        )
        expect(errors).toHaveLength(1)
      }
      kinds.set(kind, stat)
    }
    const grown = (process.memoryUsage().heapUsed - heapBefore) / 1024 / 1024
    expect(grown).toBeLessThan(128)
    console.log(`fuzz: ${CASES} cases, heap +${grown.toFixed(1)} MiB`, Object.fromEntries(kinds))
  }, 0)
})
