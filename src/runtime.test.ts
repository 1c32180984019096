import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { describe, expect, it } from 'vitest'

// The core must run on the Edge runtime (middleware.ts) and in Workers: no Node built-ins, no
// Node globals. tsconfig.json also compiles src with "types": [] so a Node API fails to type-check.
// The one exception is src/node/, the Node.js fast path, which only the package's `node` export
// condition loads (package.json): nothing the default entry imports may reach it.
const SRC = join(import.meta.dirname, '.')
const NODE_ONLY = join(SRC, 'node')

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name)
    if (e.isDirectory()) return e.name === 'test-support' || path === NODE_ONLY ? [] : sources(path)
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [path] : []
  })
}

/** Code only: comments may show app code such as process.env.SESSION_SECRET. */
const code = (file: string): string =>
  readFileSync(file, 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/^\s*\/\/.*$/gm, '')

/** Every source file an entry reaches through relative static or dynamic imports. */
function graph(entry: string): string[] {
  const seen = new Set<string>()
  const visit = (file: string): void => {
    if (seen.has(file)) return
    seen.add(file)
    for (const m of code(file).matchAll(/(?:from|import\()\s*['"](\.{1,2}\/[^'"]+)\.js['"]/g)) {
      visit(join(dirname(file), `${m[1]}.ts`))
    }
  }
  visit(entry)
  return [...seen].map((f) => relative(SRC, f)).sort()
}

describe('package entry points', () => {
  const pkg = JSON.parse(readFileSync(join(SRC, '..', 'package.json'), 'utf8')) as {
    exports: { '.': Record<string, string> }
  }
  const conditions = pkg.exports['.']

  it('Edge, Workers and browsers resolve to the default entry; Node to the node:crypto one', () => {
    // Object order decides: the first listed condition a resolver knows wins.
    expect(Object.entries(conditions)).toEqual([
      ['types', './dist/index.d.ts'],
      ['edge-light', './dist/index.js'],
      ['workerd', './dist/index.js'],
      ['worker', './dist/index.js'],
      ['browser', './dist/index.js'],
      ['node', './dist/node/index.js'],
      ['default', './dist/index.js'],
    ])
  })
})

describe('edge-safe core', () => {
  const files = sources(SRC)

  it('has sources to check', () => {
    expect(files.length).toBeGreaterThanOrEqual(12)
  })

  it.each(files.map((f) => [f.slice(SRC.length + 1), f]))(
    '%s imports no node: module and uses no Buffer',
    (_name, file) => {
      const text = code(file)
      expect(text).not.toMatch(/from ['"]node:/)
      expect(text).not.toMatch(/\bBuffer\b/)
      expect(text).not.toMatch(/\bprocess\./)
      expect(text).not.toMatch(/from ['"]next(\/|['"])/)
    },
  )

  it('the default entry never reaches src/node/ (the Edge build would pull in node:crypto)', () => {
    const reached = graph(join(SRC, 'index.ts'))
    expect(reached).toContain('backend.ts')
    expect(reached).toContain('cookieman.ts')
    expect(reached.filter((f) => f.startsWith('node/'))).toEqual([])
    for (const f of files) expect(code(f)).not.toMatch(/['"]\.{1,2}\/(\.\.\/)*node\//)
  })

  it('the Node entry adds only src/node/ to what the default entry reaches', () => {
    const defaults = new Set(graph(join(SRC, 'index.ts')))
    const extra = graph(join(NODE_ONLY, 'index.ts')).filter((f) => !defaults.has(f))
    expect(extra).toEqual(['node/backend.ts', 'node/index.ts'])
  })
})
