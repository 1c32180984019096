// Core figures of next-cookieman, run by hand: `npm run bench:core`. Prints a markdown table.
// Sizes are exact; times are p50/p99 over many runs on this machine (not asserted anywhere).
import { createCookieman } from 'next-cookieman'
import { sealsPerformed } from '../dist/seal.js'
import os from 'node:os'
import { base64urlLength, percentile } from './report.mjs'

const SECRET = 'bench-secret-0123456789-abcdefghij-0123'
const UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36'

/** Realistic session JSON of about `bytes` bytes: a profile, id lists, an OAuth-like token. */
function realistic(bytes) {
  const data = {
    user: { id: 'u_8f14e45fceea167a', name: 'Ada Lovelace', email: 'ada@example.com', roles: ['admin', 'editor'] },
    token: { access: 'ya29.' + 'aB3-x_9'.repeat(24), expiresAt: 1795000000, scope: 'openid email profile' },
    cart: [],
    recent: [],
  }
  let i = 0
  while (JSON.stringify(data).length < bytes) {
    if (i % 2 === 0) data.cart.push({ sku: `SKU-${(100000 + i).toString(36)}`, qty: (i % 5) + 1 })
    else data.recent.push(`/products/${(7919 * i) % 100003}`)
    i++
  }
  return data
}

async function time(fn, runs) {
  for (let i = 0; i < Math.min(200, runs); i++) await fn() // warm-up
  const samples = []
  for (let i = 0; i < runs; i++) {
    const t = performance.now()
    await fn()
    samples.push(performance.now() - t)
  }
  samples.sort((a, b) => a - b)
  return { p50: percentile(samples, 50), p99: percentile(samples, 99) }
}

const fmt = (ms) => `${(ms * 1000).toFixed(0)} µs`

const rows = []
for (const [mode, compress] of [
  ['encrypt', false],
  ['encrypt', true],
  ['sign', true],
  ['sign', false],
]) {
  const cm = createCookieman({
    secret: SECRET,
    mode,
    compress,
    limits: { fronts: ['node'], maxCookieHeaderBytes: 65536 },
  })
  const data = realistic(8192)
  const json = JSON.stringify(data)
  const headers = new Headers({ 'user-agent': UA })
  const s = await cm.decodeSession(headers)
  Object.assign(s.data, data)
  const { setCookie, report } = await cm.encodeSession(s, headers)
  const values = setCookie.map((c) => c.slice(c.indexOf('=') + 1, c.indexOf(';')))
  const sealed = values.join('').length - `v1.${values.length}.`.length
  const cookieHeader = setCookie.map((c) => c.slice(0, c.indexOf(';'))).join('; ')
  const readHeaders = new Headers({ 'user-agent': UA, cookie: cookieHeader })
  const enc = await time(async () => {
    const x = await cm.decodeSession(headers)
    Object.assign(x.data, data)
    await cm.encodeSession(x, headers)
  }, 2000)
  const dec = await time(() => cm.decodeSession(readHeaders), 2000)
  rows.push([
    `${mode}${compress ? ' + deflate' : ''}`,
    json.length,
    base64urlLength(json.length),
    sealed,
    sealed - base64urlLength(json.length),
    report.chunks,
    fmt(enc.p50) + ' / ' + fmt(enc.p99),
    fmt(dec.p50) + ' / ' + fmt(dec.p99),
  ])
}

console.log(`next-cookieman core — ${os.cpus()[0]?.model ?? 'cpu'} × ${os.cpus().length}, Node ${process.version}\n`)
console.log(
  '| mode | JSON bytes | base64url(JSON) | sealed | sealed − base64url | chunks | encode p50 / p99 | decode p50 / p99 |',
)
console.log('|---|---|---|---|---|---|---|---|')
for (const r of rows) console.log(`| ${r.join(' | ')} |`)

// Shrinking: one seal per commit, however many steps.
// The app reached directly with the first version's 8 KiB budget, so the figures compare across versions.
const cm = createCookieman({
  secret: SECRET,
  defaults: () => ({ cart: [], recent: [] }),
  limits: { fronts: ['node'], maxCookieHeaderBytes: 8192, reserveBytes: 512 },
})
cm.register('recent', (d) => {
  d.recent?.splice(-5, 5)
  return d
})
const shrinkRows = []
for (const [label, recent] of [
  ['~20 shrink steps', 200],
  ['~240 shrink steps', 1400],
]) {
  const times = []
  let row
  for (let i = 0; i < 40; i++) {
    const headers = new Headers({ 'user-agent': UA })
    const s = await cm.decodeSession(headers)
    s.data.cart = Array.from({ length: 150 }, (_, i) => `sku-${String(i).padStart(20, '0')}`)
    s.data.recent = Array.from({ length: recent }, (_, i) => `recent-${String(i).padStart(10, '0')}`)
    const before = sealsPerformed()
    const t = performance.now()
    const { report } = await cm.encodeSession(s, headers)
    times.push(performance.now() - t)
    row = [label, JSON.stringify({ ...s.data }).length, report.shrinkSteps, sealsPerformed() - before]
  }
  const warm = times.slice(10).sort((a, b) => a - b)
  shrinkRows.push([...row, `${times[0].toFixed(1)} ms`, `${warm[Math.floor(warm.length / 2)].toFixed(2)} ms`])
}
console.log(
  '\n| commit under the 8 KiB default | stored JSON bytes | shrink steps | seals | first commit (cold) | p50 of 30 warm |',
)
console.log('|---|---|---|---|---|---|')
for (const r of shrinkRows) console.log(`| ${r.join(' | ')} |`)

// A 1 MB list (what one unchecked POST can put in a session), trimmed to the default budget:
// one item per call with shift() (quadratic: shift is linear on large arrays, and it is called
// once per removed item) against the documented splice of trimCount(list, overBytes) items.
const { trimCount } = await import('next-cookieman')
const bigRows = []
for (const [label, fn] of [
  ['shift() per call', (d) => (d.cart?.shift(), d)],
  [
    'splice(0, trimCount(cart, overBytes))',
    (d, _last, { overBytes }) => (d.cart?.splice(0, trimCount(d.cart, overBytes)), d),
  ],
]) {
  const big = createCookieman({ secret: SECRET, defaults: () => ({ cart: [] }) })
  big.register('cart', fn)
  const items = Array.from({ length: 40_000 }, (_, i) => `sku-${String(i).padStart(20, '0')}`)
  const times = []
  let row
  for (let i = 0; i < 3; i++) {
    const headers = new Headers({ 'user-agent': UA })
    const s = await big.decodeSession(headers)
    s.data.cart = [...items]
    const json = JSON.stringify(s.data).length
    const t = performance.now()
    const { report } = await big.encodeSession(s, headers)
    times.push(performance.now() - t)
    row = [label, json, s.data.cart.length, report.chunks]
  }
  times.sort((a, b) => a - b)
  bigRows.push([...row, `${times[1].toFixed(1)} ms`])
}
console.log(
  '\n| 1 MB cart (40,000 items) committed under the defaults | JSON bytes | items kept | chunks | median of 3 |',
)
console.log('|---|---|---|---|---|')
for (const r of bigRows) console.log(`| ${r.join(' | ')} |`)

// Validation on read (issue 14): an unchanged request's decode with and without a zod schema of
// the same data (zod 4; once per request: getSession decodes once per request).
const { z } = await import('zod')
const Realistic = z.object({
  user: z.object({ id: z.string(), name: z.string(), email: z.string(), roles: z.array(z.string()) }),
  token: z.object({ access: z.string(), expiresAt: z.number().int(), scope: z.string() }),
  cart: z.array(z.object({ sku: z.string(), qty: z.number().int().positive() })),
  recent: z.array(z.string()),
})
const validationRows = []
for (const size of [200, 2048, 8192]) {
  const data = realistic(size)
  const timings = []
  for (const schema of [undefined, Realistic]) {
    const cm = createCookieman({ secret: SECRET, schema, limits: { fronts: ['node'], maxCookieHeaderBytes: 65536 } })
    const headers = new Headers({ 'user-agent': UA })
    const s = await cm.decodeSession(headers)
    Object.assign(s.data, data)
    const { setCookie } = await cm.encodeSession(s, headers)
    const cookie = setCookie.map((line) => line.split(';')[0]).join('; ')
    const request = new Headers({ 'user-agent': UA, cookie })
    const check = await cm.decodeSession(request)
    if (check.error !== undefined || check.isNew) throw new Error('bench: the session did not read back')
    timings.push(await time(() => cm.decodeSession(request), 3000))
  }
  const [plain, validated] = timings
  validationRows.push([
    `${JSON.stringify(data).length} B`,
    fmt(plain.p50),
    fmt(validated.p50),
    fmt(validated.p50 - plain.p50),
    `${(validated.p50 / plain.p50).toFixed(2)}x`,
  ])
}
console.log(
  '\nValidation on read: decodeSession of an unchanged request, encrypt mode, p50 (zod 4 schema of the same data)\n',
)
console.log('| session JSON | no schema | with schema | validation per request | ratio |')
console.log('|---|---|---|---|---|')
for (const r of validationRows) console.log(`| ${r.join(' | ')} |`)
