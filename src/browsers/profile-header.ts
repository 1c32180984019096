import type { HeadersLike } from '../request.js'
import { entryById, type BrowserEntry } from './database.js'
import { profileFor, type BrowserProfile } from './user-agent.js'

/**
 * The proxy parses the User-Agent once and forwards the result to the readers of the same request
 * through one request header, which it always overwrites (a client-sent copy never gets through the
 * proxy; without the proxy a forged one could only mis-size the forger's own session).
 * Format: `entryId;browserName;browserVersion;engine`, each part URI-encoded.
 */

/** Request header through which the proxy forwards the parsed browser profile. */
export const PROFILE_HEADER = 'x-next-cookieman-profile'

/** Serializes a profile for {@link PROFILE_HEADER}. */
export function encodeProfile(profile: BrowserProfile): string {
  const { browser, entry } = profile
  return [entry.id, browser.name, browser.version, browser.engine].map(encodeURIComponent).join(';')
}

function decodePart(part: string): string {
  try {
    return decodeURIComponent(part)
  } catch {
    return ''
  }
}

/**
 * The browser profile of a request: the one the proxy forwarded when it names an entry of
 * `database`, else parsed from the User-Agent.
 */
export function requestProfile(headers: HeadersLike, database: readonly BrowserEntry[]): BrowserProfile {
  const forwarded = headers.get(PROFILE_HEADER)
  if (forwarded !== null) {
    const [id, name, version, engine] = forwarded.split(';').map(decodePart)
    const entry = id === undefined ? undefined : entryById(id, database)
    if (entry !== undefined) {
      return { entry, browser: { name: name ?? '', version: version ?? '', engine: engine ?? '' } }
    }
  }
  return profileFor(headers.get('user-agent'), database)
}
