import * as v from 'valibot'
import { describe, expect, expectTypeOf, it, vi } from 'vitest'
import { z } from 'zod'
import { createCookieman } from './create.js'
import type { CookiemanOptions } from './options/types.js'
import { SessionError, type SessionErrorCode } from './errors.js'
import { sealsPerformed } from './seal.js'
import { freezeClock } from './test-support/clock.js'
import { NOW } from './test-support/engine.js'
import { CHROME_UA, DIRECT, Jar, SECRET } from './test-support/jar.js'

// Issue 14 part 1: stored data is older than the code that reads it. A Standard Schema validates
// every authentic read (its output is what the app sees), refuses commits of data it refuses, and
// `version` + `migrate` upgrade old shapes instead of dropping them.

freezeClock(NOW)

const Item = z.object({ sku: z.string(), qty: z.number().int().positive() })
const Shop = z.object({
  user: z.object({ id: z.number().int() }).optional(),
  cart: z.array(Item),
  recent: z.array(z.string()).default([]),
  theme: z
    .string()
    .transform((s) => s.trim().toLowerCase())
    .optional(),
})
type ShopOut = z.output<typeof Shop>

function instance<O extends object>(options: Omit<CookiemanOptions<O>, 'secret'>) {
  const errors: SessionError[] = []
  const cm = createCookieman<O>({
    secret: SECRET,
    onError: (e) => errors.push(e),
    ...options,
    limits: DIRECT,
  } as CookiemanOptions<O>)
  return { cm, errors, codes: () => errors.map((e) => e.code) }
}

/** An instance without a schema, to write what an older deployment stored. */
const legacy = () => instance<Record<string, unknown>>({})

async function write(cm: ReturnType<typeof legacy>['cm'], jar: Jar, data: Record<string, unknown>) {
  const s = await cm.decodeSession(jar.headers())
  s.data = data
  jar.apply((await cm.encodeSession(s, jar.headers())).setCookie)
}

describe('schema option: types', () => {
  it('infers the data type from a zod schema, with no type parameter', async () => {
    const cm = createCookieman({ secret: SECRET, schema: Shop, defaults: () => ({ cart: [], recent: [] }) })
    const s = await cm.decodeSession(new Headers())
    expectTypeOf(s.data).toEqualTypeOf<ShopOut>()
    // @ts-expect-error the defaults must be the schema's output type
    void (() => createCookieman({ secret: SECRET, schema: Shop, defaults: () => ({ cart: 'none' }) }))
    // @ts-expect-error a shrink function registers keys of the schema's output
    void (() => cm.register('nope', (d) => d))
    expect(s.data).toEqual({ cart: [], recent: [] })
  })

  it('infers it from a valibot schema too', async () => {
    const Prefs = v.object({ theme: v.optional(v.picklist(['light', 'dark'])), seen: v.optional(v.number()) })
    const cm = createCookieman({ secret: SECRET, schema: Prefs })
    const s = await cm.decodeSession(new Headers())
    expectTypeOf(s.data).toEqualTypeOf<{ theme?: 'light' | 'dark'; seen?: number }>()
    s.data.theme = 'dark'
    const jar = new Jar(CHROME_UA)
    jar.apply((await cm.encodeSession(s, jar.headers())).setCookie)
    expect((await cm.decodeSession(jar.headers())).data).toEqual({ theme: 'dark' })
  })

  it('refuses what is not a Standard Schema, naming the option', () => {
    expect(() => createCookieman({ secret: SECRET, schema: { parse: () => ({}) } as never })).toThrow(
      'option schema must be a Standard Schema v1 (a zod 4, valibot or ArkType schema, for example z.object({ ... }))',
    )
    expect(() => createCookieman({ secret: SECRET, migrate: (d) => d })).toThrow(
      'option migrate needs a version: the version of the data shape this code reads and writes',
    )
    expect(() => createCookieman({ secret: SECRET, version: 0 })).toThrow(
      'option version must be an integer >= 1, got 0',
    )
  })
})

describe('schema option: read', () => {
  it('an old cookie whose shape the schema refuses is a new session with ERR_SESSION_INVALID, once, never a throw', async () => {
    const jar = new Jar(CHROME_UA)
    // What the previous deployment stored: user.id was a string then.
    await write(legacy().cm, jar, { user: { id: 'u-17' }, cart: [{ sku: 'a', qty: 1 }] })
    const { cm, errors } = instance<ShopOut>({ schema: Shop, defaults: () => ({ cart: [], recent: [] }) })
    const s = await cm.decodeSession(jar.headers())
    expect(s.data).toEqual({ cart: [], recent: [] })
    expect(s.isNew).toBe(true)
    expect(s.error?.code).toBe('ERR_SESSION_INVALID')
    expect(s.error?.message).toBe(
      'session cookie session holds data the schema refuses (user.id: Invalid input: expected number, received string): a new session was started',
    )
    const cause = s.error?.cause as readonly { message: string; path: PropertyKey[] }[]
    expect(cause.map((i) => i.path)).toEqual([['user', 'id']])
    expect(errors).toEqual([s.error])
  })

  it("the app sees the schema's output: its defaults and transforms apply, over defaults() merged under", async () => {
    const jar = new Jar(CHROME_UA)
    await write(legacy().cm, jar, { cart: [{ sku: 'a', qty: 2 }], theme: '  Dark ' })
    const { cm, errors } = instance<ShopOut>({ schema: Shop, defaults: () => ({ cart: [] }) as never })
    const s = await cm.decodeSession(jar.headers())
    expect(s.data).toEqual({ cart: [{ sku: 'a', qty: 2 }], recent: [], theme: 'dark' })
    expect(errors).toEqual([])
    // Unchanged output: a commit writes nothing.
    expect((await cm.encodeSession(s, jar.headers())).report.unchanged).toBe(true)
  })

  it('validates once per decode, and the proxy does not validate', async () => {
    const schema = {
      '~standard': {
        version: 1 as const,
        vendor: 'test',
        validate: vi.fn((value: unknown) => ({ value: value as { n?: number } })),
      },
    }
    const { cm } = instance<{ n?: number }>({ schema, rolling: true })
    const jar = new Jar(CHROME_UA)
    const s = await cm.decodeSession(jar.headers())
    expect(schema['~standard'].validate).toHaveBeenCalledTimes(0) // nothing stored: defaults, not validated
    s.data.n = 1
    jar.apply((await cm.encodeSession(s, jar.headers())).setCookie)
    expect(schema['~standard'].validate).toHaveBeenCalledTimes(1) // the changed data, at commit
    await cm.planProxy(jar.headers(), undefined, 'GET')
    expect(schema['~standard'].validate).toHaveBeenCalledTimes(1)
    await cm.decodeSession(jar.headers())
    expect(schema['~standard'].validate).toHaveBeenCalledTimes(2)
  })

  it('an async schema and one that throws: the throw is ERR_SESSION_INVALID, never a 500', async () => {
    const jar = new Jar(CHROME_UA)
    await write(legacy().cm, jar, { n: 1 })
    const throwing = {
      '~standard': {
        version: 1 as const,
        vendor: 'test',
        validate: async (): Promise<never> => {
          throw new Error('boom')
        },
      },
    }
    const { cm, codes } = instance<{ n?: number }>({ schema: throwing })
    const s = await cm.decodeSession(jar.headers())
    expect(s.error?.message).toBe(
      'session cookie session holds data the schema refuses (the schema threw: boom): a new session was started',
    )
    expect(codes()).toEqual(['ERR_SESSION_INVALID'])
  })
})

describe('schema option: commit', () => {
  it('a commit of data the schema refuses throws ERR_SESSION_INVALID before anything is sealed, the session as it was', async () => {
    const { cm, errors } = instance<ShopOut>({ schema: Shop, defaults: () => ({ cart: [], recent: [] }) })
    const jar = new Jar(CHROME_UA)
    const s = await cm.decodeSession(jar.headers())
    s.data.cart.push({ sku: 'a', qty: 0 })
    const seals = sealsPerformed()
    const thrown = await cm.encodeSession(s, jar.headers()).catch((e: unknown) => e)
    expect(thrown).toBeInstanceOf(SessionError)
    expect((thrown as SessionError).code satisfies SessionErrorCode).toBe('ERR_SESSION_INVALID')
    expect((thrown as SessionError).message).toBe(
      'session data does not match the schema, nothing was written (cart.0.qty: Too small: expected number to be >0)',
    )
    expect(sealsPerformed()).toBe(seals)
    expect(s.isNew).toBe(true)
    expect(errors).toEqual([])
    s.data.cart[0]!.qty = 1
    const out = await cm.encodeSession(s, jar.headers())
    expect(out.setCookie).toHaveLength(1)
  })
})

describe('version and migrate', () => {
  const V2 = z.object({ cart: z.array(Item), recent: z.array(z.string()) })
  type V2 = z.output<typeof V2>
  const migrate = vi.fn((data: Record<string, unknown>, from: number) =>
    from < 2 ? { cart: (data['items'] as { id: string; n: number }[]).map((i) => ({ sku: i.id, qty: i.n })) } : data,
  )
  const v2 = () => instance<V2>({ schema: V2, version: 2, migrate, defaults: () => ({ cart: [], recent: [] }) })

  it('upgrades a session of an older shape instead of dropping it; its next commit stores the new shape', async () => {
    migrate.mockClear()
    const jar = new Jar(CHROME_UA)
    await write(legacy().cm, jar, { items: [{ id: 'a', n: 3 }] })
    const { cm, errors } = v2()
    const s = await cm.decodeSession(jar.headers())
    expect(s.data).toEqual({ cart: [{ sku: 'a', qty: 3 }], recent: [] })
    expect(migrate).toHaveBeenCalledWith({ items: [{ id: 'a', n: 3 }] }, 0)
    expect(errors).toEqual([])
    // Migrated: written on the next commit even unchanged, with version 2 sealed with it.
    const out = await cm.encodeSession(s, jar.headers())
    expect(out.report.unchanged).toBe(false)
    jar.apply(out.setCookie)
    // Wire fields after the chunk header: kid, iat, exp, flags 6 (aged and versioned), age, version.
    expect(jar.cookies.get('session')!.split('.').slice(2, 8).slice(3)).toEqual(['6', '0', '2'])
    migrate.mockClear()
    expect((await cm.decodeSession(jar.headers())).data).toEqual({ cart: [{ sku: 'a', qty: 3 }], recent: [] })
    expect(migrate).not.toHaveBeenCalled()
  })

  it('the version is authenticated: a token relabelled as the current version fails verification', async () => {
    const jar = new Jar(CHROME_UA)
    const { cm, codes } = v2()
    const s = await cm.decodeSession(jar.headers())
    s.data.cart.push({ sku: 'a', qty: 1 })
    jar.apply((await cm.encodeSession(s, jar.headers())).setCookie)
    const value = jar.cookies.get('session')!
    const parts = value.split('.')
    expect(parts[7]).toBe('2')
    parts[7] = '1' // as if stored by version 1: migrate would run on current data
    jar.cookies.set('session', parts.join('.'))
    expect((await cm.decodeSession(jar.headers())).error?.code).toBe('ERR_SESSION_TAMPERED')
    expect(codes()).toEqual(['ERR_SESSION_TAMPERED'])
  })

  it('a migrate that throws or returns no object is ERR_SESSION_INVALID; a newer version is not migrated', async () => {
    const jar = new Jar(CHROME_UA)
    await write(legacy().cm, jar, { items: 'corrupt' })
    const { cm, errors } = v2()
    const s = await cm.decodeSession(jar.headers())
    expect(s.error?.code).toBe('ERR_SESSION_INVALID')
    expect(s.error?.message).toBe(
      'session cookie session: migrate() threw on data of version 0: a new session was started',
    )
    expect(errors).toHaveLength(1)
    // A session of version 3 (a newer deployment's) reaches the schema as it is.
    const v3 = instance<V2>({ schema: V2, version: 3, defaults: () => ({ cart: [], recent: [] }) })
    const newer = new Jar(CHROME_UA)
    const n = await v3.cm.decodeSession(newer.headers())
    n.data.cart.push({ sku: 'b', qty: 1 })
    newer.apply((await v3.cm.encodeSession(n, newer.headers())).setCookie)
    migrate.mockClear()
    expect((await cm.decodeSession(newer.headers())).data.cart).toEqual([{ sku: 'b', qty: 1 }])
    expect(migrate).not.toHaveBeenCalled()
  })

  it("the proxy's rolling re-issue keeps the stored version, so the app still migrates it", async () => {
    const jar = new Jar(CHROME_UA)
    const old = instance<Record<string, unknown>>({ version: 1, rolling: true, maxAge: 3600 })
    await write(old.cm, jar, { items: [{ id: 'a', n: 1 }] })
    const { cm } = instance<V2>({
      schema: V2,
      version: 2,
      migrate,
      rolling: true,
      maxAge: 3600,
      defaults: () => ({ cart: [], recent: [] }),
    })
    vi.setSystemTime(NOW.getTime() + 2000 * 1000)
    const decision = await cm.planProxy(jar.headers(), undefined, 'GET')
    expect(decision.setCookie).toHaveLength(1) // re-issued
    jar.apply(decision.setCookie)
    expect(jar.cookies.get('session')!.split('.')[7]).toBe('1')
    migrate.mockClear()
    expect((await cm.decodeSession(jar.headers())).data.cart).toEqual([{ sku: 'a', qty: 1 }])
    expect(migrate).toHaveBeenCalledWith({ items: [{ id: 'a', n: 1 }] }, 1)
    vi.setSystemTime(NOW)
  })

  it('data of a newer version committed by older code keeps its version: the newer code does not migrate it again', async () => {
    const jar = new Jar(CHROME_UA)
    const v1 = instance<Record<string, unknown>>({ version: 1, migrate: (d) => d })
    const { cm } = v2()
    const s = await cm.decodeSession(jar.headers())
    s.data.cart.push({ sku: 'x', qty: 1 })
    jar.apply((await cm.encodeSession(s, jar.headers())).setCookie)
    // A rollback: version-1 code reads the version-2 session, changes it and commits.
    const old = await v1.cm.decodeSession(jar.headers())
    old.data['visits'] = 1
    jar.apply((await v1.cm.encodeSession(old, jar.headers())).setCookie)
    expect(jar.cookies.get('session')!.split('.')[7]).toBe('2')
    migrate.mockClear()
    expect((await cm.decodeSession(jar.headers())).data.cart).toEqual([{ sku: 'x', qty: 1 }])
    expect(migrate).not.toHaveBeenCalled()
  })
})
