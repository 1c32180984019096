const NON_ASCII = /[^\x00-\x7f]/

/** UTF-8 byte length of a string without encoding it (lone surrogates count as U+FFFD, 3 bytes). */
export function utf8Length(s: string): number {
  // Session JSON is mostly ASCII: one native scan answers that case.
  const first = s.search(NON_ASCII)
  if (first === -1) return s.length
  let n = s.length
  for (let i = first; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c < 0x80) continue
    if (c < 0x800) {
      n += 1
    } else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1)
      if (d >= 0xdc00 && d <= 0xdfff) {
        // A surrogate pair: 2 UTF-16 units, 4 bytes.
        n += 2
        i++
      } else {
        n += 2
      }
    } else {
      n += 2
    }
  }
  return n
}

/** Length of unpadded base64url for `n` bytes (RFC 4648 section 5, padding omitted as JOSE does). */
export function base64urlLength(n: number): number {
  return Math.floor(n / 3) * 4 + [0, 2, 3][n % 3]!
}

/** The base64url alphabet (RFC 4648 section 5), each character at its value. */
export const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'

/**
 * Unpadded base64url of an ASCII string's bytes (each character one byte), without a TextEncoder
 * or a binary string: a protected header is a hundred characters, sealed and rebuilt per request.
 */
export function asciiBase64url(s: string): string {
  let out = ''
  let i = 0
  for (; i + 2 < s.length; i += 3) {
    const n = (s.charCodeAt(i) << 16) | (s.charCodeAt(i + 1) << 8) | s.charCodeAt(i + 2)
    out += B64URL[n >> 18]! + B64URL[(n >> 12) & 63]! + B64URL[(n >> 6) & 63]! + B64URL[n & 63]!
  }
  if (i + 1 === s.length) {
    const n = s.charCodeAt(i) << 16
    out += B64URL[n >> 18]! + B64URL[(n >> 12) & 63]!
  } else if (i + 2 === s.length) {
    const n = (s.charCodeAt(i) << 16) | (s.charCodeAt(i + 1) << 8)
    out += B64URL[n >> 18]! + B64URL[(n >> 12) & 63]! + B64URL[(n >> 6) & 63]!
  }
  return out
}
