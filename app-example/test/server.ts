import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { appendFileSync, cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { join, relative } from 'node:path'

export const APP = join(import.meta.dirname, '..')
export const ROOT = join(APP, '..')

export const SECRET = 'integration-test-secret-0123456789-abcdef'

/** The User-Agent of the Debian Chromium the suites drive. */
export const CHROME_UA =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36'

/** A form POST as a browser without JavaScript sends it (a server action's no-JS path), from `jar`. */
export function postForm(url: string, jar: Jar, form: FormData): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'user-agent': CHROME_UA, cookie: jar.header() },
    body: form,
    redirect: 'manual',
  })
}

/**
 * One build of the test matrix: the example app under a Next.js version, a bundler and a proxy
 * file (`proxy.ts`, Node runtime, Next 16 only; `middleware.ts`, Edge runtime by default), served
 * by `next start` or by the standalone server.
 */
export interface Build {
  id: string
  next: 15 | 16
  bundler: 'turbopack' | 'webpack'
  entry: 'proxy' | 'middleware'
  output: 'start' | 'standalone'
}

/** Every combination the HTTP suite builds once and drives (the browsers use the first). */
export const BUILDS: readonly Build[] = [
  { id: 'next16-turbopack-proxy', next: 16, bundler: 'turbopack', entry: 'proxy', output: 'start' },
  { id: 'next16-turbopack-middleware', next: 16, bundler: 'turbopack', entry: 'middleware', output: 'start' },
  { id: 'next16-webpack-proxy-standalone', next: 16, bundler: 'webpack', entry: 'proxy', output: 'standalone' },
  { id: 'next16-webpack-middleware', next: 16, bundler: 'webpack', entry: 'middleware', output: 'start' },
  { id: 'next15-webpack-middleware', next: 15, bundler: 'webpack', entry: 'middleware', output: 'start' },
]

/** Next.js 15 lives in its own small install (e2e/next15), so that the root keeps one `next`. */
const NEXT15 = join(ROOT, 'e2e', 'next15')

/** The `next` command of a Next.js major version. */
export function nextBin(major: 15 | 16): string {
  return join(major === 15 ? NEXT15 : ROOT, 'node_modules', 'next', 'dist', 'bin', 'next')
}

/** Installs e2e/next15 from its lockfile when missing (npm ci; the registry, as for the root). */
function ensureNext15(): void {
  const pkg = join(NEXT15, 'node_modules', 'next', 'package.json')
  const wanted = (JSON.parse(readFileSync(join(NEXT15, 'package.json'), 'utf8')) as { dependencies: { next: string } })
    .dependencies.next
  if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { version: string }).version === wanted) return
  const result = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: NEXT15, encoding: 'utf8' })
  if (result.status !== 0) throw new Error(`npm ci in ${NEXT15} failed:\n${result.stdout}\n${result.stderr}`)
}

/**
 * The directory Next builds for `build`: the example in place for the first, a copy for the others.
 * A Next 15 copy sits inside e2e/next15 with the package copied (not linked) into its node_modules,
 * so that the package's own `import('next/headers.js')` resolves to Next 15 too.
 */
export function prepare(build: Build): string {
  if (build.id === BUILDS[0]!.id) return APP
  const dir = build.next === 15 ? join(NEXT15, 'site') : join(ROOT, 'test-results', build.id)
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(dir, { recursive: true })
  for (const entry of ['app', 'pages', 'lib', 'tsconfig.json', 'package.json'])
    cpSync(join(APP, entry), join(dir, entry), { recursive: true })
  const config = relative(dir, join(ROOT, 'next.config.mjs')).replaceAll('\\', '/')
  writeFileSync(
    join(dir, 'next.config.mjs'),
    build.output === 'standalone'
      ? `import config from '${config}'\n\nexport default { ...config, output: 'standalone' }\n`
      : `export { default } from '${config}'\n`,
  )
  if (build.entry === 'proxy') cpSync(join(APP, 'proxy.ts'), join(dir, 'proxy.ts'))
  // The same helper under its pre-16 name: middleware.ts runs on the Edge runtime by default.
  else
    writeFileSync(
      join(dir, 'middleware.ts'),
      `import { cookieman } from './lib/session'\n\nexport const middleware = cookieman.middleware\n\nexport const config = { matcher: ['/((?!_next/static|_next/image|favicon.ico).*)'] }\n`,
    )
  if (build.next === 15) {
    ensureNext15()
    const copy = join(NEXT15, 'node_modules', 'next-cookieman')
    rmSync(copy, { recursive: true, force: true })
    mkdirSync(copy, { recursive: true })
    for (const entry of ['package.json', 'dist']) cpSync(join(ROOT, entry), join(copy, entry), { recursive: true })
  }
  return dir
}

/** `next build` for `build` in `dir`; returns what it printed (warnings are checked by the tests). */
export function build(dir: string, env: Record<string, string>, which: Build = BUILDS[0]!): string {
  const args = ['build', ...(which.next === 16 && which.bundler === 'webpack' ? ['--webpack'] : [])]
  const result = spawnSync(process.execPath, [nextBin(which.next), ...args], {
    cwd: dir,
    env: { ...process.env, ...env },
    encoding: 'utf8',
  })
  if (result.status !== 0) throw new Error(`next build failed in ${dir}:\n${result.stdout}\n${result.stderr}`)
  if (!existsSync(join(dir, '.next', 'BUILD_ID'))) throw new Error(`next build left no BUILD_ID in ${dir}`)
  return `${result.stdout}\n${result.stderr}`
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      )
    })
  })
}

export interface Running {
  url: string
  logs: () => string
  stop: () => Promise<void>
}

/** `next start` on a loopback address (127.0.0.1 unless told), a free port; resolves once it answers. */
export async function start(
  dir: string,
  env: Record<string, string>,
  options: { host?: string; logFile?: string; build?: Build; dev?: boolean } = {},
): Promise<Running> {
  const host = options.host ?? '127.0.0.1'
  const port = await freePort()
  const which = options.build ?? BUILDS[0]!
  let output = ''
  // The standalone output is its own server: .next/standalone/<the app's path under the tracing root>.
  const standalone = join(dir, '.next', 'standalone', relative(ROOT, dir), 'server.js')
  const args =
    options.dev === true
      ? [
          nextBin(which.next),
          'dev',
          ...(which.bundler === 'webpack' && which.next === 16 ? ['--webpack'] : []),
          '-H',
          host,
          '-p',
          String(port),
        ]
      : which.output === 'standalone'
        ? [standalone]
        : [nextBin(which.next), 'start', '-H', host, '-p', String(port)]
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd: dir,
    env: { ...process.env, ...env, ...(which.output === 'standalone' && { HOSTNAME: host, PORT: String(port) }) },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const log = (d: Buffer) => {
    output += d.toString()
    if (options.logFile !== undefined) appendFileSync(options.logFile, d)
  }
  child.stdout?.on('data', log)
  child.stderr?.on('data', log)
  const url = `http://${host}:${port}`
  // next dev compiles the first route it is asked for: give it longer.
  const deadline = Date.now() + (options.dev === true ? 120_000 : 30_000)
  for (;;) {
    try {
      const res = await fetch(`${url}/api/session`)
      if (res.status < 500) break
    } catch {
      // not listening yet
    }
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGTERM')
      throw new Error(`next ${options.dev === true ? 'dev' : 'start'} did not come up on ${url}:\n${output}`)
    }
    await new Promise((r) => setTimeout(r, 200))
  }
  return {
    url,
    logs: () => output,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve()
        child.once('exit', () => resolve())
        child.kill('SIGTERM')
      }),
  }
}

/** Set-Cookie lines of a response as `name → value` (deletions as `''`) and the raw lines. */
export function setCookies(res: Response): { map: Map<string, string>; lines: string[] } {
  const lines = res.headers.getSetCookie()
  const map = new Map<string, string>()
  for (const line of lines) {
    const pair = line.slice(0, line.indexOf(';'))
    map.set(pair.slice(0, pair.indexOf('=')), /Max-Age=0/.test(line) ? '' : pair.slice(pair.indexOf('=') + 1))
  }
  return { map, lines }
}

/** A cookie jar for one host: applies Set-Cookie, renders the Cookie header. */
export class Jar {
  readonly cookies = new Map<string, string>()
  apply(res: Response): this {
    for (const [name, value] of setCookies(res).map) {
      if (value === '') this.cookies.delete(name)
      else this.cookies.set(name, value)
    }
    return this
  }
  header(): string {
    return [...this.cookies].map(([n, v]) => `${n}=${v}`).join('; ')
  }
}

/** The hidden inputs of the first `<form>` whose inputs include `intent=<intent>`, as FormData. */
export function actionForm(html: string, intent: string): FormData {
  const decode = (s: string) =>
    s
      .replaceAll('&quot;', '"')
      .replaceAll('&#x27;', "'")
      .replaceAll('&lt;', '<')
      .replaceAll('&gt;', '>')
      .replaceAll('&amp;', '&')
  for (const form of html.split('<form').slice(1)) {
    const body = form.slice(0, form.indexOf('</form>'))
    const inputs = [...body.matchAll(/<input([^>]*)\/?>/g)].map((m) => {
      const attrs = m[1] ?? ''
      return {
        name: decode(/name="([^"]*)"/.exec(attrs)?.[1] ?? ''),
        value: decode(/value="([^"]*)"/.exec(attrs)?.[1] ?? ''),
      }
    })
    if (!inputs.some((i) => i.name === 'intent' && i.value === intent)) continue
    const data = new FormData()
    for (const { name, value } of inputs) if (name !== '') data.append(name, value)
    return data
  }
  throw new Error(`no form with intent=${intent} in the page`)
}
