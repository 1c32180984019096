import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { connect, createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/**
 * Real front servers from Debian's packages, each run by this process in the foreground on a
 * loopback port with a config of its own in a fresh temp dir, proxying everything to an upstream
 * over plain HTTP/1.1. Limits stay stock: no buffer or size directive is written unless the caller
 * passes one in `extraConfig`. `.ci/install-fronts.sh` installs the packages.
 */
export type FrontId = 'nginx' | 'apache' | 'haproxy' | 'caddy'
/** `http1`: plain HTTP/1.1. `http2`: TLS with ALPN `h2` and `http/1.1` (self-signed certificate). */
export type Protocol = 'http1' | 'http2'

export interface FrontOptions {
  /** Loopback address to listen on (cookies are per host): 127.0.0.1 unless told. */
  host?: string
  /** Where the server's logs go (kept after stop()); the temp dir (removed by stop()) unless told. */
  logDir?: string
  /**
   * Config text added verbatim, e.g. to raise a limit: nginx, inside the `server {}` block; Apache,
   * at the end (server config); HAProxy, at the end of the file, so inside the `backend` section
   * unless it opens a section of its own (`global` for `tune.bufsize`); Caddy, inside the site block.
   */
  extraConfig?: string
}

export interface Front {
  url: string
  host: string
  port: number
  pid: number
  /** The server's own version, as its binary reports it: `nginx/1.22.1`, `Apache/2.4.71 (Debian)`… */
  version: string
  /**
   * Every request the front answered so far, as its own log says: status and request line (the
   * front's log, so a 400, 431, 494 or 502 it gave without asking the app is in it too).
   */
  statuses(): Array<{ status: number; request: string }>
  /** Path prefix of its log files (for {@link readStatuses} from another process). */
  logs: string
  stop(): Promise<void>
}

/** The status lines of a front's log: `<status> <method> <uri>` lines, or Caddy's JSON access log. */
export function readStatuses(id: FrontId, logs: string): Array<{ status: number; request: string }> {
  const file = id === 'haproxy' ? `${logs}.console.log` : `${logs}.status.log`
  if (!existsSync(file)) return []
  const out: Array<{ status: number; request: string }> = []
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (id === 'caddy') {
      const m = /"method":"([A-Z]+)".*?"uri":"([^"]*)".*"status":(\d{3})/.exec(line)
      if (m !== null) out.push({ status: Number(m[3]), request: `${m[1]} ${m[2]}` })
      continue
    }
    const m = /(?:^|>)(\d{3}) ([A-Z]+ \S*)/.exec(line)
    if (m !== null) out.push({ status: Number(m[1]), request: m[2]! })
  }
  return out
}

const BINARIES: Record<FrontId | 'openssl', { bin: string; pkg: string }> = {
  nginx: { bin: '/usr/sbin/nginx', pkg: 'nginx' },
  apache: { bin: '/usr/sbin/apache2', pkg: 'apache2' },
  haproxy: { bin: '/usr/sbin/haproxy', pkg: 'haproxy' },
  caddy: { bin: '/usr/bin/caddy', pkg: 'caddy' },
  openssl: { bin: '/usr/bin/openssl', pkg: 'openssl' },
}
const APACHE_MODULES = '/usr/lib/apache2/modules'

function binary(id: FrontId | 'openssl'): string {
  const { bin, pkg } = BINARIES[id]
  if (!existsSync(bin))
    throw new Error(
      `${bin} is missing: run \`apt-get update && apt-get install -y --no-install-recommends ${pkg}\` (or bash .ci/install-fronts.sh)`,
    )
  return bin
}

const versions = new Map<FrontId, string>()
function version(id: FrontId): string {
  const cached = versions.get(id)
  if (cached !== undefined) return cached
  const arg = { nginx: ['-v'], apache: ['-v'], haproxy: ['-v'], caddy: ['version'] }[id]
  const out = spawnSync(binary(id), arg, { encoding: 'utf8' })
  const text = `${out.stdout}\n${out.stderr}`
  const found = {
    nginx: () => /nginx\/\S+/.exec(text)?.[0],
    apache: () => /Apache\/\S+(?: \([^)]*\))?/.exec(text)?.[0],
    haproxy: () => /HAProxy version (\S+)/.exec(text)?.[1],
    caddy: () => /v?(\d+\.\d+\.\d+\S*)/.exec(text)?.[1],
  }[id]()
  if (found === undefined) throw new Error(`cannot read the version of ${id}:\n${text}`)
  const v = id === 'haproxy' ? `HAProxy/${found}` : id === 'caddy' ? `Caddy/${found}` : found
  versions.set(id, v)
  return v
}

// One self-signed P-256 certificate per run and listening host, kept in memory: each front writes
// it into its own temp dir, so nothing outlives stop().
const certs = new Map<string, { cert: string; key: string }>()
function certificate(host: string): { cert: string; key: string } {
  const cached = certs.get(host)
  if (cached !== undefined) return cached
  const dir = mkdtempSync(join(tmpdir(), 'cookieman-cert-'))
  try {
    const files = { cert: join(dir, 'cert.pem'), key: join(dir, 'key.pem') }
    const ips = [...new Set(['127.0.0.1', host])].map((ip) => `IP:${ip}`).join(',')
    const out = spawnSync(
      binary('openssl'),
      [
        'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2',
        '-subj', '/CN=localhost', '-addext', `subjectAltName=DNS:localhost,${ips}`,
        '-keyout', files.key, '-out', files.cert,
      ], // prettier-ignore
      { encoding: 'utf8' },
    )
    if (out.status !== 0) throw new Error(`openssl req failed:\n${out.stderr}`)
    const made = { cert: readFileSync(files.cert, 'utf8'), key: readFileSync(files.key, 'utf8') }
    certs.set(host, made)
    return made
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

async function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, host, () => {
      const address = server.address()
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      )
    })
  })
}

interface Layout {
  dir: string
  /** Path prefix of the log files: `<prefix>.error.log`, `<prefix>.access.log`. */
  logs: string
  host: string
  port: number
  up: string
  tls: { cert: string; key: string } | undefined
  extra: string
}

/** The config file to write and the argv that runs the server in the foreground with it. */
function configure(id: FrontId, protocol: Protocol, l: Layout): { file: string; text: string; args: string[] } {
  const h2 = protocol === 'http2'
  const root = process.getuid?.() === 0
  switch (id) {
    case 'nginx': {
      const file = join(l.dir, 'nginx.conf')
      const text = `${root ? 'user root root;\n' : ''}worker_processes 1;
pid ${l.dir}/nginx.pid;
error_log ${l.logs}.error.log notice;
events { worker_connections 1024; }
http {
  access_log ${l.logs}.access.log;
  log_format statuses '$status $request_method $request_uri';
  access_log ${l.logs}.status.log statuses;
  client_body_temp_path ${l.dir}/client_body;
  proxy_temp_path ${l.dir}/proxy;
  fastcgi_temp_path ${l.dir}/fastcgi;
  uwsgi_temp_path ${l.dir}/uwsgi;
  scgi_temp_path ${l.dir}/scgi;
  server {
    listen ${l.host}:${l.port}${h2 ? ' ssl http2' : ''};
    server_name _;
${h2 ? `    ssl_certificate ${l.tls!.cert};\n    ssl_certificate_key ${l.tls!.key};\n` : ''}    proxy_http_version 1.1;
    proxy_set_header Host $http_host;
${l.extra}
    location / { proxy_pass http://${l.up}; }
  }
}
`
      return { file, text, args: ['-p', `${l.dir}/`, '-e', `${l.logs}.error.log`, '-c', file, '-g', 'daemon off;'] }
    }
    case 'apache': {
      const file = join(l.dir, 'apache2.conf')
      const modules = [
        ['mpm_event', 'mod_mpm_event'],
        ['authz_core', 'mod_authz_core'],
        ['headers', 'mod_headers'],
        ['proxy', 'mod_proxy'],
        ['proxy_http', 'mod_proxy_http'],
        ...(h2
          ? [
              ['socache_shmcb', 'mod_socache_shmcb'],
              ['ssl', 'mod_ssl'],
              ['http2', 'mod_http2'],
            ]
          : []),
      ]
      const text = `ServerRoot ${l.dir}
DefaultRuntimeDir ${l.dir}
PidFile ${l.dir}/apache2.pid
ServerName localhost
${modules.map(([name, so]) => `LoadModule ${name}_module ${APACHE_MODULES}/${so}.so`).join('\n')}
${root ? 'User www-data\nGroup www-data\n' : ''}Listen ${l.host}:${l.port}
ErrorLog ${l.logs}.error.log
LogLevel warn
LogFormat "%h %l %u %t \\"%r\\" %>s %b" common
CustomLog ${l.logs}.access.log common
LogFormat "%>s %m %U%q" statuses
CustomLog ${l.logs}.status.log statuses
${
  h2
    ? `SSLEngine on
SSLCertificateFile ${l.tls!.cert}
SSLCertificateKeyFile ${l.tls!.key}
SSLSessionCache shmcb:${l.dir}/ssl_scache(512000)
Protocols h2 http/1.1
`
    : ''
}ProxyRequests Off
ProxyPreserveHost On
ProxyPass / http://${l.up}/
ProxyPassReverse / http://${l.up}/
${l.extra}
`
      return { file, text, args: ['-DFOREGROUND', '-d', l.dir, '-f', file] }
    }
    case 'haproxy': {
      const file = join(l.dir, 'haproxy.cfg')
      let bind = `${l.host}:${l.port}`
      if (h2) {
        const pem = join(l.dir, 'cert-key.pem')
        writeFileSync(pem, readFileSync(l.tls!.cert, 'utf8') + readFileSync(l.tls!.key, 'utf8'), { mode: 0o600 })
        bind += ` ssl crt ${pem} alpn h2,http/1.1`
      }
      const text = `global
  pidfile ${l.dir}/haproxy.pid
  log stderr format raw local0 info
defaults
  mode http
  log global
  log-format "%ST %HM %HU"
  timeout connect 5s
  timeout client 30s
  timeout server 30s
frontend fe
  bind ${bind}
  default_backend be
backend be
  server up ${l.up}
${l.extra}
`
      return { file, text, args: ['-db', '-f', file] }
    }
    case 'caddy': {
      const file = join(l.dir, 'Caddyfile')
      const text = `{
  admin off
  auto_https disable_certs
  skip_install_trust
  storage file_system ${l.dir}/data
  servers {
    protocols h1${h2 ? ' h2' : ''}
  }
  log {
    output file ${l.logs}.error.log
  }
}
${h2 ? 'https' : 'http'}://${l.host}:${l.port} {
  bind ${l.host}
${h2 ? `  tls ${l.tls!.cert} ${l.tls!.key}\n` : ''}  log {
    output file ${l.logs}.status.log
    format json
  }
  reverse_proxy ${l.up}
${l.extra}
}
`
      return { file, text, args: ['run', '--config', file, '--adapter', 'caddyfile'] }
    }
  }
}

async function answers(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port })
    socket.setTimeout(1000)
    socket.once('connect', () => (socket.destroy(), resolve(true)))
    socket.once('error', () => resolve(false))
    socket.once('timeout', () => (socket.destroy(), resolve(false)))
  })
}

function kill(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    // The group detached: true created: nginx's and Apache's workers die with their master.
    process.kill(-child.pid!, signal)
  } catch {
    // already gone
  }
}

async function stopChild(child: ChildProcess): Promise<void> {
  const exited =
    child.exitCode !== null || child.signalCode !== null
      ? Promise.resolve()
      : new Promise<void>((resolve) => child.once('exit', () => resolve()))
  kill(child, 'SIGTERM')
  const timer = setTimeout(() => kill(child, 'SIGKILL'), 5000)
  await exited
  clearTimeout(timer)
  kill(child, 'SIGKILL') // workers that outlived their master
}

/**
 * Starts `id` in front of `upstream` on a free port of a loopback host and resolves once it answers.
 * Proxies everything to the upstream over HTTP/1.1 with the Host header preserved; X-Forwarded-* as
 * the server does by default (nginx and HAProxy: none; Apache: -For, -Host, -Server; Caddy: -For,
 * -Proto, -Host). Throws, with the `apt-get install` line to run, when the package is missing.
 *
 * @example
 * const front = await startFront('nginx', 'http2', { host: '127.0.0.1', port: 3000 })
 * // … requests to front.url (https://127.0.0.1:PORT, self-signed: rejectUnauthorized: false) …
 * await front.stop()
 */
export async function startFront(
  id: FrontId,
  protocol: Protocol,
  upstream: { host: string; port: number },
  opts: FrontOptions = {},
): Promise<Front> {
  const bin = binary(id)
  const host = opts.host ?? '127.0.0.1'
  const pem = protocol === 'http2' ? certificate(host) : undefined
  const v = version(id)
  let lastError: Error | undefined
  // A free port can be taken between the probe and the server's bind: try again on another.
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort(host)
    const dir = mkdtempSync(join(tmpdir(), `cookieman-${id}-`))
    if (opts.logDir !== undefined) mkdirSync(opts.logDir, { recursive: true })
    const logs = join(opts.logDir ?? dir, `${id}-${protocol}-${port}`)
    let tls: Layout['tls']
    if (pem !== undefined) {
      tls = { cert: join(dir, 'cert.pem'), key: join(dir, 'key.pem') }
      writeFileSync(tls.cert, pem.cert)
      writeFileSync(tls.key, pem.key, { mode: 0o600 })
    }
    const layout = {
      dir,
      logs,
      host,
      port,
      up: `${upstream.host}:${upstream.port}`,
      tls,
      extra: opts.extraConfig ?? '',
    }
    const { file, text, args } = configure(id, protocol, layout)
    writeFileSync(file, text)
    const consoleLog = `${logs}.console.log`
    let output = ''
    const child = spawn(bin, args, {
      cwd: dir,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, HOME: dir, XDG_DATA_HOME: join(dir, 'data'), XDG_CONFIG_HOME: join(dir, 'config') },
    })
    const log = (d: Buffer) => {
      output += d.toString()
      if (opts.logDir !== undefined) appendFileSync(consoleLog, d)
    }
    child.stdout?.on('data', log)
    child.stderr?.on('data', log)
    child.on('error', (e) => (output += `\n${e.message}`))
    const deadline = Date.now() + 15_000
    let up = false
    while (child.exitCode === null && child.signalCode === null && Date.now() < deadline) {
      if (await answers(host, port)) {
        up = true
        break
      }
      await new Promise((r) => setTimeout(r, 50))
    }
    if (up && child.pid !== undefined) {
      const pid = child.pid
      return {
        url: `${protocol === 'http2' ? 'https' : 'http'}://${host}:${port}`,
        host,
        port,
        pid,
        version: v,
        statuses: () => readStatuses(id, logs),
        logs,
        stop: async () => {
          await stopChild(child)
          rmSync(dir, { recursive: true, force: true })
        },
      }
    }
    await stopChild(child)
    const errorLog = `${logs}.error.log`
    const errorLogs = existsSync(errorLog) ? readFileSync(errorLog, 'utf8') : ''
    rmSync(dir, { recursive: true, force: true })
    lastError = new Error(`${id} (${protocol}) did not come up on ${host}:${port}:\n${output}\n${errorLogs}\n${text}`)
    if (!/in use|EADDRINUSE|Address already/i.test(output + errorLogs)) break
  }
  throw lastError!
}
