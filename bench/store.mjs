// What spill-over to Redis costs, run by hand: `npm run bench:store`. Prints a markdown table.
// A local Redis (Debian's redis-server, started here on a free loopback port, stopped by PID) and
// node-redis; times are p50/p99 over many runs on this machine (not asserted anywhere).
import { spawn } from 'node:child_process'
import { createServer } from 'node:net'
import os from 'node:os'
import { createClient } from 'redis'
import { createCookieman, trimCount } from 'next-cookieman'
import { redisStore } from 'next-cookieman/redis'
import { percentile } from './report.mjs'

const SECRET = 'bench-secret-0123456789-abcdefghij-0123'
const UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36'
const LIMITS = { fronts: ['nginx'] } // a stock nginx in front: ~7 KB of cookies, 4 KiB of response head

const port = await new Promise((resolve) => {
  const s = createServer().listen(0, '127.0.0.1', () => {
    const p = s.address().port
    s.close(() => resolve(p))
  })
})
const server = spawn(
  '/usr/bin/redis-server',
  ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
  {
    stdio: ['ignore', 'pipe', 'inherit'],
  },
)
await new Promise((resolve, reject) => {
  server.once('error', reject)
  server.stdout.on('data', (d) => d.toString().includes('Ready to accept') && resolve())
})
server.stdout.resume()
const client = await createClient({ url: `redis://127.0.0.1:${port}` }).connect()

async function time(fn, runs) {
  for (let i = 0; i < Math.min(200, runs); i++) await fn()
  const samples = []
  for (let i = 0; i < runs; i++) {
    const t = performance.now()
    await fn()
    samples.push(performance.now() - t)
  }
  samples.sort((a, b) => a - b)
  return { p50: percentile(samples, 50), p99: percentile(samples, 99) }
}
const fmt = (t) => `${(t.p50 * 1000).toFixed(0)} µs / ${(t.p99 * 1000).toFixed(0)} µs`

const item = (n) => ({ sku: `SKU-${String(n).padStart(6, '0')}`, name: `Ceramic mug #${n}`, qty: 1 + (n % 3) })
const cartOf = (n) => Array.from({ length: n }, (_, i) => item(i))

function engine(store) {
  const cm = createCookieman({
    secret: SECRET,
    defaults: () => ({ cart: [], note: '' }),
    limits: LIMITS,
    ...(store ? { store: redisStore(client), spill: { first: ['cart'] } } : {}),
  })
  cm.register('cart', (data, _last, { overBytes }) => {
    data.cart?.splice(0, trimCount(data.cart, overBytes))
    return data
  })
  return cm
}

/** The browser's side: Set-Cookie lines applied to a jar, the next request's headers from it. */
class Jar {
  cookies = new Map()
  apply(setCookie) {
    for (const line of setCookie) {
      const pair = line.slice(0, line.indexOf(';'))
      const name = pair.slice(0, pair.indexOf('='))
      if (/;\s*Max-Age=0/i.test(line)) this.cookies.delete(name)
      else this.cookies.set(name, pair)
    }
    return this
  }
  headers() {
    return new Headers({ 'user-agent': UA, cookie: [...this.cookies.values()].join('; ') })
  }
}
const headersWith = (setCookie) => new Jar().apply(setCookie).headers()

async function stored(cm, cart) {
  const s = await cm.decodeSession(new Headers({ 'user-agent': UA }))
  s.data.cart = cart
  const out = await cm.encodeSession(s, new Headers({ 'user-agent': UA }))
  return { headers: headersWith(out.setCookie), report: out.report, setCookie: out.setCookie }
}

const rows = []
const runs = 2000
const ping = await time(() => client.ping(), runs)
rows.push(['Redis PING round trip (the floor of any store call)', '', fmt(ping)])

for (const [label, items] of [
  ['2 KB session (fits its cookies)', 30],
  ['50 KB session', 800],
]) {
  const cart = cartOf(items)
  for (const store of [false, true]) {
    const cm = engine(store)
    const { headers, report, setCookie } = await stored(cm, cart)
    const where = store
      ? report.store?.keys.length
        ? `store: ${report.store.keys.join(', ')} in Redis (${report.store.bytes} B), ${report.bytes} B of cookies`
        : `store configured, all in cookies (${report.bytes} B)`
      : report.droppedKeys.length || report.trimmedKeys.length
        ? `cookie only: cart trimmed to ${JSON.parse(JSON.stringify((await cm.decodeSession(headers)).data)).cart.length} items`
        : `cookie only (${report.bytes} B)`
    const read = await time(async () => {
      const s = await cm.decodeSession(headers)
      if (s.error !== undefined) throw s.error
    }, runs)
    rows.push([`${label}: read`, where, fmt(read)])
    // A commit that changes a small key: the stored part is unchanged, not written again.
    let k = 0
    const small = await time(async () => {
      const s = await cm.decodeSession(headers)
      s.data.note = `n${k++}`
      await cm.encodeSession(s, headers)
    }, runs)
    rows.push([`${label}: read + commit, a small key changed`, where, fmt(small)])
    if (store && items > 100) {
      // A commit that changes the spilled cart: a new stored value (SET) and the old one deleted
      // (DEL); each request carries the cookies the last one set, as a browser would.
      const jar = new Jar().apply(setCookie)
      const big = await time(async () => {
        const s = await cm.decodeSession(jar.headers())
        if (s.error !== undefined || s.data.cart.length !== items) throw new Error('the cart did not come back')
        s.data.cart[0] = item(100000 + k++)
        jar.apply((await cm.encodeSession(s, jar.headers())).setCookie)
      }, 500)
      rows.push([`${label}: read + commit, the stored cart changed`, where, fmt(big)])
    }
  }
}

console.log(
  `next-cookieman store bench · node ${process.version} · ${os.cpus()[0]?.model ?? 'cpu'} · redis-server on loopback\n`,
)
console.log('| case | where the session lives | p50 / p99 |')
console.log('| --- | --- | --: |')
for (const r of rows) console.log(`| ${r.join(' | ')} |`)

await client.quit()
server.kill('SIGTERM')
