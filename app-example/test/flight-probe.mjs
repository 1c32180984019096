// Run by flight.test.ts as `node --conditions=react-server flight-probe.mjs <production|development>`:
// commit reports from the built package, sent through React's Flight protocol the two ways a
// server action sends them (server -> client as its result, client -> server as useActionState's
// previous state). Prints JSON: what arrived each way, what JSON makes of the report, and every
// console.error/warn React printed.
import { createRequire } from 'node:module'

process.env.NODE_ENV = process.argv[2]
const require = createRequire(import.meta.url)
const flight = 'next/dist/compiled/react-server-dom-webpack'
const server = require(`${flight}/server.edge.js`)
const client = require(`${flight}/client.edge.js`)
const { createCookieman } = await import('next-cookieman')

const UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36'
const cm = createCookieman({
  secret: 'flight-probe-secret-0123456789-abcdef',
  defaults: () => ({ cart: [] }),
  limits: { maxCookieHeaderBytes: 4096 },
})
cm.register('cart', (d) => {
  d.cart.pop()
  return d
})
async function commit(cookie, change) {
  const headers = new Headers({ 'user-agent': UA, cookie })
  const session = await cm.decodeSession(headers)
  change(session)
  return cm.encodeSession(session, headers)
}
const written = await commit('', (s) => s.data.cart.push('sku-1'))
// A new session's first commit writes its chunks and nothing else: they are the next request's cookies.
const cookie = written.cookies.map((c) => `${c.name}=${c.value}`).join('; ')
const reports = {
  written: written.report,
  unchanged: (await commit(cookie, () => {})).report,
  shrunk: (await commit(cookie, (s) => (s.data.cart = Array.from({ length: 400 }, (_, i) => `sku-${i}`)))).report,
  destroyed: (await commit(cookie, (s) => s.destroy())).report,
}

// React's complaints only, from here on (the package's own trim warning above is not one).
const warnings = []
for (const level of ['error', 'warn']) console[level] = (...args) => warnings.push(args.map(String).join(' '))
const manifest = { serverConsumerManifest: { moduleMap: {}, serverModuleMap: null, moduleLoading: null } }
const out = { warnings, reports: {} }
for (const [name, report] of Object.entries(reports)) {
  const entry = { json: JSON.parse(JSON.stringify(report)) }
  try {
    const stream = server.renderToReadableStream(report, {}, { onError: (e) => warnings.push(`onError ${e.message}`) })
    entry.toClient = await client.createFromReadableStream(stream, manifest)
  } catch (e) {
    entry.toClient = `threw: ${e.message}`
  }
  try {
    entry.toServer = await server.decodeReply(await client.encodeReply(report), {})
  } catch (e) {
    entry.toServer = `threw: ${e.message}`
  }
  out.reports[name] = entry
}
process.stdout.write(JSON.stringify(out))
