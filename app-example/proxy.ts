import { cookieman } from './lib/session'

// Parses the User-Agent once and forwards the browser profile to getSession(); deletes stale chunks.
export const proxy = cookieman.middleware

export const config = {
  matcher: ['/((?!_next/static|_next/image|favicon.ico).*)'],
}
