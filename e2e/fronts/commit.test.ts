import { createServer, request as httpRequest, type Server } from 'node:http'
import { connect as h2connect } from 'node:http2'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createEngine, type CommitReport, type Cookieman, type LimitsOptions } from '../../src/core.js'
import { startFront, type Front, type FrontId, type Protocol } from './servers.js'

/**
 * The largest session that commits through each real front (Debian's stock limits), over HTTP/1.1
 * and HTTP/2: a plain Node server (its own 16 KiB head limit, like `next start`) commits sessions
 * through `next-cookieman/core` for an engine that names the front (`limits.fronts: [id]`) and for
 * one with the default options (a stock nginx assumed). The session grows until the budget trims it;
 * every request must answer 200 through the front and every commit read back whole.
 */

const SECRET = 'fronts-suite-secret-0123456789abcdef'
const LOGS = join(import.meta.dirname, '..', '..', 'test-results', 'fronts')
const FRONTS: FrontId[] = ['nginx', 'apache', 'haproxy', 'caddy']
const PROTOCOLS: Protocol[] = ['http1', 'http2']
const STEPS = [20, 40, 80, 160, 320, 640]

type Data = { items: string[] }
type Grown = { items: number; report: Pick<CommitReport, 'chunks' | 'bytes' | 'shrunk'> & { limit: unknown } }

function engineFor(limits: LimitsOptions | undefined): Cookieman<Data> {
  const engine = createEngine<Data>({
    secret: SECRET,
    cookie: { secure: false },
    defaults: () => ({ items: [] }),
    ...(limits === undefined ? {} : { limits }),
  })
  // Drops the oldest tenth per call.
  engine.register('items', (d) => {
    d.items?.splice(0, Math.max(1, Math.ceil((d.items?.length ?? 0) / 10)))
    return d
  })
  return engine
}

const engines = new Map<string, Cookieman<Data>>([
  ['default', engineFor(undefined)],
  ...FRONTS.map((id) => [id, engineFor({ fronts: [id] })] as const),
  // An nginx with 16k buffers both ways, and an engine told so.
  ['nginx-16k', engineFor({ fronts: [{ id: 'nginx', responseHeadBytes: 16384, cookieLineBytes: 16384 }] })],
])
const RAISED_NGINX = 'large_client_header_buffers 4 16k; proxy_buffer_size 16k; proxy_buffers 8 16k;'

function startUpstream(): Promise<Server> {
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://upstream')
    const engine = engines.get(url.searchParams.get('engine') ?? '')!
    const headers = new Headers()
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value)
    }
    const session = await engine.decodeSession(headers)
    res.setHeader('content-type', 'application/json')
    if (url.pathname === '/grow') {
      const add = Number(url.searchParams.get('add'))
      const start = session.data.items.length
      for (let i = 0; i < add; i++) session.data.items.push(`item-${String(start + i).padStart(34, '0')}`)
      const { setCookie, responseHeaders, report } = await engine.encodeSession(session, headers)
      res.setHeader('set-cookie', setCookie)
      for (const [name, value] of Object.entries(responseHeaders)) res.setHeader(name, value)
      const { chunks, bytes, shrunk } = report
      res.end(
        JSON.stringify({
          items: session.data.items.length,
          report: { chunks, bytes, shrunk, limit: report.budget.limit },
        }),
      )
    } else {
      res.end(JSON.stringify({ items: session.data.items.length, error: session.error?.code ?? null }))
    }
  })
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)))
}

interface Reply {
  status: number
  setCookie: string[]
  cacheControl: string | undefined
  body: string
}

/** One GET through the front, the jar's cookies sent as a browser would (one field per cookie over HTTP/2). */
function get(front: Front, protocol: Protocol, path: string, jar: Map<string, string>): Promise<Reply> {
  const pairs = [...jar].map(([n, v]) => `${n}=${v}`)
  if (protocol === 'http1') {
    return new Promise((resolve, reject) => {
      const req = httpRequest(
        { host: front.host, port: front.port, path, headers: pairs.length > 0 ? { cookie: pairs.join('; ') } : {} },
        (res) => {
          let body = ''
          res.setEncoding('utf8')
          res.on('data', (d: string) => (body += d))
          res.on('end', () => {
            const cc = res.headers['cache-control']
            resolve({ status: res.statusCode ?? 0, setCookie: res.headers['set-cookie'] ?? [], cacheControl: cc, body })
          })
        },
      )
      req.on('error', reject)
      req.end()
    })
  }
  return new Promise((resolve, reject) => {
    const session = h2connect(front.url, { rejectUnauthorized: false })
    session.on('error', reject)
    const headers: Record<string, string | string[]> = { ':path': path }
    if (pairs.length > 0) headers['cookie'] = pairs
    const stream = session.request(headers, { endStream: true })
    let status = 0
    let setCookie: string[] = []
    let cacheControl: string | undefined
    let body = ''
    stream.setEncoding('utf8')
    stream.on('response', (h) => {
      status = Number(h[':status'])
      const sc = h['set-cookie']
      setCookie = sc === undefined ? [] : Array.isArray(sc) ? sc : [sc]
      cacheControl = h['cache-control'] as string | undefined
    })
    stream.on('data', (d: string) => (body += d))
    stream.on('end', () => {
      session.close()
      resolve({ status, setCookie, cacheControl, body })
    })
    stream.on('error', reject)
  })
}

function apply(jar: Map<string, string>, setCookie: readonly string[]): void {
  for (const line of setCookie) {
    const pair = line.split(';')[0]!
    const eq = pair.indexOf('=')
    const name = pair.slice(0, eq)
    if (/Max-Age=0/i.test(line)) jar.delete(name)
    else jar.set(name, pair.slice(eq + 1))
  }
}

let upstream: Server
const table: string[] = []

beforeAll(async () => {
  upstream = await startUpstream()
})

afterAll(async () => {
  await new Promise((resolve) => upstream.close(resolve))
  console.log(
    [
      '| front | protocol | options | largest session committed (bytes of cookie, chunks) | the limit that bound it |',
      '| --- | --- | --- | --- | --- |',
      ...table,
    ].join('\n'),
  )
})

// What bounds the session, by engine: the default assumes a stock nginx in front of `next start`.
const EXPECTED_LIMIT: Record<string, { by: string; source: string }> = {
  default: { by: 'response-head', source: 'nginx' },
  nginx: { by: 'response-head', source: 'nginx' },
  apache: { by: 'cookie-header', source: 'apache' },
  haproxy: { by: 'cookie-header', source: 'haproxy' },
  caddy: { by: 'cookie-header', source: 'node' },
  // Both raised: next start behind it binds (16 KiB of head less 2,048, less one cookie of headroom).
  'nginx-16k': { by: 'cookie-header', source: 'node' },
}

/** Grows a session through `front` until the budget trims it; every request 200, every commit read back. */
async function journey(
  front: Front,
  protocol: Protocol,
  which: string,
  label: string,
): Promise<{ bytes: number; chunks: number }> {
  const jar = new Map<string, string>()
  let largest = { bytes: 0, chunks: 0 }
  let last: Grown | undefined
  for (const add of STEPS) {
    const grown = await get(front, protocol, `/grow?engine=${which}&add=${add}`, jar)
    expect(grown.status).toBe(200)
    expect(grown.cacheControl).toBe('private, no-store')
    apply(jar, grown.setCookie)
    last = JSON.parse(grown.body) as Grown
    if (last.report.bytes > largest.bytes) largest = { bytes: last.report.bytes, chunks: last.report.chunks }
    const read = await get(front, protocol, `/read?engine=${which}`, jar)
    expect(read.status).toBe(200)
    expect(JSON.parse(read.body)).toEqual({ items: last.items, error: null })
  }
  expect(last!.report.shrunk).toBe(true)
  expect(last!.report.limit).toMatchObject(EXPECTED_LIMIT[which]!)
  const limit = last!.report.limit as { by: string; source: string }
  const options =
    which === 'default'
      ? 'defaults'
      : which === 'nginx-16k'
        ? "fronts: [{ id: 'nginx', responseHeadBytes: 16384, cookieLineBytes: 16384 }]"
        : `fronts: ['${which}']`
  table.push(
    `| ${label} | ${protocol} | ${options} | ${largest.bytes.toLocaleString('en-US')} B, ${largest.chunks} | ${limit.by} of ${limit.source} |`,
  )
  // No request failed at the front either.
  expect(front.statuses().filter((s) => s.status >= 400)).toEqual([])
  return largest
}

describe.each(FRONTS)('through %s, stock limits', (id) => {
  describe.each(PROTOCOLS)('%s', (protocol) => {
    let front: Front
    beforeAll(async () => {
      const port = (upstream.address() as AddressInfo).port
      front = await startFront(id, protocol, { host: '127.0.0.1', port }, { host: '127.0.3.1', logDir: LOGS })
    })
    afterAll(async () => {
      await front?.stop()
    })

    it.each(['default', id])(
      'options %s: grows until trimmed, every request answers 200, every commit reads back',
      async (which) => {
        await journey(front, protocol, which, id)
      },
    )
  })
})

describe.each(PROTOCOLS)('through nginx with proxy_buffer_size 16k, %s', (protocol) => {
  let front: Front
  beforeAll(async () => {
    const port = (upstream.address() as AddressInfo).port
    front = await startFront(
      'nginx',
      protocol,
      { host: '127.0.0.1', port },
      {
        host: '127.0.3.2',
        logDir: LOGS,
        extraConfig: RAISED_NGINX,
      },
    )
  })
  afterAll(async () => {
    await front?.stop()
  })

  it('told so, the session grows to three chunks; every request answers 200', async () => {
    const largest = await journey(front, protocol, 'nginx-16k', 'nginx, 16k buffers')
    expect(largest.chunks).toBe(3)
  })
})
