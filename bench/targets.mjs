// The speed targets, each with its measured ratio and a met/missed verdict, from the last run of
// bench/compare.mjs and bench/server.mjs (bench/results.json). Run last by `npm run bench`.
// Ratios of figures measured side by side in one run (the server's: the median over rounds of each
// round's ratio to its control); nothing here is asserted.
import { readFile } from 'node:fs/promises'
import { table } from './report.mjs'

const results = JSON.parse(await readFile(new URL('./results.json', import.meta.url), 'utf8'))
const rows = []
const add = (target, measured, limit, kind, missing) =>
  rows.push(
    missing
      ? [target, 'not measured', missing]
      : [target, measured.toFixed(2), (kind === 'max' ? measured <= limit : measured >= limit) ? 'met' : 'MISSED'],
  )

const timing = results.timing ?? []
const both = (size, id) => {
  const t = timing.find((x) => x.size === size && x.library === id)
  return t === undefined ? undefined : t.encode.p50 + t.decode.p50
}
for (const [size, label] of [
  [200, '200 B'],
  [2048, '2 KB'],
  [8192, '8 KB'],
]) {
  const ours = both(size, 'cookieman')
  const ref = both(size, 'reference')
  add(
    `encode + decode at ${label} ≤ 1.5× the node:crypto JWE reference`,
    ours / ref,
    1.5,
    'max',
    ours && ref ? undefined : 'run bench/compare.mjs',
  )
}
const ours8 = both(8192, 'cookieman')
const floor8 = both(8192, 'floor')
add(
  'encode + decode at 8 KB ≤ 2× JSON + base64url',
  ours8 / floor8,
  2,
  'max',
  ours8 && floor8 ? undefined : 'run bench/compare.mjs',
)
const deflate = (results.shrink ?? []).find((s) => s.compress)
rows.push(
  deflate === undefined
    ? ['compress: the 64 KB shrink < 10 ms p50', 'not measured', 'run bench/compare.mjs']
    : [
        'compress: the 64 KB shrink < 10 ms p50',
        `${deflate.p50ms.toFixed(2)} ms`,
        deflate.p50ms < 10 ? 'met' : 'MISSED',
      ],
)
const routes = results.server?.routes ?? []
const route = (name) => routes.find((r) => r.jar === 'plain' && r.route === name)
const commit = route('write (cookies())')
// `range` (older results have none): the lowest and highest of the rounds' ratios.
const range = (r) => (r ? ` (rounds ${r.map((x) => x.toFixed(2)).join('-')})` : '')
// The node:crypto reference's own route for the same target, on its jar of the same session (older
// results have none): what the target's route costs with a seal and nothing else, on this machine.
const referenceOf = (name, key) => {
  const r = routes.find((x) => x.jar === 'reference' && x.route === name)
  return r ? `; the node:crypto reference route: ${r[key].toFixed(2)}` : ''
}
add(
  `server: commit through cookies().set() ≥ 0.95× the no-crypto echo${range(commit?.vsEchoRange)}${referenceOf('write (cookies())', 'vsEcho')}`,
  commit?.vsEcho,
  0.95,
  'min',
  commit ? undefined : 'run bench/server.mjs',
)
const read = route('read (page)')
add(
  `server: a page that only reads ≥ 0.9× the noop route${range(read?.vsNoopRange)}${referenceOf('read (page)', 'vsNoop')}`,
  read?.vsNoop,
  0.9,
  'min',
  read ? undefined : 'run bench/server.mjs',
)

console.log(
  `\n## Targets (ratios of one run: encode/decode ${results.date ?? '?'}, server ${results.server?.date ?? '?'})\n`,
)
console.log(table(['target', 'measured', 'verdict'], rows))
const missed = rows.filter((r) => r[2] !== 'met').length
console.log(`\n${rows.length - missed} of ${rows.length} targets met.`)
