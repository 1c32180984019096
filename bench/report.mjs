// Shared by the bench scripts: the machine line, percentiles and markdown tables.
import { readFile, writeFile } from 'node:fs/promises'
import os from 'node:os'

export function machine() {
  const cpus = os.cpus()
  return {
    cpu: cpus[0]?.model?.trim() ?? 'unknown CPU',
    cores: cpus.length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    os: `${os.type()} ${os.release()}`,
  }
}

export const machineLine = (m) => `${m.cpu} × ${m.cores}, ${m.memoryGiB} GiB, Node ${m.node.replace(/^v/, '')}, ${m.os}`

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]
}

export const fmtUs = (ms) => (ms >= 10 ? `${ms.toFixed(1)} ms` : `${Math.round(ms * 1000)} µs`)

export function table(head, rows) {
  return [
    `| ${head.join(' | ')} |`,
    `|${head.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n')
}

/** Merges `part` into the JSON results file (each bench script owns its own keys). */
export async function mergeResults(file, part) {
  let previous = {}
  try {
    previous = JSON.parse(await readFile(file, 'utf8'))
  } catch {
    // first run
  }
  await writeFile(file, JSON.stringify({ ...previous, ...part }, null, 2) + '\n')
}
