import {
  appendSetCookie,
  requestHeadersOf,
  SessionError,
  type CommitReport,
  type Cookieman,
  type HeadersLike,
  type NodeResponseLike,
  type Session,
} from '../core.js'
import { nodeRequestOf, type RequestLike, type RequestState } from './requests.js'

/**
 * The Pages Router and plain Node servers: requests read from a Node.js `IncomingMessage` (or Web
 * `Headers`), commits written onto a `ServerResponse`. Nothing here touches `next/headers`.
 */
export function nodeAdapter<T extends object>(core: Cookieman<T>, stateOf: (request: object) => RequestState) {
  /** A request's headers as this request's earlier commits left our cookies. */
  function nodeView(request: RequestLike): HeadersLike {
    const headers = requestHeadersOf(request)
    const { written } = stateOf(request)
    if (written.size === 0) return headers
    return core.trustedHeaders(
      headers,
      [...written].map(([name, value]) => ({ name, value })),
    )
  }

  async function commitToNode(session: Session<T>, res: NodeResponseLike): Promise<CommitReport> {
    if (res.headersSent) {
      throw new SessionError(
        'ERR_SESSION_READ_ONLY',
        'commitSession(session, res) came after the response headers were sent: commit before writing the body',
      )
    }
    const request = nodeRequestOf.get(session) ?? res.req
    if (request === undefined) {
      throw new SessionError(
        'ERR_SESSION_CONTEXT',
        'commitSession(session, res) needs the request: read the session with getSession(req)',
      )
    }
    const { setCookie, cookies: writes, responseHeaders, report } = await core.encodeSession(session, nodeView(request))
    if (setCookie.length > 0) {
      const state = stateOf(request)
      state.lines = appendSetCookie(res, setCookie, state.lines)
      for (const write of writes) state.written.set(write.name, write.options.maxAge > 0 ? write.value : '')
    }
    for (const [key, value] of Object.entries(responseHeaders)) res.setHeader(key, value)
    return report
  }

  return { nodeView, commitToNode }
}
