import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'

// The core must run on the Edge runtime (middleware.ts) and in Workers: no Node built-ins, no
// Node globals. tsconfig.json also compiles src with "types": [] so a Node API fails to type-check.
const SRC = join(import.meta.dirname, '.')

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name)
    if (e.isDirectory()) return e.name === 'test-support' ? [] : sources(path)
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [path] : []
  })
}

describe('edge-safe core', () => {
  const files = sources(SRC)

  it('has sources to check', () => {
    expect(files.length).toBeGreaterThanOrEqual(12)
  })

  it.each(files.map((f) => [f.slice(SRC.length + 1), f]))(
    '%s imports no node: module and uses no Buffer',
    (_name, file) => {
      // Code only: comments may show app code such as process.env.SESSION_SECRET.
      const text = readFileSync(file, 'utf8')
        .replace(/\/\*[\s\S]*?\*\//g, '')
        .replace(/^\s*\/\/.*$/gm, '')
      expect(text).not.toMatch(/from ['"]node:/)
      expect(text).not.toMatch(/\bBuffer\b/)
      expect(text).not.toMatch(/\bprocess\./)
      expect(text).not.toMatch(/from ['"]next(\/|['"])/)
    },
  )
})
