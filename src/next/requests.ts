import { carried, shared, type HeadersLike, type NodeRequestLike, type Session } from '../core.js'

/**
 * Per-request state of the Next.js layer: the decoded session (one decode per request), how this
 * request's commits wrote, kept realm-wide so that every copy of the package sees the same.
 */

/** A request handed to `getSession(request)`. */
export type RequestLike = NodeRequestLike | { readonly headers: HeadersLike }

/** What one request holds for one cookie name, realm-wide (see `../realm.ts`). */
export interface RequestState {
  session: Promise<Session<object>> | undefined
  /** Our cookies as this request's commits wrote them (an empty value: deleted). */
  written: Map<string, string>
  /** Node.js responses: our Set-Cookie lines by name. */
  lines: ReadonlyMap<string, string>
}

// On the object that stands for the request: the headers Next hands every caller of headers() in
// a request (in a server action and in the render that follows it in the same response), or the
// Node.js request. Realm-wide, for every copy of the package (webpack evaluates the app's session
// module once per layer): the page rendered after an action that committed gets the action's
// session, settled to what was written, whichever layer renders it.
const requests = carried<Map<string, RequestState>>('next-request-state.v1')
/** The Node.js request a session was read from, for a commit that names only the response. */
export const nodeRequestOf = shared('next-node-requests', () => new WeakMap<object, RequestLike>())

export function requestState(request: object, cookieName: string): RequestState {
  let byName = requests.get(request)
  if (byName === undefined) requests.set(request, (byName = new Map()))
  let state = byName.get(cookieName)
  if (state === undefined) {
    state = { session: undefined, written: new Map(), lines: new Map() }
    byName.set(cookieName, state)
  }
  return state
}
