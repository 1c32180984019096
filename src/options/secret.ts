/**
 * What makes a secret too weak beyond its length: the checks a placeholder or a typed-in phrase
 * fails and a random string passes (32 random base64url characters have ~27 distinct characters and
 * no period; even 32 random hex digits have ~15). Returns why, or `undefined` when none applies.
 */

/** Placeholders from docs and tutorials, compared lower-case with separators removed. */
const PLACEHOLDERS = ['yoursecret', 'changeme', 'replaceme', 'placeholder', 'atleast32', 'supersecret', 'secretkeyhere']

const MIN_DISTINCT = 8

/** The shortest `p` such that the string repeats its first `p` characters (its length if none). */
function period(s: string): number {
  for (let p = 1; p <= s.length / 2; p++) {
    let repeats = true
    for (let i = p; i < s.length && repeats; i++) repeats = s[i] === s[i - p]
    if (repeats) return p
  }
  return s.length
}

export function secretWeakness(secret: string): string | undefined {
  const normalized = secret.toLowerCase().replace(/[^a-z0-9]/g, '')
  const placeholder = PLACEHOLDERS.find((p) => normalized.includes(p))
  if (placeholder !== undefined) return `it looks like a placeholder (it contains "${placeholder}")`
  const p = period(secret)
  if (p < secret.length) return `it repeats ${JSON.stringify(secret.slice(0, p))}`
  const distinct = new Set(secret).size
  if (distinct < MIN_DISTINCT) return `it has only ${distinct} distinct character${distinct === 1 ? '' : 's'}`
  return undefined
}
