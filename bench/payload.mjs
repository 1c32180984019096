// Realistic session JSON for the benchmarks: a user profile, an OAuth-like token, and arrays of ids
// (organization UUIDs, cart lines, recently viewed product ids) that grow with the target size.
// Deterministic (seeded), and a larger target extends a smaller one: realistic(n) is a prefix of
// realistic(n + k) item by item, so capacity searches are monotonic.

function prng(seed) {
  let a = seed >>> 0
  return () => {
    // mulberry32
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const HEX = '0123456789abcdef'
const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
const B36 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ'

function pick(rand, alphabet, n) {
  let s = ''
  for (let i = 0; i < n; i++) s += alphabet[Math.floor(rand() * alphabet.length)]
  return s
}

const uuid = (rand) => {
  const h = pick(rand, HEX, 32)
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20)}`
}

/**
 * Session data whose JSON is at least `bytes` long (and at most one array item longer).
 * Below ~700 bytes the token is left out, so a 200-byte session is a profile and a few ids.
 */
export function realistic(bytes) {
  const rand = prng(0xc0ffee)
  const data = {
    user: {
      id: 'usr_' + pick(rand, HEX, 16),
      name: 'Ada Lovelace',
      email: 'ada.lovelace@example.com',
      roles: ['admin', 'editor'],
    },
  }
  const token = {
    provider: 'github',
    accessToken: 'gho_' + pick(rand, B64URL, 36),
    refreshToken: 'ghr_' + pick(rand, B64URL, 76),
    idToken: pick(rand, B64URL, 36) + '.' + pick(rand, B64URL, 180) + '.' + pick(rand, B64URL, 43),
    expiresAt: 1795000000,
    scope: 'openid email profile read:org',
  }
  if (bytes >= 700) data.token = token
  data.locale = 'en-GB'
  data.orgs = []
  data.cart = []
  data.recent = []
  let length = JSON.stringify(data).length
  for (let i = 0; length < bytes; i++) {
    let added
    switch (i % 4) {
      case 0:
        added = uuid(rand)
        data.orgs.push(added)
        break
      case 1:
        added = {
          sku: 'SKU-' + pick(rand, B36, 8),
          qty: 1 + Math.floor(rand() * 5),
          cents: Math.floor(rand() * 100000),
        }
        data.cart.push(added)
        break
      default:
        added = Math.floor(rand() * 10_000_000)
        data.recent.push(added)
    }
    length += JSON.stringify(added).length + 1
  }
  return data
}

export const SIZES = [200, 2048, 8192, 32768, 131072]
export const sizeLabel = (n) => (n < 1024 ? `${n} B` : `${n / 1024} KB`)
