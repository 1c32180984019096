/**
 * Where in Next.js's rendering a call runs: Next's per-request work-unit store, read from an
 * internal module of Next (the same path in 15 and 16; Next keeps one instance of it per server,
 * whichever bundle layer asks). Used for two things only: refusing to read the session inside
 * `'use cache'` with an error that says why, and reading the clock without tripping Cache
 * Components' check of synchronous IO (Next counts `Date.now()` in a prerender stage as an unstable
 * value; `performance` is what Next leaves for such introspection). Without the module, both fall
 * back: Next's own error, and `Date.now()`. And from Next's per-request work store (same path in
 * 15 and 16), the hook its `after()` waits on: the response is sent (see {@link onResponseSent}).
 */

interface WorkUnitStorage {
  getStore(): { readonly type: string } | undefined
  /** AsyncLocalStorage's: runs `fn` outside every store. */
  exit?<R>(fn: () => R): R
}

interface WorkStorage {
  getStore(): { readonly afterContext?: { onClose?(callback: () => void): void } } | undefined
}

/** `undefined`: not looked up yet; `null`: not available in this Next. */
let storage: WorkUnitStorage | null | undefined
let work: WorkStorage | null | undefined

const load = (): Promise<{ workUnitAsyncStorage?: WorkUnitStorage }> =>
  import('next/dist/server/app-render/work-unit-async-storage.external.js') as Promise<{
    workUnitAsyncStorage?: WorkUnitStorage
  }>

const loadWork = (): Promise<{ workAsyncStorage?: WorkStorage }> =>
  import('next/dist/server/app-render/work-async-storage.external.js') as Promise<{
    workAsyncStorage?: WorkStorage
  }>

/** Looks the stores up once; call before {@link workUnitType}, {@link nextNow} or {@link onResponseSent}. */
export async function loadWorkUnits(): Promise<void> {
  if (storage !== undefined) return // set together with `work`
  const [unit, request] = await Promise.allSettled([load(), loadWork()])
  storage = unit.status === 'fulfilled' ? (unit.value.workUnitAsyncStorage ?? null) : null
  work = request.status === 'fulfilled' ? (request.value.workAsyncStorage ?? null) : null
}

/**
 * Calls `callback` once the response of the current request is sent (Next's `onClose`, which its
 * `after()` waits on: the request's render is over by then). Never, outside a request or in a
 * Next without the hook.
 */
export function onResponseSent(callback: () => void): void {
  const context = work?.getStore()?.afterContext
  if (typeof context?.onClose !== 'function') return
  try {
    context.onClose(callback)
  } catch {
    // A hook that fails: the caller keeps what it holds, as without one.
  }
}

/** The kind of work unit the caller runs in (`request`, `prerender`, `cache`…), if any. */
export function workUnitType(): string | undefined {
  return storage?.getStore()?.type
}

/** `true` when Next's store was found and the caller runs in none of its work units. */
export function outsideWorkUnits(): boolean {
  return storage !== null && storage !== undefined && storage.getStore() === undefined
}

/** Work units in which request data is refused: shared caches. */
export function inSharedCache(): boolean {
  const type = workUnitType()
  return type === 'cache' || type === 'unstable-cache'
}

/**
 * The time in milliseconds: `Date.now()`, read outside Next.js's work unit. The expiry check is
 * introspection, not output, and Next's check of synchronous IO (Cache Components: `Date.now()` in a
 * prerender stage is an unstable value) only looks inside its store. The same clock as everywhere
 * else (no drift between a commit and a read), and fake timers in an app's tests still move it.
 */
export function nextNow(): number {
  if (storage?.getStore() === undefined || storage.exit === undefined) return Date.now()
  return storage.exit(() => Date.now())
}
