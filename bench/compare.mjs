// next-cookieman against iron-session and Auth.js, run by hand: `npm run bench` (this is part 1-4;
// bench/server.mjs is part 5). Prints markdown tables and writes bench/results.json.
// Nothing here is asserted: ratios are reported as measured, misses included.
import assert from 'node:assert/strict'
import { ADAPTERS, SECRET, UA, authjs, cookieman, cookiemanDeflate, iron } from './adapters.mjs'
import { SIZES, realistic, sizeLabel } from './payload.mjs'
import { base64urlLength, machine, mergeResults, percentile, fmtUs, table } from './report.mjs'
import { createCookieman } from 'next-cookieman'
import { sealsPerformed } from '../dist/seal.js'

const QUICK = process.argv.includes('--quick')
const RESULTS = new URL('./results.json', import.meta.url)
// The package's exports pick the sealing code by runtime: which file did Node get?
const backendName = import.meta.resolve('next-cookieman').endsWith('/dist/node/index.js')
  ? 'node:crypto (Node entry)'
  : 'jose / Web Crypto'

// --- 0. Every adapter round-trips every payload before anything is timed.
for (const size of SIZES) {
  const data = realistic(size)
  for (const adapter of ADAPTERS) {
    const back = await adapter.decode(await adapter.encode(data))
    assert.deepStrictEqual(back, data, `${adapter.name} does not round-trip the ${sizeLabel(size)} payload`)
  }
}
console.log(
  `All ${ADAPTERS.length} adapters round-trip all ${SIZES.length} payloads. Sealing backend: ${backendName}.\n`,
)

// --- 1. Encode and decode, p50 and p99. Libraries take turns in short batches (rounds), so a slow
// phase of this shared machine hits all of them alike.
async function batch(fn, ms, samples) {
  const end = performance.now() + ms
  do {
    const t = performance.now()
    await fn()
    samples.push(performance.now() - t)
  } while (performance.now() < end)
}

const ROUNDS = QUICK ? 3 : 8
const BATCH_MS = QUICK ? 60 : 150
const timing = []
for (const size of SIZES) {
  const data = realistic(size)
  const json = JSON.stringify(data)
  const perAdapter = []
  for (const adapter of ADAPTERS) {
    const cookies = await adapter.encode(data)
    for (let i = 0; i < 20; i++) {
      await adapter.encode(data)
      await adapter.decode(cookies)
    }
    perAdapter.push({ adapter, cookies, encode: [], decode: [] })
  }
  for (let round = 0; round < ROUNDS; round++) {
    for (const entry of perAdapter) {
      await batch(() => entry.adapter.encode(data), BATCH_MS, entry.encode)
      await batch(() => entry.adapter.decode(entry.cookies), BATCH_MS, entry.decode)
    }
  }
  for (const { adapter, encode, decode } of perAdapter) {
    encode.sort((a, b) => a - b)
    decode.sort((a, b) => a - b)
    timing.push({
      size,
      jsonBytes: json.length,
      library: adapter.id,
      encode: { p50: percentile(encode, 50), p99: percentile(encode, 99), n: encode.length },
      decode: { p50: percentile(decode, 50), p99: percentile(decode, 99), n: decode.length },
    })
  }
}

const nameOf = Object.fromEntries(ADAPTERS.map((a) => [a.id, a.name]))
const at = (size, id) => timing.find((t) => t.size === size && t.library === id)
const both = (t) => t.encode.p50 + t.decode.p50

console.log(`## 1. Encode and decode (µs; p50 / p99)\n`)
console.log(
  table(
    ['payload', 'JSON bytes', 'library', 'encode p50 / p99', 'decode p50 / p99', 'encode + decode p50', '× floor'],
    timing.map((t) => [
      sizeLabel(t.size),
      t.jsonBytes,
      nameOf[t.library],
      `${fmtUs(t.encode.p50)} / ${fmtUs(t.encode.p99)}`,
      `${fmtUs(t.decode.p50)} / ${fmtUs(t.decode.p99)}`,
      fmtUs(both(t)),
      (both(t) / both(at(t.size, 'floor'))).toFixed(1),
    ]),
  ),
)
const speedRows = SIZES.map((size) => {
  const rivals = Math.min(both(at(size, 'iron')), both(at(size, 'authjs')))
  return [
    sizeLabel(size),
    (rivals / both(at(size, 'cookieman'))).toFixed(1) + '×',
    (rivals / both(at(size, 'cookieman-deflate'))).toFixed(1) + '×',
  ]
})
console.log('\nSpeed-up of encode + decode p50 over the faster of iron-session and Auth.js:\n')
console.log(table(['payload', 'next-cookieman', 'next-cookieman + deflate'], speedRows))

// --- 2. Bytes on the wire (no budget in the way: how each library writes the payload).
const wire = []
for (const size of SIZES) {
  const data = realistic(size)
  for (const adapter of [cookieman, cookiemanDeflate, iron, authjs]) {
    const result = await adapter.wire(data)
    wire.push({
      size,
      jsonBytes: JSON.stringify(data).length,
      library: adapter.id,
      ...(result.refused
        ? { refused: result.refused }
        : {
            setCookieBytes: result.setCookie.reduce((n, line) => n + line.length, 0),
            cookies: result.cookies.length,
            cookieHeaderBytes: result.cookies.map((c) => `${c.name}=${c.value}`).join('; ').length,
          }),
    })
  }
}
console.log(`\n## 2. Bytes on the wire (Set-Cookie header values, bytes / cookies; next Cookie header bytes)\n`)
const wireIds = ['cookieman', 'cookieman-deflate', 'iron', 'authjs']
console.log(
  table(
    ['payload', 'JSON bytes', ...wireIds.map((id) => nameOf[id])],
    SIZES.map((size) => {
      const rows = wire.filter((w) => w.size === size)
      return [
        sizeLabel(size),
        rows[0].jsonBytes,
        ...wireIds.map((id) => {
          const w = rows.find((r) => r.library === id)
          return w.refused ? 'refused' : `${w.setCookieBytes} / ${w.cookies} (Cookie: ${w.cookieHeaderBytes})`
        }),
      ]
    }),
  ),
)
// Overhead of the seal itself: our cookie values joined, less the `v1.<count>.` chunk header, against
// base64url of the JSON (the size target: at most +100 bytes uncompressed).
const overhead = []
for (const size of SIZES) {
  const data = realistic(size)
  const cookies = await cookieman.encode(data)
  const sealed = cookies.map((c) => c.value).join('').length - `v1.${cookies.length}.`.length
  overhead.push({
    size,
    jsonBytes: JSON.stringify(data).length,
    sealed,
    overBase64url: sealed - base64urlLength(JSON.stringify(data).length),
  })
}
console.log(
  `\nSealed next-cookieman session (encrypt, uncompressed) − base64url(JSON): ${[...new Set(overhead.map((o) => o.overBase64url))].map((n) => `+${n}`).join(', ')} bytes at ${SIZES.map(sizeLabel).join(', ')}.`,
)
const refusals = wire.filter((w) => w.refused)
for (const r of refusals) console.log(`- ${nameOf[r.library]} at ${sizeLabel(r.size)}: ${r.refused}`)

// --- 3. Capacity: the largest realistic JSON whose cookies fit a Cookie header line of `budget`
// bytes (`Cookie: ` + pairs + CRLF), every cookie <= 4096 bytes, <= 180 cookies (Chromium), and
// that the library itself agrees to write.
const line = (cookies) => 8 + cookies.map((c) => `${c.name}=${c.value}`).join('; ').length + 2
async function fitsUnder(adapter, budget, n) {
  const result = await adapter.wire(realistic(n), budget)
  if (result.refused) return false
  const { cookies } = result
  return (
    cookies.length <= 180 && cookies.every((c) => c.name.length + c.value.length <= 4096) && line(cookies) <= budget
  )
}
const capacity = []
for (const adapter of [cookieman, cookiemanDeflate, iron, authjs]) {
  for (const budget of [8192, 16384]) {
    let lo = 100 // fits (checked below)
    let hi = 8 * budget // does not
    assert.ok(await fitsUnder(adapter, budget, lo), `${adapter.name} cannot store even a tiny session`)
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1
      if (await fitsUnder(adapter, budget, mid)) lo = mid
      else hi = mid
    }
    capacity.push({ library: adapter.id, budget, jsonBytes: JSON.stringify(realistic(lo)).length })
  }
}
const cap = (id, budget) => capacity.find((c) => c.library === id && c.budget === budget).jsonBytes
console.log(`\n## 3. Capacity: largest realistic session (JSON bytes) under a Cookie header budget\n`)
console.log(
  table(
    ['library', '8 KiB', '× Auth.js', '16 KiB', '× Auth.js'],
    ['cookieman', 'cookieman-deflate', 'iron', 'authjs'].map((id) => [
      nameOf[id],
      cap(id, 8192),
      (cap(id, 8192) / cap('authjs', 8192)).toFixed(2),
      cap(id, 16384),
      (cap(id, 16384) / cap('authjs', 16384)).toFixed(2),
    ]),
  ),
)

// --- 4. Shrinking: a 64 KB session committed under an 8 KiB budget (the app reached directly, 512
// bytes of reserve: the first version's default), shrink functions that remove one item per call.
const shrink = []
for (const compress of [false, true]) {
  const limits = { fronts: ['node'], maxCookieHeaderBytes: 8192, reserveBytes: 512 }
  const cm = createCookieman({ secret: SECRET, compress, limits })
  for (const key of ['recent', 'cart', 'orgs']) {
    cm.register(key, (d, last) => {
      if (last) delete d[key]
      else d[key]?.pop()
      return d
    })
  }
  const data = realistic(65536)
  const headers = new Headers({ 'user-agent': UA })
  const times = []
  let last
  const runs = QUICK ? 10 : 100
  const warmUp = QUICK ? 5 : 20
  for (let i = 0; i < runs + warmUp; i++) {
    const s = await cm.decodeSession(headers)
    Object.assign(s.data, structuredClone(data))
    const seals = sealsPerformed()
    const t = performance.now()
    const { report } = await cm.encodeSession(s, headers)
    const ms = performance.now() - t
    if (i >= warmUp) times.push(ms)
    last = { report, seals: sealsPerformed() - seals, stored: JSON.stringify(s.data).length }
  }
  times.sort((a, b) => a - b)
  shrink.push({
    compress,
    jsonBytes: JSON.stringify(data).length,
    storedJsonBytes: last.stored,
    shrinkSteps: last.report.shrinkSteps,
    chunks: last.report.chunks,
    seals: last.seals,
    p50ms: percentile(times, 50),
    p99ms: percentile(times, 99),
  })
}
console.log(`\n## 4. Shrinking a 64 KB session under the default 8 KiB budget (one item removed per call)\n`)
console.log(
  table(
    ['mode', 'JSON bytes', 'stored JSON bytes', 'shrinker calls', 'chunks', 'seals per commit', 'time p50 / p99'],
    shrink.map((s) => [
      s.compress ? 'encrypt + deflate' : 'encrypt',
      s.jsonBytes,
      s.storedJsonBytes,
      s.shrinkSteps,
      s.chunks,
      s.seals,
      `${s.p50ms.toFixed(2)} ms / ${s.p99ms.toFixed(2)} ms`,
    ]),
  ),
)

await mergeResults(RESULTS, {
  machine: machine(),
  backend: backendName,
  date: new Date().toISOString(),
  timing,
  wire,
  overhead,
  capacity,
  shrink,
})
console.log(`\nWrote ${new URL(RESULTS).pathname}`)
