// Draws docs/bench.svg from bench/results.json (written by `npm run bench`): encode + decode time
// per payload size, capacity under a Cookie header budget, and the server's requests per second
// against its controls. Plain SVG, no dependencies.
import { readFile, writeFile } from 'node:fs/promises'
import { machineLine } from './report.mjs'

const results = JSON.parse(await readFile(new URL('./results.json', import.meta.url), 'utf8'))
const OUT = new URL('../docs/bench.svg', import.meta.url)

const LIBS = [
  ['floor', 'floor (JSON + base64url)', '#9aa0a6'],
  ['cookieman', 'next-cookieman', '#1a73e8'],
  ['cookieman-deflate', 'next-cookieman + deflate', '#0b8043'],
  ['iron', 'iron-session 9', '#e37400'],
  ['authjs', 'Auth.js', '#a142f4'],
]
const color = Object.fromEntries(LIBS.map(([id, , c]) => [id, c]))
const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
const text = (x, y, s, attrs = '') => `<text x="${x}" y="${y}" ${attrs}>${esc(s)}</text>`
const out = []

const W = 1320
const H = 580
out.push(
  `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="system-ui, -apple-system, Segoe UI, sans-serif" font-size="12">`,
  `<rect width="${W}" height="${H}" fill="#fff"/>`,
  text(20, 28, 'next-cookieman vs iron-session and Auth.js (npm run bench)', 'font-size="17" font-weight="600"'),
  text(
    20,
    48,
    `${machineLine(results.machine)} · ${results.date.slice(0, 10)} · sealing: ${results.backend}`,
    'fill="#5f6368"',
  ),
)

// Legend
LIBS.forEach(([, name, c], i) => {
  const x = 20 + i * 200
  out.push(`<rect x="${x}" y="62" width="12" height="12" fill="${c}"/>`, text(x + 18, 72, name))
})

// Panel 1: encode + decode p50, log scale, grouped by size.
{
  const x0 = 70
  const y0 = 128
  const w = 520
  const h = 360
  const sizes = [...new Set(results.timing.map((t) => t.size))]
  const ms = (t) => t.encode.p50 + t.decode.p50
  const values = results.timing.map(ms)
  const lo = Math.pow(10, Math.floor(Math.log10(Math.min(...values))))
  const hi = Math.pow(10, Math.ceil(Math.log10(Math.max(...values))))
  const y = (v) => y0 + h - ((Math.log10(v) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo))) * h
  out.push(text(x0, y0 - 32, 'Encode + decode, p50 (log scale; lower is better)', 'font-weight="600"'))
  for (let e = Math.log10(lo); e <= Math.log10(hi); e++) {
    const v = Math.pow(10, e)
    out.push(
      `<line x1="${x0}" x2="${x0 + w}" y1="${y(v)}" y2="${y(v)}" stroke="#e8eaed"/>`,
      text(x0 - 8, y(v) + 4, v >= 1 ? `${v} ms` : `${v * 1000} µs`, 'text-anchor="end" fill="#5f6368"'),
    )
  }
  const group = w / sizes.length
  const bar = (group - 16) / LIBS.length
  sizes.forEach((size, i) => {
    const gx = x0 + i * group + 8
    LIBS.forEach(([id], j) => {
      const t = results.timing.find((r) => r.size === size && r.library === id)
      if (!t) return
      const top = y(ms(t))
      out.push(
        `<rect x="${gx + j * bar}" y="${top}" width="${bar - 2}" height="${y0 + h - top}" fill="${color[id]}"><title>${esc(`${id} ${size} B: ${(ms(t) * 1000).toFixed(0)} µs`)}</title></rect>`,
      )
    })
    const label = size < 1024 ? `${size} B` : `${size / 1024} KB`
    out.push(text(gx + (group - 16) / 2, y0 + h + 18, label, 'text-anchor="middle"'))
  })
  out.push(`<line x1="${x0}" x2="${x0 + w}" y1="${y0 + h}" y2="${y0 + h}" stroke="#5f6368"/>`)
}

// Panel 2: capacity under 8 and 16 KiB of Cookie header.
{
  const x0 = 680
  const y0 = 128
  const w = 220
  const h = 360
  const ids = ['cookieman', 'cookieman-deflate', 'iron', 'authjs']
  const max = Math.max(...results.capacity.map((c) => c.jsonBytes))
  const top = Math.ceil(max / 5000) * 5000
  const y = (v) => y0 + h - (v / top) * h
  out.push(
    text(x0 - 40, y0 - 32, 'Largest session under a Cookie header', 'font-weight="600"'),
    text(x0 - 40, y0 - 17, 'budget (JSON KB; higher is better)', 'fill="#5f6368"'),
  )
  for (let v = 0; v <= top; v += 5000) {
    out.push(
      `<line x1="${x0}" x2="${x0 + w}" y1="${y(v)}" y2="${y(v)}" stroke="#e8eaed"/>`,
      text(x0 - 8, y(v) + 4, `${v / 1000}`, 'text-anchor="end" fill="#5f6368"'),
    )
  }
  const group = w / 2
  const bar = (group - 16) / ids.length
  ;[8192, 16384].forEach((budget, i) => {
    const gx = x0 + i * group + 8
    ids.forEach((id, j) => {
      const c = results.capacity.find((r) => r.budget === budget && r.library === id)
      const t = y(c.jsonBytes)
      out.push(
        `<rect x="${gx + j * bar}" y="${t}" width="${bar - 2}" height="${y0 + h - t}" fill="${color[id]}"><title>${esc(`${id}: ${c.jsonBytes} bytes`)}</title></rect>`,
      )
    })
    out.push(text(gx + (group - 16) / 2, y0 + h + 18, `${budget / 1024} KiB`, 'text-anchor="middle"'))
  })
  out.push(`<line x1="${x0}" x2="${x0 + w}" y1="${y0 + h}" y2="${y0 + h}" stroke="#5f6368"/>`)
}

// Panel 3: server requests per second, relative to the cookies() echo route of the same jar.
if (results.server) {
  const x0 = 990
  const y0 = 128
  const w = 310
  const h = 360
  const jars = [...new Set(results.server.routes.map((r) => r.jar))]
  const rows = results.server.routes.filter((r) => r.route !== 'noop')
  const top = Math.ceil(Math.max(...rows.map((r) => r.vsEcho)) * 2) / 2
  const y = (v) => y0 + h - (v / top) * h
  out.push(
    text(x0 - 40, y0 - 32, 'Server: req/s ÷ the cookies() echo route', 'font-weight="600"'),
    text(x0 - 40, y0 - 17, '(same cookies; 16 KB session; higher is better)', 'fill="#5f6368"'),
  )
  for (let v = 0; v <= top + 1e-9; v += 0.5) {
    out.push(
      `<line x1="${x0}" x2="${x0 + w}" y1="${y(v)}" y2="${y(v)}" stroke="#e8eaed"/>`,
      text(x0 - 8, y(v) + 4, v.toFixed(1), 'text-anchor="end" fill="#5f6368"'),
    )
  }
  const lib = { plain: 'cookieman', deflate: 'cookieman-deflate', authjs: 'authjs', reference: 'reference' }
  const short = { plain: 'plain', deflate: 'deflate', authjs: 'Auth.js', reference: 'node:crypto' }
  const fillOf = { ...color, reference: '#5f6368' }
  const group = w / jars.length
  jars.forEach((jar, i) => {
    const mine = rows.filter((r) => r.jar === jar)
    const bar = (group - 12) / mine.length
    const gx = x0 + i * group + 6
    mine.forEach((r, j) => {
      const t = y(r.vsEcho)
      const fill = r.route === 'echo' ? '#dadce0' : fillOf[lib[r.jar]]
      const opacity = r.route.startsWith('read')
        ? ' fill-opacity="0.55"'
        : r.route.includes('cookies()')
          ? ' fill-opacity="0.75"'
          : ''
      out.push(
        `<rect x="${gx + j * bar}" y="${t}" width="${bar - 2}" height="${y0 + h - t}" fill="${fill}"${opacity}><title>${esc(`${r.jar} ${r.route}: ${r.rps.toFixed(0)} req/s, ${r.vsEcho.toFixed(2)} × echo`)}</title></rect>`,
      )
    })
    out.push(text(gx + (group - 12) / 2, y0 + h + 18, short[jar], 'text-anchor="middle"'))
  })
  // The target for a commit through cookies().set(): 0.95× the echo of the same cookies.
  const target = y(0.95)
  out.push(
    `<line x1="${x0}" x2="${x0 + w}" y1="${target}" y2="${target}" stroke="#d93025" stroke-dasharray="4 3"/>`,
    text(x0 + w, target - 4, 'cookies() write target 0.95', 'text-anchor="end" fill="#d93025"'),
    `<line x1="${x0}" x2="${x0 + w}" y1="${y0 + h}" y2="${y0 + h}" stroke="#5f6368"/>`,
    text(x0 - 40, y0 + h + 40, 'Per jar: reads (light: a page; then + unchanged commit),', 'fill="#5f6368"'),
    text(x0 - 40, y0 + h + 54, 'write onto the Response, echo (grey), write via cookies().', 'fill="#5f6368"'),
    text(x0 - 40, y0 + h + 68, 'node:crypto: the reference seal, read and write only.', 'fill="#5f6368"'),
  )
}

out.push('</svg>')
await writeFile(OUT, out.join('\n') + '\n')
console.log(`Wrote ${new URL(OUT).pathname}`)
