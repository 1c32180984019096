import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { spawnSync } from 'node:child_process'
import { APP, build, ROOT, SECRET, start, type Running } from '../app-example/test/server.js'
import { FRONT_IDS, FRONTS_MAX_AGE, PROTOCOLS, type FrontInfo } from './fixtures.js'
import { startFront, type Front } from './fronts/servers.js'
import { startRedis } from '../src/test-support/redis.js'

/**
 * Builds the library and the example once, then serves it twice on loopback hosts of their own
 * (cookies are per host, not per port), reached directly: an 8 KiB budget on 127.0.0.1, and a
 * raised 32 KiB budget (with Node's header limit raised to match) on 127.0.0.2.
 */
export default async function globalSetup(): Promise<() => Promise<void>> {
  const lib = spawnSync('npm', ['run', 'build'], { cwd: ROOT, encoding: 'utf8' })
  if (lib.status !== 0) throw new Error(`npm run build failed:\n${lib.stdout}\n${lib.stderr}`)
  // WebKitGTK refuses Secure cookies on http://127.0.0.1 (Chromium and Firefox accept them): the e2e
  // servers send them without Secure, as the README says to do on plain http.
  const common = {
    SESSION_SECRET: SECRET,
    SESSION_COOKIE_SECURE: 'false',
    NEXT_TELEMETRY_DISABLED: '1',
    EXAMPLE_TEST_HOOKS: '1',
    EXAMPLE_TEST_ROUTES: '1',
  }
  build(APP, common)
  const logs = join(ROOT, 'test-results', 'e2e')
  mkdirSync(logs, { recursive: true })
  const servers: Running[] = []
  const defaultLog = join(logs, 'server-default.log')
  const raisedLog = join(logs, 'server-raised.log')
  writeFileSync(defaultLog, '')
  writeFileSync(raisedLog, '')
  // Reached directly (no front), with an 8 KiB Cookie line and 512 bytes of reserve; the defaults
  // (a stock nginx assumed in front) are driven behind real fronts by fronts.spec.ts.
  const direct = { SESSION_FRONTS: 'node', SESSION_MAX_COOKIE_HEADER_BYTES: '8192', SESSION_RESERVE_BYTES: '512' }
  servers.push(await start(APP, { ...common, ...direct }, { host: '127.0.0.1', logFile: defaultLog }))
  servers.push(
    await start(
      APP,
      {
        ...common,
        SESSION_FRONTS: 'node',
        SESSION_MAX_COOKIE_HEADER_BYTES: '32768',
        NODE_OPTIONS: '--max-http-header-size=65536',
      },
      { host: '127.0.0.2', logFile: raisedLog },
    ),
  )
  // Store mode: the default budget, and what does not fit it in a Redis of its own (Debian's
  // redis-server on a free loopback port).
  const redis = await startRedis()
  const storeLog = join(logs, 'server-store.log')
  writeFileSync(storeLog, '')
  servers.push(
    await start(APP, { ...common, ...direct, SESSION_REDIS_URL: redis.url }, { host: '127.0.0.5', logFile: storeLog }),
  )
  // The example with its defaults (a stock nginx assumed in front), rolling on and a short maxAge,
  // behind every front Debian ships, over HTTP/1.1 and HTTP/2 (TLS), each on a host of its own.
  const behindLog = join(logs, 'server-behind-fronts.log')
  writeFileSync(behindLog, '')
  const upstream = await start(
    APP,
    { ...common, SESSION_ROLLING: 'true', SESSION_MAX_AGE: String(FRONTS_MAX_AGE) },
    { host: '127.0.0.4', logFile: behindLog },
  )
  servers.push(upstream)
  const fronts: Front[] = []
  const listed: FrontInfo[] = []
  const upstreamAddress = { host: '127.0.0.4', port: Number(new URL(upstream.url).port) }
  for (const [i, id] of FRONT_IDS.entries()) {
    for (const [j, protocol] of PROTOCOLS.entries()) {
      const front = await startFront(id, protocol, upstreamAddress, {
        host: `127.0.1.${1 + i * 2 + j}`,
        logDir: join(logs, 'fronts'),
      })
      fronts.push(front)
      listed.push({ id, protocol, url: front.url, version: front.version, logs: front.logs })
    }
  }
  process.env['E2E_FRONTS'] = JSON.stringify(listed)
  process.env['E2E_DEFAULT_URL'] = servers[0]!.url
  process.env['E2E_DEFAULT_LOG'] = defaultLog
  process.env['E2E_RAISED_URL'] = servers[1]!.url
  process.env['E2E_RAISED_LOG'] = raisedLog
  process.env['E2E_STORE_URL'] = servers[2]!.url
  process.env['E2E_REDIS_URL'] = redis.url
  return async () => {
    for (const front of fronts) await front.stop()
    for (const server of servers) await server.stop()
    await redis.stop()
  }
}
