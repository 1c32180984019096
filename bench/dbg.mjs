import { createClient } from 'redis'
import { createCookieman } from 'next-cookieman'
import { redisStore } from 'next-cookieman/redis'
const client = await createClient({ url: `redis://127.0.0.1:${process.argv[2]}` }).connect()
const UA='Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36'
const cm = createCookieman({ secret: 'bench-secret-0123456789-abcdefghij-0123', defaults: () => ({ cart: [], note: '' }), limits: { fronts: ['nginx'] }, store: redisStore(client), spill: { first: ['cart'] } })
const item = (n) => ({ sku: `SKU-${String(n).padStart(6, '0')}`, name: `Ceramic mug #${n}`, qty: 1 + (n % 3) })
let h = new Headers({ 'user-agent': UA })
const s = await cm.decodeSession(h)
s.data.cart = Array.from({ length: 800 }, (_, i) => item(i))
const out = await cm.encodeSession(s, h)
h = new Headers({ 'user-agent': UA, cookie: out.setCookie.map((c) => c.slice(0, c.indexOf(';'))).join('; ') })
const t0 = performance.now()
for (let i = 0; i < 3000; i++) await cm.decodeSession(h)
console.log(((performance.now() - t0) / 3000 * 1000).toFixed(0), 'µs mean')
await client.quit()
