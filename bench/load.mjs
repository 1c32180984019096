// Load, run by hand: `npm run load` (after `npm ci`). Builds the example if needed, serves it with
// `next start` on 127.0.0.1, and drives its commit route (POST /api/session) with 50 keep-alive
// connections for 60 s, each connection its own browser (its own cookie jar, a session that changes
// on every request). Prints errors, status codes, throughput and the server's resident memory.
// Only loopback traffic; bounded in time; stops the server it started.
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import http from 'node:http'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { freePort, waitUntilUp } from './report.mjs'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const app = join(root, 'app-example')
const next = join(root, 'node_modules', '.bin', 'next')
const SECONDS = Number(process.env.LOAD_SECONDS ?? 60)
const CONNECTIONS = Number(process.env.LOAD_CONNECTIONS ?? 50)
// V8 sizes its heap for the load over the first ~20 s: memory is compared from then on.
const WARMUP = Math.min(20, Math.floor(SECONDS / 3))
// Reached directly (no front), as the figures in the README were measured.
const env = {
  ...process.env,
  SESSION_SECRET: 'load-test-secret-0123456789-abcdefghij',
  NEXT_TELEMETRY_DISABLED: '1',
  SESSION_FRONTS: 'node',
  SESSION_MAX_COOKIE_HEADER_BYTES: '8192',
  SESSION_RESERVE_BYTES: '512',
}

if (!existsSync(join(app, '.next', 'BUILD_ID'))) {
  for (const [cmd, args, cwd] of [
    ['npm', ['run', 'build'], root],
    [next, ['build'], app],
  ]) {
    const r = spawnSync(cmd, args, { cwd, env, stdio: 'inherit' })
    if (r.status !== 0) process.exit(r.status ?? 1)
  }
}

const port = await freePort()
const server = spawn(next, ['start', '-H', '127.0.0.1', '-p', String(port)], { cwd: app, env, stdio: 'ignore' })
const stop = () => server.exitCode === null && server.kill('SIGTERM')
process.on('exit', stop)
await waitUntilUp(`http://127.0.0.1:${port}/api/session`)

// The next-server process is the child of the `next` launcher or the launcher itself.
function serverPid() {
  const children = spawnSync('pgrep', ['-P', String(server.pid)], { encoding: 'utf8' })
    .stdout.trim()
    .split('\n')
    .filter(Boolean)
  return Number(children[0] ?? server.pid)
}
const rssMiB = () => {
  const status = readFileSync(`/proc/${serverPid()}/status`, 'utf8')
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024
}

const agent = new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS })
const statuses = new Map()
let errors = 0
let done = 0
let latencies = []
const end = Date.now() + SECONDS * 1000

function post(cookie, body) {
  return new Promise((resolve) => {
    const t = performance.now()
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        path: '/api/session',
        method: 'POST',
        agent,
        headers: {
          cookie,
          'content-type': 'application/json',
          'user-agent':
            'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36',
        },
      },
      (res) => {
        res.resume()
        res.on('end', () => {
          latencies.push(performance.now() - t)
          resolve({ status: res.statusCode ?? 0, setCookie: res.headers['set-cookie'] ?? [] })
        })
      },
    )
    req.on('error', () => resolve({ status: 0, setCookie: [] }))
    req.end(body)
  })
}

async function browser(id) {
  const jar = new Map()
  for (let n = 0; Date.now() < end; n++) {
    const cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ')
    // A session of ~4-6 KB that changes every time: every request commits and writes chunks.
    const recent = Array.from({ length: 60 + (n % 40) }, (_, i) => `/products/${id}-${n}-${i}-ceramic-mug`)
    const { status, setCookie } = await post(cookie, JSON.stringify({ recent }))
    statuses.set(status, (statuses.get(status) ?? 0) + 1)
    if (status !== 200) errors++
    for (const line of setCookie) {
      const pair = line.slice(0, line.indexOf(';'))
      const name = pair.slice(0, pair.indexOf('='))
      if (/Max-Age=0/.test(line)) jar.delete(name)
      else jar.set(name, pair.slice(name.length + 1))
    }
    done++
  }
}

const samples = []
const sampler = setInterval(
  () => samples.push({ t: Math.round((Date.now() - (end - SECONDS * 1000)) / 1000), rss: rssMiB(), done }),
  5000,
)
const rssStart = rssMiB()
await Promise.all(Array.from({ length: CONNECTIONS }, (_, i) => browser(i)))
clearInterval(sampler)
const rssEnd = rssMiB()
stop()

latencies.sort((a, b) => a - b)
const afterWarmup = samples.find((s) => s.t >= WARMUP)?.rss ?? rssStart
const pct = (p) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))]?.toFixed(1)
console.log(`\nload: ${CONNECTIONS} connections × ${SECONDS} s against POST /api/session (next start, 127.0.0.1)\n`)
console.log(
  '| requests | req/s | errors | statuses | p50 | p99 | RSS start | RSS after warm-up | RSS end | growth after warm-up |',
)
console.log('|---|---|---|---|---|---|---|---|---|---|')
console.log(
  `| ${done} | ${(done / SECONDS).toFixed(0)} | ${errors} | ${[...statuses].map(([s, n]) => `${s}: ${n}`).join(', ')} | ${pct(50)} ms | ${pct(99)} ms | ${rssStart.toFixed(0)} MiB | ${afterWarmup.toFixed(0)} MiB | ${rssEnd.toFixed(0)} MiB | ${(((rssEnd - afterWarmup) / afterWarmup) * 100).toFixed(1)}% |`,
)
console.log('\nRSS every 5 s:', samples.map((s) => `${s.t}s ${s.rss.toFixed(0)}`).join(', '))
process.exit(errors === 0 ? 0 : 1)
