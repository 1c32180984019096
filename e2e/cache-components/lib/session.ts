import { createCookieman } from 'next-cookieman'

export const cookieman = createCookieman<{ cart: string[] }>({
  secret: process.env.SESSION_SECRET!,
  cookie: { secure: false },
  limits: { fronts: ['node'] },
  defaults: () => ({ cart: [] }),
  onError: (err) => console.warn(`[next-cookieman] ${err.code}: ${err.message}`),
})
