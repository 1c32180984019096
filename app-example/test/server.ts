import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { appendFileSync, cpSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { join, relative } from 'node:path'

export const APP = join(import.meta.dirname, '..')
export const ROOT = join(APP, '..')
const NEXT = join(ROOT, 'node_modules', '.bin', 'next')

export const SECRET = 'integration-test-secret-0123456789-abcdef'

/** The example as Next builds it: proxy.ts (Node runtime) in place, or middleware.ts (Edge) in a copy. */
export function prepare(variant: 'proxy' | 'middleware'): string {
  if (variant === 'proxy') return APP
  const dir = join(ROOT, 'test-results', 'app-middleware')
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(dir, { recursive: true })
  for (const entry of ['app', 'lib', 'tsconfig.json', 'package.json'])
    cpSync(join(APP, entry), join(dir, entry), { recursive: true })
  writeFileSync(
    join(dir, 'next.config.mjs'),
    `export { default } from '${relative(dir, join(ROOT, 'next.config.mjs')).replaceAll('\\', '/')}'\n`,
  )
  // The same helper under its pre-16 name: middleware.ts runs on the Edge runtime by default.
  writeFileSync(
    join(dir, 'middleware.ts'),
    `import { cookieman } from './lib/session'\n\nexport const middleware = cookieman.middleware\n\nexport const config = { matcher: ['/((?!_next/static|_next/image|favicon.ico).*)'] }\n`,
  )
  return dir
}

export function build(dir: string, env: Record<string, string>): void {
  const result = spawnSync(NEXT, ['build'], { cwd: dir, env: { ...process.env, ...env }, encoding: 'utf8' })
  if (result.status !== 0) throw new Error(`next build failed in ${dir}:\n${result.stdout}\n${result.stderr}`)
  if (!existsSync(join(dir, '.next', 'BUILD_ID'))) throw new Error(`next build left no BUILD_ID in ${dir}`)
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
  options: { host?: string; logFile?: string } = {},
): Promise<Running> {
  const host = options.host ?? '127.0.0.1'
  const port = await freePort()
  let output = ''
  const child: ChildProcess = spawn(NEXT, ['start', '-H', host, '-p', String(port)], {
    cwd: dir,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const log = (d: Buffer) => {
    output += d.toString()
    if (options.logFile !== undefined) appendFileSync(options.logFile, d)
  }
  child.stdout?.on('data', log)
  child.stderr?.on('data', log)
  const url = `http://${host}:${port}`
  const deadline = Date.now() + 30_000
  for (;;) {
    try {
      const res = await fetch(`${url}/api/session`)
      if (res.status < 500) break
    } catch {
      // not listening yet
    }
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGTERM')
      throw new Error(`next start did not come up on ${url}:\n${output}`)
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
