import { execFileSync } from 'node:child_process'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'

// Commit reports are what a server action returns to a client component, and what useActionState
// sends back as the previous state: they must cross React's Flight protocol both ways unchanged, in
// production (which refuses class instances) and in development (which also warns on symbol keys).
// The probe runs the built package under the react-server condition, with the Flight copy of the
// Next.js the example installs.
const PROBE = join(import.meta.dirname, 'flight-probe.mjs')

type Entry = { json: Record<string, unknown>; toClient: unknown; toServer: unknown }
type Probe = { warnings: string[]; reports: Record<string, Entry> }

function probe(mode: 'production' | 'development'): Probe {
  const out = execFileSync(process.execPath, ['--conditions=react-server', PROBE, mode], {
    cwd: import.meta.dirname,
    encoding: 'utf8',
  })
  return JSON.parse(out) as Probe
}

describe('commit reports through React Flight', () => {
  it.each(['production', 'development'] as const)('arrive unchanged both ways, without a warning (%s)', (mode) => {
    const { warnings, reports } = probe(mode)
    expect(warnings).toEqual([])
    expect(Object.keys(reports)).toEqual(['written', 'unchanged', 'shrunk', 'destroyed'])
    // The reports cover a write, an unchanged commit, a trim with its steps and a deletion.
    expect(reports.written!.json).toMatchObject({ unchanged: false, chunks: 1, deleted: [] })
    expect(reports.unchanged!.json).toMatchObject({ unchanged: true, chunks: 1 })
    expect(reports.shrunk!.json).toMatchObject({ shrunk: true, trimmedKeys: ['cart'] })
    expect((reports.shrunk!.json.steps as unknown[]).length).toBe(1)
    expect(reports.destroyed!.json).toMatchObject({ chunks: 0, deleted: ['session'] })
    // The budget's limit, worked out on first read, crosses too.
    expect(reports.written!.json.budget).toMatchObject({ limit: { by: 'cookie-header', capacity: 2023 } })
    for (const entry of Object.values(reports)) {
      expect(entry.toClient).toEqual(entry.json)
      expect(entry.toServer).toEqual(entry.json)
    }
  })
})
