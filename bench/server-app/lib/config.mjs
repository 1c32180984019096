// Shared by the benchmark server's routes and by bench/server.mjs, which builds the request cookies.
export const SECRET = 'bench-server-secret-0123456789-abcdefghij'
export const AUTH_COOKIE = 'authjs.session-token'
/** The node:crypto reference's cookies: `ref.0`, `ref.1`, ... */
export const REFERENCE_COOKIE = 'ref'
export const MAX_AGE = 30 * 24 * 60 * 60
export const COOKIE = { path: '/', httpOnly: true, sameSite: 'lax', secure: true }

/** The two next-cookieman set-ups: 32 KiB of Cookie header so that a 16 KB session fits uncompressed. */
export const ENGINES = {
  plain: {
    secret: SECRET,
    compress: false,
    limits: { fronts: ['node'], maxCookieHeaderBytes: 32768, reserveBytes: 0 },
  },
  deflate: {
    secret: SECRET,
    compress: true,
    limits: { fronts: ['node'], maxCookieHeaderBytes: 32768, reserveBytes: 0 },
  },
}
