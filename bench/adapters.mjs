// One adapter per library, all driven the same way by bench/compare.mjs.
//   encode(data)    -> cookie values the seal produces  (timed: data to what goes in the cookie)
//   decode(cookies) -> data                              (timed: what the browser sends back to data)
//   wire(data, budget) -> the cookies the library writes through its own cookie layer, with their
//                         Set-Cookie lines, or { refused } when the library will not write it.
import { createRequire } from 'node:module'
import { stringifySetCookie } from 'cookie'
import { sealData, unsealData, getIronSession } from 'iron-session'
import { encode as authEncode, decode as authDecode } from '@auth/core/jwt'
import { createCookieman } from 'next-cookieman'
import { referenceSeal } from './reference.mjs'

// Auth.js's cookie chunking (SessionStore) is not in its package exports; load the file it ships.
const require = createRequire(import.meta.url)
const authCookieFile = require.resolve('@auth/core').replace(/index\.js$/, 'lib/utils/cookie.js')
const { SessionStore } = await import(authCookieFile)

export const SECRET = 'bench-secret-0123456789-abcdefghij-0123456789'
export const UA =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36'
/** Large enough that every payload fits in one commit, for the timing and wire tables. */
const UNBOUNDED = 1024 * 1024

const pairs = (cookies) => cookies.map((c) => `${c.name}=${c.value}`).join('; ')

/** The floor: JSON and base64url, no crypto, one value. */
export const floor = {
  name: 'floor (JSON + base64url)',
  id: 'floor',
  encode: (data) => [{ name: 'floor', value: Buffer.from(JSON.stringify(data)).toString('base64url') }],
  decode: (cookies) => JSON.parse(Buffer.from(cookies[0].value, 'base64url').toString()),
}

/** The reference for a sealed cookie on Node (./reference.mjs): node:crypto JWE, nothing else. */
const REF = referenceSeal(SECRET)
export const reference = {
  name: 'reference (JSON + node:crypto JWE)',
  id: 'reference',
  encode: (data) => [{ name: 'reference', value: REF.seal(data) }],
  decode: (cookies) => REF.open(cookies[0].value),
}

function ours({ compress, id, name }) {
  const engines = new Map()
  const engine = (maxCookieHeaderBytes, reserveBytes) => {
    const key = `${maxCookieHeaderBytes}/${reserveBytes}`
    if (!engines.has(key)) {
      engines.set(
        key,
        createCookieman({ secret: SECRET, compress, limits: { fronts: ['node'], maxCookieHeaderBytes, reserveBytes } }),
      )
    }
    return engines.get(key)
  }
  const headers = new Headers({ 'user-agent': UA })
  const commit = async (data, cm) => {
    const session = await cm.decodeSession(headers)
    Object.assign(session.data, data)
    return cm.encodeSession(session, headers)
  }
  return {
    name,
    id,
    async encode(data) {
      const { cookies } = await commit(data, engine(UNBOUNDED, 0))
      return cookies.map(({ name, value }) => ({ name, value }))
    },
    async decode(cookies) {
      // Any object with get(name) will do (Next hands us its own headers object): no Headers here,
      // as the other adapters get their cookies as plain values too.
      const cookie = pairs(cookies)
      const session = await engine(UNBOUNDED, 0).decodeSession({
        get: (name) => (name === 'cookie' ? cookie : name === 'user-agent' ? UA : null),
      })
      if (session.error) throw session.error
      return { ...session.data }
    },
    async wire(data, budget = UNBOUNDED) {
      const { cookies, setCookie, report } = await commit(data, engine(budget, 0))
      if (report.droppedKeys.length > 0 || report.trimmedKeys.length > 0 || report.error) {
        return { refused: `over the ${budget}-byte budget (the commit would shrink it)` }
      }
      return { cookies: cookies.map(({ name, value }) => ({ name, value })), setCookie }
    },
  }
}

export const cookieman = ours({ compress: false, id: 'cookieman', name: 'next-cookieman' })
export const cookiemanDeflate = ours({ compress: true, id: 'cookieman-deflate', name: 'next-cookieman + deflate' })

/** iron-session 9: its seal for timing, its chunking cookie layer (`chunk: true`) for the wire. */
export const iron = {
  name: 'iron-session 9',
  id: 'iron',
  async encode(data) {
    return [{ name: 'iron', value: await sealData(data, { password: SECRET }) }]
  },
  async decode(cookies) {
    return unsealData(cookies.map((c) => c.value).join(''), { password: SECRET })
  },
  async wire(data) {
    const jar = new Map()
    const setCookie = []
    const store = {
      get: (name) => (jar.has(name) ? { name, value: jar.get(name) } : undefined),
      getAll: () => [...jar].map(([name, value]) => ({ name, value })),
      set: (name, value, options) => {
        jar.set(name, value)
        setCookie.push(stringifySetCookie({ name, value, ...options }))
      },
    }
    const session = await getIronSession(store, { password: SECRET, cookieName: 'iron', chunk: true })
    Object.assign(session, data)
    try {
      await session.save()
    } catch (error) {
      return { refused: String(error.message).split('\n')[0] }
    }
    const cookies = [...jar].filter(([, v]) => v !== '').map(([name, value]) => ({ name, value }))
    return { cookies, setCookie }
  },
}

/** Auth.js (@auth/core): its JWT session encode/decode (JWE) and its cookie chunking. */
const AUTH_COOKIE = 'authjs.session-token'
const AUTH_OPTIONS = { httpOnly: true, sameSite: 'lax', path: '/', secure: true }
const noLogger = { debug() {}, error() {}, warn() {} }
const withoutClaims = ({ iat, exp, jti, ...rest }) => rest

export const authjs = {
  name: 'Auth.js (@auth/core)',
  id: 'authjs',
  async encode(data) {
    const token = await authEncode({ token: data, secret: SECRET, salt: AUTH_COOKIE })
    const store = new SessionStore({ name: AUTH_COOKIE, options: AUTH_OPTIONS }, {}, noLogger)
    return store.chunk(token, {}).map(({ name, value }) => ({ name, value }))
  },
  async decode(cookies) {
    const store = new SessionStore(
      { name: AUTH_COOKIE, options: AUTH_OPTIONS },
      Object.fromEntries(cookies.map((c) => [c.name, c.value])),
      noLogger,
    )
    return withoutClaims(await authDecode({ token: store.value, secret: SECRET, salt: AUTH_COOKIE }))
  },
  async wire(data) {
    const token = await authEncode({ token: data, secret: SECRET, salt: AUTH_COOKIE })
    const store = new SessionStore({ name: AUTH_COOKIE, options: AUTH_OPTIONS }, {}, noLogger)
    const cookies = store.chunk(token, { maxAge: 30 * 24 * 60 * 60 })
    return {
      cookies: cookies.map(({ name, value }) => ({ name, value })),
      setCookie: cookies.map(({ name, value, options }) => stringifySetCookie({ name, value, ...options })),
    }
  },
}

export const ADAPTERS = [floor, reference, cookieman, cookiemanDeflate, iron, authjs]
