// Shared by the bench scripts: the machine line, percentiles and markdown tables.
import { readFile, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
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

/** A free TCP port on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = s.address().port
      s.close(() => resolve(p))
    })
  })
}

/** Waits until `url` answers (a server just started), at most ~30 s. */
export async function waitUntilUp(url) {
  for (let i = 0; ; i++) {
    try {
      await fetch(url)
      return
    } catch {
      if (i > 150) throw new Error(`${url} did not come up`)
      await new Promise((r) => setTimeout(r, 200))
    }
  }
}

/** Length of unpadded base64url for `n` bytes. */
export const base64urlLength = (n) => Math.floor(n / 3) * 4 + [0, 2, 3][n % 3]
