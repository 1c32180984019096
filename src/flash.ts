import { SET_COOKIE_LINE, type BudgetContext } from './budget.js'
import type { EngineContext } from './context.js'
import { liveWrite, serializeWrite, type CookieWrite } from './set-cookie.js'
import { parsePayload } from './payload.js'
import { cookieHeaderOf, pairValue, type HeadersLike } from './request.js'
import { open, seal } from './seal.js'

/**
 * Flash values: set by a commit, seen by exactly one later page render, then gone. They travel in
 * a cookie of their own, `NAME.flash` (sealed with keys of their own, so a session token is never
 * read as flashes nor the reverse), which the proxy takes out of the request of the first page render
 * that follows: it deletes the cookie in the response, removes it from the Cookie header the render
 * sees and forwards its value in {@link FLASH_HEADER} (always overwritten), where `getSession` opens
 * it. A server component thus reads flashes without writing anything.
 *
 * A fetch-based server action (`next-action`) renders its page in its own response: the page it
 * re-renders, or the one it redirects to, which Next renders through an internal request carrying
 * the action's response cookies. The cookie is then written with `Max-Age=0`: the browser never
 * keeps it, and the render of that same response is the one that sees the values.
 */

/** A JSON value. */
export type FlashValue =
  string | number | boolean | null | readonly FlashValue[] | { readonly [key: string]: FlashValue }

/** Flash values by key. */
export type Flashes = Readonly<Record<string, FlashValue>>

/** Request header in which the proxy forwards the flash cookie it consumed to the page render. */
export const FLASH_HEADER = 'x-next-cookieman-flash'

export const flashName = (base: string) => `${base}.flash`

/** Seconds a flash waits for its render (a browser that never loads a page drops it then). */
export const FLASH_MAX_AGE = 600

const encoder = new TextEncoder()

/** Seals flash values (one JWE or JWS, as the session, with the flash keys). */
export async function sealFlash<T extends object>(
  ctx: EngineContext<T>,
  values: Flashes,
  now: number,
): Promise<string> {
  const key = (await ctx.flashKeys())[0]!
  const meta = { kid: key.kid, iat: now, exp: now + FLASH_MAX_AGE, created: now, compressed: false }
  return seal(ctx.opts.mode, key, meta, encoder.encode(JSON.stringify(values)))
}

/** Opens a flash cookie's value: the values, or `undefined` (not ours, tampered, expired). Never throws. */
export async function openFlash<T extends object>(
  ctx: EngineContext<T>,
  wire: string,
  now: number,
): Promise<Flashes | undefined> {
  if (wire === '' || wire.length > 8192) return undefined
  const opened = await open(ctx.opts.mode, await ctx.flashKeys(), wire)
  if (!opened.ok || opened.meta.compressed || now >= opened.meta.exp) return undefined
  const payload = parsePayload(opened.plaintext)
  return payload.ok ? (payload.data as Flashes) : undefined
}

/**
 * Whether a request is a page render that consumes flashes: a GET or HEAD (when the method is
 * known) that is neither a server action nor a prefetch, and is a document load (a navigation, the
 * GET after a form's 303), the render of a server action's redirect (Next's internal request, with
 * `x-action-redirect`), or an RSC request where the proxy sees Next's router headers (they are
 * stripped from what a Next proxy sees unless `skipProxyUrlNormalize`: a client-side navigation
 * cannot be told from a prefetch then, so it does not consume). A `fetch()` of a route handler
 * never consumes.
 */
export function isPageRender(method: string | undefined, headers: HeadersLike): boolean {
  if (method !== undefined && method !== 'GET' && method !== 'HEAD') return false
  if (headers.get('next-action') !== null) return false
  if (headers.get('next-router-prefetch') !== null || headers.get('next-router-segment-prefetch') !== null) return false
  const purpose = `${headers.get('purpose') ?? ''} ${headers.get('sec-purpose') ?? ''} ${headers.get('x-middleware-prefetch') ?? ''}`
  if (/prefetch|prerender|1/.test(purpose)) return false
  if (headers.get('x-action-redirect') !== null || headers.get('rsc') === '1') return true
  const dest = headers.get('sec-fetch-dest')
  if (dest !== null) return dest === 'document' || dest === 'iframe'
  return (headers.get('accept') ?? '').includes('text/html')
}

/** The flash cookie a commit writes . */
export interface FlashWrite {
  write: CookieWrite
  values: Flashes
  /** For this response's own render (a server action's): `Max-Age=0`, the browser keeps nothing. */
  sameResponse: boolean
  /** Cookie-header bytes of the flash cookie this one replaces (counted as another cookie's), or 0. */
  replaced: number
}

export async function flashWrite<T extends object>(
  ctx: EngineContext<T>,
  values: Flashes,
  headers: HeadersLike,
  now: number,
): Promise<FlashWrite> {
  const sameResponse = headers.get('next-action') !== null
  const name = flashName(ctx.opts.cookieName)
  // A flash still waiting in the jar (no page rendered since its commit) is replaced by this one:
  // its values are kept under the new ones, and its bytes are no longer the request's other cookies'.
  const waiting = pairValue(cookieHeaderOf(headers), name)
  const kept = waiting === undefined ? undefined : await openFlash(ctx, waiting, now)
  const merged = kept === undefined ? values : { ...kept, ...values }
  const value = await sealFlash(ctx, merged, now)
  const write = liveWrite(name, value, ctx.opts.cookie, sameResponse ? 0 : FLASH_MAX_AGE)
  const replaced = waiting === undefined ? 0 : name.length + 1 + waiting.length + 2
  return { write, values: merged, sameResponse, replaced }
}

/** The budget left to the session once the flash cookie is in the response (and, kept, in the jar). */
export function withFlash(budget: BudgetContext, flash: FlashWrite | undefined): BudgetContext {
  if (flash === undefined) return budget
  const line = SET_COOKIE_LINE + serializeWrite(flash.write).length
  const pair = flash.write.name.length + 1 + flash.write.value.length + 2
  return {
    ...budget,
    responseAvailable: budget.responseAvailable - line,
    headerAvailable: budget.headerAvailable + flash.replaced - (flash.sameResponse ? 0 : pair),
    cookieSlots: budget.cookieSlots + (flash.replaced > 0 ? 1 : 0) - (flash.sameResponse ? 0 : 1),
  }
}

/**
 * The writes of a commit with its flash cookie. Sent, the values are not repeated by a later commit;
 * this response's own render sees them when they are for it (a server action's), a later request's
 * proxy hands them on otherwise.
 */
export function sendFlash(
  writes: CookieWrite[],
  flash: FlashWrite | undefined,
  state: { flashOut: unknown; flashIn: Flashes },
): CookieWrite[] {
  if (flash === undefined) return writes
  state.flashOut = undefined
  if (flash.sameResponse) state.flashIn = flash.values
  return [...writes, flash.write]
}
