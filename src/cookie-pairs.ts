/**
 * The pairs of a Cookie header as the browser sent them (`name=value`, trimmed), with each name.
 * For byte accounting and for rebuilding a header without touching the others' bytes; values and
 * duplicates as the reader sees them come from the `cookie` package's `parse`.
 */
export function cookiePairs(header: string): Array<{ name: string; pair: string }> {
  const out: Array<{ name: string; pair: string }> = []
  for (const raw of header.split(';')) {
    const pair = raw.trim()
    if (pair === '') continue
    const eq = pair.indexOf('=')
    out.push({ name: (eq < 0 ? pair : pair.slice(0, eq)).trim(), pair })
  }
  return out
}
