/**
 * Test hooks for the e2e suite, off unless EXAMPLE_TEST_HOOKS=1: a request can be held until another
 * one releases it, so that two responses in flight land in a known order. Kept on globalThis: Next
 * may load this module once per route bundle.
 */
type Latches = Map<string, () => void>
const store = globalThis as typeof globalThis & { __cookiemanLatches?: Latches }
const latches: Latches = (store.__cookiemanLatches ??= new Map())

export const hooksEnabled = () => process.env.EXAMPLE_TEST_HOOKS === '1'

/** Waits until `release(key)` (10 s at most). */
export function hold(key: string): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      latches.delete(key)
      resolve()
    }, 10_000)
    latches.set(key, () => {
      clearTimeout(timer)
      latches.delete(key)
      resolve()
    })
  })
}

export function release(key: string): boolean {
  const open = latches.get(key)
  open?.()
  return open !== undefined
}
