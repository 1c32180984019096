// On globalThis: Next may evaluate this module more than once (server components, actions, reloads),
// and every copy must use the same development secret or sessions read as tampered.
const holder = globalThis as typeof globalThis & { __cookiemanDevSecret?: string }

/**
 * The session secret. In development a random one is generated when SESSION_SECRET is unset (with a
 * notice: sessions then die with the server process). In production it must be set.
 */
export function sessionSecret(): string {
  const secret = process.env.SESSION_SECRET
  if (secret !== undefined && secret !== '') return secret
  if (process.env.NODE_ENV === 'production') {
    throw new Error(
      'SESSION_SECRET is not set. Generate one with `openssl rand -base64 32` and set it in the environment (or run `npm run example`, which writes one to app-example/.env.local).',
    )
  }
  if (holder.__cookiemanDevSecret === undefined) {
    const bytes = crypto.getRandomValues(new Uint8Array(32))
    holder.__cookiemanDevSecret = btoa(String.fromCharCode(...bytes))
    console.warn('next-cookieman example: SESSION_SECRET is not set; using a random development secret.')
  }
  return holder.__cookiemanDevSecret
}
