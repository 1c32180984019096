import { createClient } from 'redis'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createCookieman } from '../create.js'
import { redisStore } from '../redis.js'
import type { SessionErrorCode } from '../errors.js'
import { DIRECT, Jar, SECRET } from '../test-support/jar.js'
import { skus, type Cart } from '../test-support/engine.js'
import { startRedis, type RedisServer } from '../test-support/redis.js'
import type { SessionStore, SpillOptions } from './types.js'

// Spill-over against a real Redis (Debian's redis-server on 127.0.0.1, a free port).

type Client = ReturnType<typeof createClient>
let server: RedisServer
let client: Client

beforeAll(async () => {
  server = await startRedis()
  client = createClient({ url: server.url })
  client.on('error', () => {})
  await client.connect()
})
afterAll(async () => {
  await client.quit()
  await server.stop()
})
beforeEach(async () => {
  await client.flushAll()
  await client.configResetStat()
})

/** Calls of one Redis command since the last reset (INFO commandstats). */
async function calls(command: string): Promise<number> {
  const info = await client.info('commandstats')
  const m = new RegExp(`cmdstat_${command}:calls=(\\d+)`).exec(info)
  return m === null ? 0 : Number(m[1])
}

function make(
  store: SessionStore,
  spill?: SpillOptions<keyof Cart & string>,
  extra: { maxAge?: number; rolling?: boolean } = {},
) {
  const errors: SessionErrorCode[] = []
  const cm = createCookieman<Cart>({
    secret: SECRET,
    defaults: () => ({ cart: [], recent: [] }),
    onError: (e) => errors.push(e.code),
    limits: DIRECT,
    store,
    ...(spill === undefined ? {} : { spill }),
    ...extra,
  })
  return { cm, errors }
}

async function commit(cm: ReturnType<typeof make>['cm'], jar: Jar, mutate: (d: Cart) => void) {
  const session = await cm.decodeSession(jar.headers())
  mutate(session.data)
  const out = await cm.encodeSession(session, jar.headers())
  jar.apply(out.setCookie)
  return { ...out, session }
}

// 2,000 SKUs of 24 characters: 54 KB of JSON, far over the 7.6 KB the budget holds.
const BIG = skus(2000)
const BIG_BYTES = JSON.stringify({ cart: BIG }).length

describe('spill-over to Redis', () => {
  it('a 54 KB session comes back whole, the cart read from Redis in one GET', async () => {
    const { cm, errors } = make(redisStore(client))
    const jar = new Jar()
    const { report } = await commit(cm, jar, (d) => {
      d.cart = BIG
      d.userId = 'u-1'
    })
    expect(report.store).toEqual({ keys: ['cart'], bytes: BIG_BYTES, written: true, deleted: false })
    expect(report.droppedKeys).toEqual([])
    expect(report.steps).toEqual([{ phase: 2, keys: ['cart'], count: 1, spilled: true }])
    expect(report.chunks).toBe(1)
    expect(jar.names()).toEqual(['session'])
    const keys = await client.keys('*')
    expect(keys).toHaveLength(1)
    expect(keys[0]).toMatch(/^next-cookieman:session\.store:[A-Za-z0-9_-]{22}$/)
    await client.configResetStat()
    const read = await cm.decodeSession(jar.headers())
    expect(read.data).toEqual({ cart: BIG, recent: [], userId: 'u-1' })
    expect(read.stored).toEqual({ keys: ['cart'], bytes: BIG_BYTES })
    expect(read.error).toBeUndefined()
    expect(await calls('get')).toBe(1)
    // Read whole and committed unchanged: nothing is written, in the cookies or in Redis.
    const again = await cm.encodeSession(read, jar.headers())
    expect([again.report.unchanged, again.setCookie, await calls('set')]).toEqual([true, [], 0])
    expect(errors).toEqual([])
  })

  it('the stored value lives as long as the cookie (TTL = maxAge), and is sealed: no SKU readable in Redis', async () => {
    const { cm } = make(redisStore(client), undefined, { maxAge: 3600 })
    const jar = new Jar()
    await commit(cm, jar, (d) => (d.cart = BIG))
    const [key] = await client.keys('*')
    const pttl = await client.pTTL(key!)
    expect(pttl).toBeGreaterThan(3_598_000)
    expect(pttl).toBeLessThanOrEqual(3_600_000)
    const stored = (await client.get(key!))!
    expect(stored).not.toContain('sku-')
  })

  it('an unchanged stored part is not written again when the cookie part changes', async () => {
    const { cm } = make(redisStore(client))
    const jar = new Jar()
    await commit(cm, jar, (d) => (d.cart = BIG))
    const [key] = await client.keys('*')
    await client.configResetStat()
    const { report } = await commit(cm, jar, (d) => (d.userId = 'u-2'))
    expect(report.store).toEqual({ keys: ['cart'], bytes: BIG_BYTES, written: false, deleted: false })
    expect(await calls('set')).toBe(0)
    expect(await client.keys('*')).toEqual([key])
    expect((await cm.decodeSession(jar.headers())).data).toEqual({ cart: BIG, recent: [], userId: 'u-2' })
  })

  it('a changed stored part goes under a new id; the old one expires within 60 s (a store with touch) or goes (without)', async () => {
    const { cm } = make(redisStore(client))
    const jar = new Jar()
    await commit(cm, jar, (d) => (d.cart = BIG))
    const [first] = await client.keys('*')
    const { report } = await commit(cm, jar, (d) => d.cart.push('sku-new'))
    expect(report.store).toMatchObject({ keys: ['cart'], written: true, deleted: true })
    const keys = await client.keys('*')
    expect(keys).toHaveLength(2)
    const pttl = await client.pTTL(first!)
    expect(pttl).toBeGreaterThan(58_000)
    expect(pttl).toBeLessThanOrEqual(60_000)
    expect((await cm.decodeSession(jar.headers())).data.cart).toEqual([...BIG, 'sku-new'])

    // Without touch: deleted at once.
    const { touch: _touch, ...noTouch } = redisStore(client)
    const bare = make(noTouch)
    await client.flushAll()
    const other = new Jar()
    await commit(bare.cm, other, (d) => (d.cart = BIG))
    const [old] = await client.keys('*')
    await commit(bare.cm, other, (d) => d.cart.push('sku-new'))
    expect(await client.exists(old!)).toBe(0)
    expect(await client.dbSize()).toBe(1)
  })

  it('two requests sent with the same cookie: the second still reads the whole session after the first replaced it', async () => {
    const { cm, errors } = make(redisStore(client))
    const jar = new Jar()
    await commit(cm, jar, (d) => (d.cart = BIG))
    const sent = jar.headers()
    // The first request's commit replaces the stored part (its response reaches the browser).
    await commit(cm, jar, (d) => d.cart.push('first'))
    // The second was sent before that response arrived: it reads what it carries, whole, and commits.
    const second = await cm.decodeSession(sent)
    expect([second.error, second.data.cart.length]).toEqual([undefined, BIG.length])
    second.data.cart.push('second')
    const out = await cm.encodeSession(second, sent)
    jar.apply(out.setCookie)
    // The last response wins, as for any cookie, and it is whole.
    expect((await cm.decodeSession(jar.headers())).data.cart).toEqual([...BIG, 'second'])
    expect(errors).toEqual([])
  })

  it('a session that fits its cookies again leaves nothing in Redis but the old part, expiring within 60 s', async () => {
    const { cm } = make(redisStore(client))
    const jar = new Jar()
    await commit(cm, jar, (d) => (d.cart = BIG))
    const [old] = await client.keys('*')
    const { report } = await commit(cm, jar, (d) => (d.cart = ['one']))
    expect(report.store).toEqual({ keys: [], bytes: 0, written: false, deleted: true })
    expect(await client.keys('*')).toEqual([old])
    expect(await client.pTTL(old!)).toBeLessThanOrEqual(60_000)
    const read = await cm.decodeSession(jar.headers())
    expect(read.data.cart).toEqual(['one'])
    expect(read.stored).toBeUndefined()
  })

  it('destroy() deletes the stored part with the chunks', async () => {
    const { cm } = make(redisStore(client))
    const jar = new Jar()
    await commit(cm, jar, (d) => (d.cart = BIG))
    const session = await cm.decodeSession(jar.headers())
    session.destroy()
    const out = await cm.encodeSession(session, jar.headers())
    jar.apply(out.setCookie)
    expect(out.report.store).toEqual({ keys: [], bytes: 0, written: false, deleted: true })
    expect(await client.dbSize()).toBe(0)
    expect(jar.names()).toEqual([])
  })

  it('a swapped or edited stored value fails closed: a new session, ERR_SESSION_TAMPERED', async () => {
    const { cm, errors } = make(redisStore(client))
    const alice = new Jar()
    const bob = new Jar()
    await commit(cm, alice, (d) => ((d.cart = BIG), (d.userId = 'alice')))
    const [aliceKey] = await client.keys('*')
    await commit(cm, bob, (d) => ((d.cart = [...BIG, 'bob']), (d.userId = 'bob')))
    const bobKey = (await client.keys('*')).find((k) => k !== aliceKey)!
    const aliceValue = (await client.get(aliceKey!))!
    // Bob's value under Alice's key: sealed with the same keys, so only the reference catches it.
    await client.set(aliceKey!, (await client.get(bobKey))!)
    const swapped = await cm.decodeSession(alice.headers())
    expect([swapped.isNew, swapped.error?.code, swapped.data]).toEqual([
      true,
      'ERR_SESSION_TAMPERED',
      { cart: [], recent: [] },
    ])
    // One character of Alice's own value changed.
    const at = aliceValue.length - 30
    const flipped = aliceValue.slice(0, at) + (aliceValue[at] === 'A' ? 'B' : 'A') + aliceValue.slice(at + 1)
    await client.set(aliceKey!, flipped)
    const edited = await cm.decodeSession(alice.headers())
    expect([edited.isNew, edited.error?.code]).toEqual([true, 'ERR_SESSION_TAMPERED'])
    await client.set(aliceKey!, aliceValue)
    expect((await cm.decodeSession(alice.headers())).data.userId).toBe('alice')
    expect(errors).toEqual(['ERR_SESSION_TAMPERED', 'ERR_SESSION_TAMPERED'])
  })

  it('a value deleted behind its back: the cookie part, ERR_SESSION_STORE, and the next commit drops the reference', async () => {
    const { cm, errors } = make(redisStore(client))
    const jar = new Jar()
    await commit(cm, jar, (d) => ((d.cart = BIG), (d.userId = 'u-3')))
    await client.flushAll()
    const read = await cm.decodeSession(jar.headers())
    expect([read.isNew, read.error?.code, read.data]).toEqual([
      false,
      'ERR_SESSION_STORE',
      { cart: [], recent: [], userId: 'u-3' },
    ])
    const out = await cm.encodeSession(read, jar.headers())
    jar.apply(out.setCookie)
    expect([out.report.unchanged, out.report.store]).toEqual([
      false,
      { keys: [], bytes: 0, written: false, deleted: false },
    ])
    const again = await cm.decodeSession(jar.headers())
    expect([again.error, again.data.userId]).toEqual([undefined, 'u-3'])
    expect(errors).toEqual(['ERR_SESSION_STORE'])
  })

  it('spill.first keeps a key whole instead of trimming it; spill.never keeps one out of the store', async () => {
    const trimOldest = (d: Partial<Cart>, _last: boolean, info: { overBytes: number }) => {
      d.cart?.splice(0, Math.ceil(info.overBytes / 27))
      return d
    }
    const plain = make(redisStore(client))
    plain.cm.register('cart', trimOldest)
    const trimmed = await commit(plain.cm, new Jar(), (d) => (d.cart = BIG))
    expect(trimmed.report.store).toMatchObject({ keys: [] })
    expect(trimmed.report.trimmedKeys).toEqual(['cart'])

    const first = make(redisStore(client), { first: ['cart'] })
    first.cm.register('cart', trimOldest)
    const whole = await commit(first.cm, new Jar(), (d) => (d.cart = BIG))
    expect(whole.report.steps).toEqual([{ phase: 0, keys: ['cart'], count: 1, spilled: true }])
    expect(whole.report.trimmedKeys).toEqual([])
    expect(whole.session.data.cart).toEqual(BIG)

    const never = make(redisStore(client), { never: ['note'] })
    const jar = new Jar()
    const { report } = await commit(never.cm, jar, (d) => ((d.cart = BIG), (d.note = 'n'.repeat(20_000))))
    // Every key that may spill goes before the one that may not is dropped.
    expect(report.store?.keys).toEqual(['cart', 'recent'])
    expect(report.droppedKeys).toEqual(['note'])
    expect(report.steps).toEqual([
      { phase: 2, keys: ['cart'], count: 1, spilled: true },
      { phase: 2, keys: ['recent'], count: 1, spilled: true },
      { phase: 4, keys: ['note'], count: 1 },
    ])
    expect((await never.cm.decodeSession(jar.headers())).data).toEqual({ cart: BIG, recent: [] })
  })

  it('the proxy never reads the store: a rolling re-issue keeps the reference and extends its TTL (EXPIRE)', async () => {
    let now = Date.parse('2026-12-01T12:00:00Z')
    const { cm } = make(redisStore(client), undefined, { maxAge: 3600, rolling: true })
    const clock = Date.now
    Date.now = () => now
    try {
      const jar = new Jar()
      await commit(cm, jar, (d) => (d.cart = BIG))
      const [key] = await client.keys('*')
      now += 2000 * 1000 // past maxAge / 2
      await client.configResetStat()
      const plan = await cm.planProxy(jar.headers(), undefined, 'GET')
      jar.apply(plan.setCookie)
      expect(plan.setCookie.some((l) => l.startsWith('session='))).toBe(true)
      expect([await calls('get'), await calls('set'), await calls('expire')]).toEqual([0, 0, 1])
      expect(await client.keys('*')).toEqual([key])
      expect(await client.pTTL(key!)).toBeGreaterThan(3_598_000)
      expect((await cm.decodeSession(jar.headers())).data.cart).toEqual(BIG)
    } finally {
      Date.now = clock
    }
  })

  it('"log out everywhere": a per-user epoch in the store, checked by verify()', async () => {
    const store = redisStore(client)
    const epochKey = (userId: string) => `epoch:${userId}`
    type User = Cart & { loginAt?: number }
    const cm = createCookieman<User>({
      secret: SECRET,
      defaults: () => ({ cart: [], recent: [] }),
      limits: DIRECT,
      store,
      // Sessions logged in before the user's epoch are refused.
      verify: async (data) =>
        data.userId === undefined || (data.loginAt ?? 0) >= Number((await store.get(epochKey(data.userId))) ?? 0),
    })
    const login = async (jar: Jar, at: number) => {
      const s = await cm.decodeSession(jar.headers())
      s.data.userId = 'u-9'
      s.data.loginAt = at
      s.data.cart = BIG
      jar.apply((await cm.encodeSession(s, jar.headers())).setCookie)
    }
    const laptop = new Jar()
    const phone = new Jar()
    await login(laptop, 1000)
    await login(phone, 1001)
    expect((await cm.decodeSession(phone.headers())).data.userId).toBe('u-9')
    // Log out everywhere: the epoch moves past every login so far.
    await store.set(epochKey('u-9'), String(1002), 3600)
    for (const jar of [laptop, phone]) {
      const s = await cm.decodeSession(jar.headers())
      expect([s.isNew, s.error?.code, s.data.userId]).toEqual([true, 'ERR_SESSION_EXPIRED', undefined])
    }
    await login(laptop, 1003)
    expect((await cm.decodeSession(laptop.headers())).data.userId).toBe('u-9')
  })
})

describe('a store that fails never fails a request', () => {
  it('down on read: the cookie part, ERR_SESSION_STORE once, within the timeout; unchanged, the reference stays', async () => {
    const own = await startRedis()
    const ownClient = createClient({ url: own.url, socket: { reconnectStrategy: 50 } })
    ownClient.on('error', () => {})
    await ownClient.connect()
    const { cm, errors } = make(redisStore(ownClient), { timeout: 300 })
    const jar = new Jar()
    await commit(cm, jar, (d) => ((d.cart = BIG), (d.userId = 'u-4')))
    const port = own.port
    await own.stop()
    const started = Date.now()
    const read = await cm.decodeSession(jar.headers())
    expect(Date.now() - started).toBeLessThan(1500)
    expect([read.isNew, read.error?.code, read.data]).toEqual([
      false,
      'ERR_SESSION_STORE',
      { cart: [], recent: [], userId: 'u-4' },
    ])
    const out = await cm.encodeSession(read, jar.headers())
    expect([out.report.unchanged, out.setCookie]).toEqual([true, []])
    expect(errors).toEqual(['ERR_SESSION_STORE'])
    // The store comes back empty (no persistence): the reference finds nothing, said so.
    const back = await startRedis(port)
    await new Promise((r) => setTimeout(r, 300))
    const later = await cm.decodeSession(jar.headers())
    expect(later.error?.code).toBe('ERR_SESSION_STORE')
    await ownClient.quit()
    await back.stop()
  })

  it('slow (CLIENT PAUSE): the read gives up after spill.timeout; once it answers, the session is whole', async () => {
    const { cm, errors } = make(redisStore(client), { timeout: 300 })
    const jar = new Jar()
    await commit(cm, jar, (d) => (d.cart = BIG))
    const admin = client.duplicate()
    await admin.connect()
    await admin.sendCommand(['CLIENT', 'PAUSE', '1500', 'ALL'])
    const started = Date.now()
    const read = await cm.decodeSession(jar.headers())
    expect(Date.now() - started).toBeLessThan(1200)
    expect([read.error?.code, read.data.cart]).toEqual(['ERR_SESSION_STORE', []])
    await new Promise((r) => setTimeout(r, 1600))
    expect((await cm.decodeSession(jar.headers())).data.cart).toEqual(BIG)
    expect(errors).toEqual(['ERR_SESSION_STORE'])
    await admin.quit()
  })

  it('a commit while the store cannot be read keeps the reference: the stored part comes back with the change', async () => {
    const { cm, errors } = make(redisStore(client), { timeout: 300 })
    const jar = new Jar()
    await commit(cm, jar, (d) => ((d.cart = BIG), (d.userId = 'u-7')))
    const admin = client.duplicate()
    await admin.connect()
    await admin.sendCommand(['CLIENT', 'PAUSE', '1500', 'ALL'])
    const { report, session } = await commit(cm, jar, (d) => (d.note = 'changed while Redis was paused'))
    expect([report.unchanged, report.chunks, session.data.cart]).toEqual([false, 1, []])
    await new Promise((r) => setTimeout(r, 1600))
    expect((await cm.decodeSession(jar.headers())).data).toEqual({
      cart: BIG,
      recent: [],
      userId: 'u-7',
      note: 'changed while Redis was paused',
    })
    expect(errors).toEqual(['ERR_SESSION_STORE'])
    await admin.quit()
  })

  it('down on commit: the drop rules, as without a store, and the report says so', async () => {
    const own = await startRedis()
    const ownClient = createClient({ url: own.url, socket: { reconnectStrategy: 50 } })
    ownClient.on('error', () => {})
    await ownClient.connect()
    const { cm, errors } = make(redisStore(ownClient), { timeout: 300 })
    await own.stop()
    const jar = new Jar()
    const { report, session } = await commit(cm, jar, (d) => ((d.cart = BIG), (d.userId = 'u-5')))
    expect(report.store?.error?.code).toBe('ERR_SESSION_STORE')
    expect(report.store).toMatchObject({ keys: [], written: false })
    expect(report.droppedKeys).toEqual(['cart'])
    expect(session.data).toEqual({ cart: [], recent: [], userId: 'u-5' })
    expect((await cm.decodeSession(jar.headers())).data).toEqual({ cart: [], recent: [], userId: 'u-5' })
    expect(errors).toEqual(['ERR_SESSION_STORE'])
    ownClient.destroy()
  })

  it('a cookie that refers to a store, read without one: the cookie part, ERR_SESSION_STORE', async () => {
    const { cm } = make(redisStore(client))
    const jar = new Jar()
    await commit(cm, jar, (d) => ((d.cart = BIG), (d.userId = 'u-6')))
    const errors: SessionErrorCode[] = []
    const bare = createCookieman<Cart>({
      secret: SECRET,
      defaults: () => ({ cart: [], recent: [] }),
      limits: DIRECT,
      onError: (e) => errors.push(e.code),
    })
    const read = await bare.decodeSession(jar.headers())
    expect([read.error?.code, read.data]).toEqual(['ERR_SESSION_STORE', { cart: [], recent: [], userId: 'u-6' }])
    expect(errors).toEqual(['ERR_SESSION_STORE'])
  })
})
