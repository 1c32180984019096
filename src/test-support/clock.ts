import { afterEach, beforeEach, vi } from 'vitest'

/** Freezes `Date` at `now` around every test of the calling file (timers keep running). */
export function freezeClock(now: Date): void {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(now)
  })
  afterEach(() => {
    vi.useRealTimers()
  })
}
