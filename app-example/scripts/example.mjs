// `npm run example`: build the library and the example, then serve it on http://127.0.0.1:3000.
// Writes a random SESSION_SECRET to app-example/.env.local on first start when none is set.
import { spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const app = join(dirname(fileURLToPath(import.meta.url)), '..')
const root = join(app, '..')
const envFile = join(app, '.env.local')
const port = process.env.PORT ?? '3000'

function run(command, args, cwd) {
  const result = spawnSync(command, args, { cwd, stdio: 'inherit', env: process.env })
  if (result.status !== 0) process.exit(result.status ?? 1)
}

const hasSecret =
  process.env.SESSION_SECRET || (existsSync(envFile) && /^SESSION_SECRET=.+/m.test(readFileSync(envFile, 'utf8')))
if (!hasSecret) {
  writeFileSync(envFile, `SESSION_SECRET=${randomBytes(32).toString('base64url')}\n`, { flag: 'a' })
  console.log(`notice: no SESSION_SECRET set; wrote a random development secret to ${envFile}`)
}

// Served on plain http: WebKit refuses Secure cookies there (Chromium and Firefox accept them on
// 127.0.0.1). Production, on https, keeps the default.
if (process.env.SESSION_COOKIE_SECURE === undefined) {
  process.env.SESSION_COOKIE_SECURE = 'false'
  console.log('notice: serving on plain http, so session cookies are sent without Secure (SESSION_COOKIE_SECURE=false)')
}

run('npm', ['run', 'build'], root)
run('npx', ['next', 'build'], app)
console.log(`\nnext-cookieman example: http://127.0.0.1:${port}\n`)
run('npx', ['next', 'start', '-H', '127.0.0.1', '-p', port], app)
