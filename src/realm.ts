/**
 * State shared by every copy of this package loaded in one JavaScript realm. Bundlers may evaluate
 * the package, and the app module that creates the engine, more than once per process: webpack
 * builds a Next.js app once per layer (server actions, server components, route handlers), so a
 * server action and the page rendered after it in the same response hold different module instances.
 * What belongs to a request or to a session object must not depend on which copy sees it: it lives
 * here, under a registry-wide symbol, versioned with the shape of what it holds.
 */
const REALM = Symbol.for('next-cookieman.realm.v1')

type Registry = Map<string, object>

/** The realm-wide value named `name`, created by `create` on first use. */
export function shared<V extends object>(name: string, create: () => V): V {
  const holder = globalThis as typeof globalThis & { [REALM]?: Registry }
  const registry = (holder[REALM] ??= new Map())
  let value = registry.get(name)
  if (value === undefined) {
    value = create()
    registry.set(name, value)
  }
  return value as V
}

/** Values kept per object, realm-wide (see {@link carried}). */
export interface Carried<V> {
  get(owner: object): V | undefined
  set(owner: object, value: V): void
}

/**
 * Values kept per object on the object itself, under a realm-wide symbol (non-enumerable: spreads
 * and JSON never see it), not in a WeakMap: a WeakMap entry made the garbage collector keep what it
 * holds past the young generation (a session and its data, per request). Objects that cannot take
 * a property (frozen, or a Proxy that refuses) use a realm-wide WeakMap.
 */
export function carried<V>(name: string): Carried<V> {
  const key = Symbol.for(`next-cookieman.${name}`)
  const fallback = shared(`${name}.fallback`, () => new WeakMap<object, V>())
  return {
    get: (owner) => (owner as { [key]?: V })[key] ?? fallback.get(owner),
    set(owner, value) {
      try {
        if (Object.isExtensible(owner)) {
          Object.defineProperty(owner, key, { value, enumerable: false, configurable: true, writable: true })
          return
        }
      } catch {
        // A Proxy whose traps refuse: the map below.
      }
      fallback.set(owner, value)
    },
  }
}
