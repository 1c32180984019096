import { AsyncLocalStorage } from 'node:async_hooks'
import { describe, expect, it, vi } from 'vitest'
import { freezeClock } from '../test-support/clock.js'
import { CHROME_UA, Jar } from '../test-support/jar.js'
import { make, NOW, request, respond, startRequest, storeCart } from '../test-support/next.js'

// Next's work store (an AsyncLocalStorage Next's server provides globally at startup) holds the
// request's after() context, whose onClose runs its callback once the response is sent.
;(globalThis as { AsyncLocalStorage?: unknown }).AsyncLocalStorage = AsyncLocalStorage
const { workAsyncStorage } = (await import('next/dist/server/app-render/work-async-storage.external.js')) as {
  workAsyncStorage: { run<R>(store: unknown, fn: () => R): R }
}

vi.mock('next/headers.js', async () => {
  const { nextHeadersMock } = await import('../test-support/next.js')
  return nextHeadersMock
})

freezeClock(NOW)

/** A request's work store as far as the package reads it; `close()` sends the response. */
function workStore(onClose?: (callback: () => void) => void) {
  const callbacks: Array<() => void> = []
  const store = { afterContext: { onClose: onClose ?? ((callback: () => void) => void callbacks.push(callback)) } }
  return { store, callbacks, close: () => callbacks.splice(0).forEach((callback) => callback()) }
}

describe('the request’s session once the response is sent', () => {
  it('is one object until then, and let go after: a later read decodes what the request’s commits wrote', async () => {
    const { cm, errors } = make()
    const jar = new Jar(CHROME_UA)
    await storeCart(cm, jar, 'a')
    startRequest(jar)
    const { store, callbacks, close } = workStore()
    await workAsyncStorage.run(store, async () => {
      const session = await cm.getSession()
      expect(await cm.getSession()).toBe(session)
      expect(callbacks).toHaveLength(1) // one hook per decode, not per call
      session.data.cart.push('b')
      await cm.commitSession(session)
      expect(await cm.getSession()).toBe(session)
      expect(callbacks).toHaveLength(1)
      close()
      const later = await cm.getSession()
      expect(later).not.toBe(session)
      expect(later.data.cart).toEqual(['a', 'b'])
      expect(later.isNew).toBe(false)
      expect(await cm.getSession()).toBe(later)
      expect(callbacks).toHaveLength(1) // the new decode is let go as well
    })
    expect(request.sets.map((w) => w.name)).toEqual(['session'])
    respond(jar)
    expect(errors).toEqual([])
  })

  it('is held for the request as before where Next has no such hook, or its hook throws', async () => {
    const { cm } = make()
    const jar = new Jar(CHROME_UA)
    await storeCart(cm, jar, 'a')
    const stores: unknown[] = [
      undefined,
      {},
      { afterContext: {} },
      workStore(() => {
        throw new Error('onClose failed')
      }).store,
    ]
    for (const store of stores) {
      startRequest(jar)
      const read = async () => {
        const session = await cm.getSession()
        expect(session.data.cart).toEqual(['a'])
        expect(await cm.getSession()).toBe(session)
      }
      await (store === undefined ? read() : workAsyncStorage.run(store, read))
    }
  })
})
