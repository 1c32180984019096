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
    exports: Record<string, Record<string, string>>
  }

  it.each([
    ['.', 'index'],
    ['./core', 'core'],
  ])('%s: Edge, Workers and browsers resolve to the default build; Node to the node:crypto one', (path, file) => {
    // Object order decides: the first listed condition a resolver knows wins.
    expect(Object.entries(pkg.exports[path]!)).toEqual([
      ['types', `./dist/${file}.d.ts`],
      ['edge-light', `./dist/${file}.js`],
      ['workerd', `./dist/${file}.js`],
      ['worker', `./dist/${file}.js`],
      ['browser', `./dist/${file}.js`],
      ['node', `./dist/node/${file}.js`],
      ['default', `./dist/${file}.js`],
    ])
  })

  it("./redis: one build for every runtime, and no code but the adapter (the client is the app's)", () => {
    expect(pkg.exports['./redis']).toEqual({ types: './dist/redis.d.ts', default: './dist/redis.js' })
    const text = code(join(SRC, 'redis.ts'))
    // Type-only imports vanish from the build: no package and no module of ours at run time.
    expect([...text.matchAll(/^import (?!type )/gm)]).toEqual([])
    expect(text).not.toMatch(/from ['"]redis['"]|import\(/)
  })

  it('exports nothing else', () => {
    expect(Object.keys(pkg.exports)).toEqual(['.', './core', './redis', './package.json'])
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
    expect(reached).toContain('engine.ts')
    expect(reached.filter((f) => f.startsWith('node/'))).toEqual([])
    for (const f of files) expect(code(f)).not.toMatch(/['"]\.{1,2}\/(\.\.\/)*node\//)
  })

  it('the Node entries add only src/node/ to what the default entries reach', () => {
    const defaults = new Set(graph(join(SRC, 'index.ts')))
    const extra = graph(join(NODE_ONLY, 'index.ts')).filter((f) => !defaults.has(f))
    expect(extra).toEqual(['node/backend.ts', 'node/core.ts', 'node/index.ts'])
    const core = new Set(graph(join(SRC, 'core.ts')))
    expect(graph(join(NODE_ONLY, 'core.ts')).filter((f) => !core.has(f))).toEqual(['node/backend.ts', 'node/core.ts'])
  })
})

describe('the house', () => {
  const files = [...sources(SRC), ...sources(NODE_ONLY)]
  const rel = (f: string): string => relative(SRC, f)

  it('imports next only under src/next/', () => {
    for (const f of files) {
      const imports = [...code(f).matchAll(/(?:from|import\()\s*['"]([^'"]+)['"]/g)].map((m) => m[1]!)
      const fromNext = imports.filter((i) => i === 'next' || i.startsWith('next/'))
      if (rel(f).startsWith('next/')) continue
      expect([rel(f), fromNext]).toEqual([rel(f), []])
    }
    expect(code(join(SRC, 'next', 'index.ts'))).toMatch(/import\('next\/headers\.js'\)/)
  })

  it('the Next.js layer is an adapter over the public core entry alone', () => {
    const nextFiles = files.filter((f) => rel(f).startsWith('next/'))
    for (const f of nextFiles) {
      const relatives = [...code(f).matchAll(/(?:from|import\()\s*['"](\.{1,2}\/[^'"]+)['"]/g)].map((m) => m[1]!)
      expect([rel(f), relatives.filter((i) => i.startsWith('../') && i !== '../core.js')]).toEqual([rel(f), []])
    }
  })

  it('the core entry reaches no framework adapter', () => {
    expect(graph(join(SRC, 'core.ts')).filter((f) => f.startsWith('next/') || f === 'create.ts')).toEqual([])
  })

  it('has no import cycles', () => {
    const edges = new Map(
      files.map((f) => [
        rel(f),
        [...code(f).matchAll(/(?:from|import\()\s*['"](\.{1,2}\/[^'"]+)\.js['"]/g)].map((m) =>
          relative(SRC, join(dirname(f), `${m[1]}.ts`)),
        ),
      ]),
    )
    const cycles: string[][] = []
    const state = new Map<string, 'open' | 'done'>()
    const visit = (file: string, path: string[]): void => {
      if (state.get(file) === 'done') return
      if (state.get(file) === 'open') {
        cycles.push([...path.slice(path.indexOf(file)), file])
        return
      }
      state.set(file, 'open')
      for (const next of edges.get(file) ?? []) visit(next, [...path, file])
      state.set(file, 'done')
    }
    for (const file of edges.keys()) visit(file, [])
    expect(cycles).toEqual([])
  })

  it.each(files.map((f) => [rel(f), f]))('%s stays under 250 lines', (_name, file) => {
    expect(readFileSync(file, 'utf8').split('\n').length).toBeLessThanOrEqual(250)
  })
})
