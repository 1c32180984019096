// Part 5 of `npm run bench`: requests per second of `next start` (bench/server-app) serving a
// 16 KB session, against two controls receiving the same cookies: a route that does not read them
// and a route that echoes them back through cookies().set() with no crypto. Routes take turns over
// several rounds (autocannon, 127.0.0.1 only, bounded in time); the server's heap allocation per
// request comes from V8's own GC trace. Writes the `server` part of bench/results.json.
import { spawn, spawnSync } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import autocannon from 'autocannon'
import { createCookieman } from 'next-cookieman'
import { encode as authEncode } from '@auth/core/jwt'
import { SessionStore } from './server-app/lib/auth-session-store.mjs'
import { AUTH_COOKIE, ENGINES, MAX_AGE, REFERENCE_COOKIE, SECRET } from './server-app/lib/config.mjs'
import { referenceChunks, referenceSeal } from './reference.mjs'
import { UA } from './adapters.mjs'
import { realistic } from './payload.mjs'
import { freePort, machine, mergeResults, table, waitUntilUp } from './report.mjs'

const QUICK = process.argv.includes('--quick')
const JAR_FILTER = process.argv.find((a) => a.startsWith('--jar='))?.slice('--jar='.length)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? (QUICK ? 2 : 6))
const SECONDS = Number(process.env.BENCH_SECONDS ?? (QUICK ? 2 : 3))
const CONNECTIONS = 8
const here = dirname(fileURLToPath(import.meta.url))
const root = join(here, '..')
const appDir = join(here, 'server-app')
const next = join(root, 'node_modules', '.bin', 'next')
const RESULTS = join(here, 'results.json')

// --- The cookies each library writes for the same 16 KB realistic session.
const data = realistic(16384)
const jsonBytes = JSON.stringify(data).length
const headers = new Headers({ 'user-agent': UA })
async function ourJar(options) {
  const cm = createCookieman(options)
  const s = await cm.decodeSession(headers)
  Object.assign(s.data, data)
  const { cookies, report } = await cm.encodeSession(s, headers)
  if (report.shrunk) throw new Error('the bench session must fit without shrinking')
  return cookies.map((c) => `${c.name}=${c.value}`)
}
async function authJar() {
  const token = await authEncode({ token: data, secret: SECRET, salt: AUTH_COOKIE, maxAge: MAX_AGE })
  const store = new SessionStore({ name: AUTH_COOKIE, options: {} }, {}, { debug() {} })
  return store.chunk(token, {}).map((c) => `${c.name}=${c.value}`)
}
const referenceJar = () =>
  referenceChunks(REFERENCE_COOKIE, referenceSeal(SECRET).seal(data)).map((c) => `${c.name}=${c.value}`)
const jars = {
  plain: await ourJar(ENGINES.plain),
  reference: referenceJar(),
  deflate: await ourJar(ENGINES.deflate),
  authjs: await authJar(),
}
const jarInfo = Object.fromEntries(
  Object.entries(jars).map(([k, pairs]) => [k, { cookies: pairs.length, bytes: pairs.join('; ').length }]),
)

const ROUTES = [
  // Each target's route next to its control: read after noop, cookies() after echo.
  ['plain', 'noop', '/noop'],
  ['plain', 'read (page)', '/cookieman/plain/read'],
  ['plain', 'read + commit (unchanged)', '/cookieman/plain/read-commit'],
  ['plain', 'write (Response)', '/cookieman/plain/write'],
  ['plain', 'echo', '/echo'],
  ['plain', 'write (cookies())', '/cookieman/plain/write-cookies'],
  // What the two server targets' routes cost with the node:crypto seal and nothing else.
  ['reference', 'noop', '/noop'],
  ['reference', 'read (page)', '/reference/read'],
  ['reference', 'echo', '/echo'],
  ['reference', 'write (cookies())', '/reference/write-cookies'],
  ['deflate', 'noop', '/noop'],
  ['deflate', 'read (page)', '/cookieman/deflate/read'],
  ['deflate', 'read + commit (unchanged)', '/cookieman/deflate/read-commit'],
  ['deflate', 'write (Response)', '/cookieman/deflate/write'],
  ['deflate', 'echo', '/echo'],
  ['deflate', 'write (cookies())', '/cookieman/deflate/write-cookies'],
  ['authjs', 'noop', '/noop'],
  ['authjs', 'echo', '/echo'],
  ['authjs', 'Auth.js read + write', '/authjs'],
]
  .map(([jar, label, path]) => ({ jar, label, path, runs: [] }))
  // `--jar=deflate` (or plain, reference, authjs): only the routes of one jar, for a quicker look.
  .filter((r) => !JAR_FILTER || r.jar === JAR_FILTER)

// --- Build and start the server.
console.log('Building bench/server-app ...')
const built = spawnSync(next, ['build', appDir], {
  cwd: root,
  env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' },
  encoding: 'utf8',
})
if (built.status !== 0) throw new Error(`next build failed:\n${built.stdout}\n${built.stderr}`)

const port = await freePort()
const server = spawn(next, ['start', '-H', '127.0.0.1', '-p', String(port), appDir], {
  cwd: root,
  env: {
    ...process.env,
    NODE_ENV: 'production',
    NEXT_TELEMETRY_DISABLED: '1',
    BENCH_TRACE_GC: '1',
    // A 22 KB jar is over Node's default 16 KiB of request head (431).
    NODE_OPTIONS: '--max-http-header-size=65536',
  },
  stdio: ['ignore', 'pipe', 'inherit'],
  detached: true,
})
const stop = () => {
  if (server.exitCode === null) process.kill(-server.pid, 'SIGTERM')
}
process.on('exit', stop)
process.on('SIGINT', () => process.exit(130))

// V8's --trace-gc-nvp line per collection: `allocated=` bytes since the previous one.
let allocated = 0
let gcLines = 0
let pending = ''
server.stdout.setEncoding('utf8')
server.stdout.on('data', (text) => {
  pending += text
  const lines = pending.split('\n')
  pending = lines.pop()
  for (const line of lines) {
    const m = /\ballocated=(\d+)/.exec(line)
    if (m) {
      allocated += Number(m[1])
      gcLines++
    }
  }
})

const base = `http://127.0.0.1:${port}`
await waitUntilUp(`${base}/noop`)

function serverPids() {
  const out = spawnSync('pgrep', ['-g', String(server.pid)], { encoding: 'utf8' }).stdout
  return out.trim().split('\n').filter(Boolean).map(Number)
}
async function rssMiB() {
  let kb = 0
  for (const pid of serverPids()) {
    try {
      const status = await readFile(`/proc/${pid}/status`, 'utf8')
      kb += Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0)
    } catch {
      // exited
    }
  }
  return kb / 1024
}

// The server's CPU time (user + system, every process of its group), from /proc: per request, it is
// steadier than req/s on a shared machine, where the load generator competes for the same cores.
const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100
async function cpuSeconds() {
  let ticks = 0
  for (const pid of serverPids()) {
    try {
      const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1].split(' ')
      ticks += Number(fields[11]) + Number(fields[12])
    } catch {
      // exited
    }
  }
  return ticks / CLK_TCK
}

const requestHeaders = (route) => ({ 'user-agent': UA, cookie: jars[route.jar].join('; ') })

// --- Every route answers 200 with its jar before anything is measured; count what it writes.
for (const route of ROUTES) {
  const res = await fetch(base + route.path, { headers: requestHeaders(route) })
  const body = await res.text()
  if (res.status !== 200) throw new Error(`${route.path} with the ${route.jar} jar: ${res.status} ${body}`)
  route.setCookies = res.headers.getSetCookie().length
}

function run(route, seconds) {
  return autocannon({
    url: base + route.path,
    connections: CONNECTIONS,
    duration: seconds,
    headers: requestHeaders(route),
  })
}

console.log(`Warming up ${ROUTES.length} routes ...`)
for (const route of ROUTES) await run(route, 1)

// Every other round runs the routes in reverse order, so that a route and its controls are measured
// as close in time, on average, as each other: the machine drifts between runs.
for (let round = 1; round <= ROUNDS; round++) {
  console.log(`Round ${round}/${ROUNDS} ...`)
  for (const route of round % 2 ? ROUTES : [...ROUTES].reverse()) {
    await new Promise((r) => setTimeout(r, 300)) // let the previous run's GC lines arrive
    const before = allocated
    const cpuBefore = await cpuSeconds()
    const result = await run(route, SECONDS)
    const cpu = (await cpuSeconds()) - cpuBefore
    await new Promise((r) => setTimeout(r, 300))
    const ok = result.requests.total - result.non2xx
    route.runs.push({
      rps: ok / (result.duration || SECONDS),
      requests: result.requests.total,
      non2xx: result.non2xx,
      errors: result.errors + result.timeouts,
      p50: result.latency.p50,
      p99: result.latency.p99,
      allocatedPerRequest: (allocated - before) / Math.max(1, result.requests.total),
      cpuUsPerRequest: (cpu * 1e6) / Math.max(1, result.requests.total),
      rssMiB: await rssMiB(),
    })
  }
}
stop()

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}
const range = (xs) => [Math.min(...xs), Math.max(...xs)]
// Ratios to the controls are paired: each round's req/s over the control's in the same round, then
// the median over rounds (a ratio of medians would mix rounds measured minutes apart).
const paired = (r, label) => {
  const control = ROUTES.find((x) => x.jar === r.jar && x.label === label)
  return r.runs.map((x, i) => x.rps / control.runs[i].rps)
}
const summary = ROUTES.map((r) => {
  const rps = r.runs.map((x) => x.rps)
  const vsEcho = paired(r, 'echo')
  const vsNoop = paired(r, 'noop')
  return {
    jar: r.jar,
    route: r.label,
    path: r.path,
    setCookies: r.setCookies,
    rps: median(rps),
    rpsRange: range(rps),
    vsEcho: median(vsEcho),
    vsNoop: median(vsNoop),
    vsEchoRange: range(vsEcho),
    vsNoopRange: range(vsNoop),
    p50ms: median(r.runs.map((x) => x.p50)),
    p99ms: median(r.runs.map((x) => x.p99)),
    non2xx: r.runs.reduce((n, x) => n + x.non2xx, 0),
    errors: r.runs.reduce((n, x) => n + x.errors, 0),
    allocatedKiBPerRequest: median(r.runs.map((x) => x.allocatedPerRequest)) / 1024,
    cpuUsPerRequest: median(r.runs.map((x) => x.cpuUsPerRequest)),
    rssMiB: Math.max(...r.runs.map((x) => x.rssMiB)),
  }
})

const jarName = {
  plain: 'next-cookieman',
  reference: 'reference (node:crypto JWE)',
  deflate: 'next-cookieman + deflate',
  authjs: 'Auth.js',
}
console.log(
  `\n## 5. Server: next start, 16 KB session (${jsonBytes} bytes of JSON), ${CONNECTIONS} connections, ` +
    `${ROUNDS} rounds × ${SECONDS} s per route (req/s: median; × echo, × noop: median of each round's ratio, ` +
    `and its range; CPU: the server's user + system time per request, median over rounds)\n`,
)
console.log(
  table(
    [
      'cookies sent',
      'route',
      'Set-Cookie',
      'req/s',
      '× echo',
      '× noop',
      'p50 / p99 ms',
      'CPU µs / req',
      'heap KiB / req',
      'errors',
    ],
    summary.map((s) => [
      `${jarName[s.jar]}: ${jarInfo[s.jar].cookies} cookies, ${jarInfo[s.jar].bytes} B`,
      s.route,
      s.setCookies,
      s.rps.toFixed(0),
      `${s.vsEcho.toFixed(2)} (${s.vsEchoRange.map((x) => x.toFixed(2)).join('-')})`,
      `${s.vsNoop.toFixed(2)} (${s.vsNoopRange.map((x) => x.toFixed(2)).join('-')})`,
      `${s.p50ms} / ${s.p99ms}`,
      s.cpuUsPerRequest.toFixed(0),
      s.allocatedKiBPerRequest.toFixed(0),
      s.non2xx + s.errors,
    ]),
  ),
)
console.log(
  `\nServer RSS peak: ${Math.max(...summary.map((s) => s.rssMiB)).toFixed(0)} MiB; GC lines read: ${gcLines}.`,
)

await mergeResults(RESULTS, {
  server: {
    machine: machine(),
    date: new Date().toISOString(),
    jsonBytes,
    connections: CONNECTIONS,
    rounds: ROUNDS,
    seconds: SECONDS,
    jars: jarInfo,
    routes: summary,
  },
})
console.log(`Wrote ${RESULTS}`)
process.exit(0)
