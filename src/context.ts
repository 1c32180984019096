import type { SealBackend } from './backend.js'
import { BUILTIN_BROWSERS, buildDatabase, type BrowserEntry } from './browsers/database.js'
import { requestProfile } from './browsers/profile-header.js'
import type { BrowserProfile } from './browsers/user-agent.js'
import type { SessionError } from './errors.js'
import { deriveKeys, type SealingKey } from './keys.js'
import { runtimeEnvironment } from './options/fronts.js'
import { resolveOptions } from './options/index.js'
import type { CookiemanOptions, ResolvedOptions } from './options/types.js'
import type { HeadersLike } from './request.js'
import type { Shrinker } from './shrink/index.js'

/** What every stage of one engine shares: its options, browser database, keys and shrinkers. */
export interface EngineContext<T extends object> {
  readonly opts: ResolvedOptions<T>
  readonly database: readonly BrowserEntry[]
  readonly backend: SealBackend
  /** In registration order (the engine's `register` adds to it). */
  readonly shrinkers: Shrinker<T>[]
  /** Every secret's key, derived once on first use; the first one seals. */
  keys(): Promise<SealingKey[]>
  /** The keys of flash cookies (`NAME.flash` as salt): a session token never opens as flashes. */
  flashKeys(): Promise<SealingKey[]>
  /** The keys of stored parts (`NAME.store` as salt): neither a session nor a flash token opens as one. */
  storeKeys(): Promise<SealingKey[]>
  /** Hands an error to the app's `onError`; a hook that throws is logged, never rethrown. */
  reportError(err: SessionError): void
  /** The browser profile of a request: the proxy's forwarded one, else parsed from the User-Agent. */
  profile(headers: HeadersLike): BrowserProfile
  /** Logs `message` once per `key` for this engine, outside production. */
  warnOnce(key: string, message: string): void
  /** The current time in milliseconds (`Date.now()` unless an adapter reads it otherwise). */
  now(): number
}

const inProduction = (): boolean => runtimeEnvironment()['NODE_ENV'] === 'production'

/** Validates options (`ERR_SESSION_CONFIG`) and builds the shared context of one engine. */
export function createContext<T extends object>(
  options: CookiemanOptions<T>,
  backend: SealBackend,
  now: () => number = () => Date.now(),
): EngineContext<T> {
  const opts = resolveOptions(options, BUILTIN_BROWSERS)
  const database = buildDatabase(opts.browsers)
  let keys: Promise<SealingKey[]> | undefined
  let flashKeys: Promise<SealingKey[]> | undefined
  let storeKeys: Promise<SealingKey[]> | undefined
  const warned = new Set<string>()
  return {
    opts,
    database,
    backend,
    shrinkers: [],
    keys: () => (keys ??= deriveKeys(opts.secrets, opts.cookieName, opts.mode, backend)),
    flashKeys: () => (flashKeys ??= deriveKeys(opts.secrets, `${opts.cookieName}.flash`, opts.mode, backend)),
    storeKeys: () => (storeKeys ??= deriveKeys(opts.secrets, `${opts.cookieName}.store`, opts.mode, backend)),
    reportError(err) {
      try {
        opts.onError(err)
      } catch (hookError) {
        // A throwing hook must not turn a bad cookie into a 500.
        console.error('next-cookieman: onError threw', hookError)
      }
    },
    profile: (headers) => requestProfile(headers, database),
    warnOnce(key, message) {
      if (warned.has(key) || inProduction()) return
      warned.add(key)
      console.warn(message)
    },
    now,
  }
}
