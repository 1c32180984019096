import { configError } from '../errors.js'

/** The checks every option resolver shares: misuse throws `ERR_SESSION_CONFIG` naming the option. */

export function refuseUnknownKeys(value: object, known: readonly string[], where: string): void {
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) {
      throw configError(`unknown option ${where}${key}: expected one of ${known.join(', ')}`)
    }
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

export function positiveInteger(value: unknown, name: string, fallback: number, min = 1): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    throw configError(`option ${name} must be an integer >= ${min}, got ${String(value)}`)
  }
  return value
}

export function optionalBoolean(value: unknown, name: string, fallback: boolean): boolean {
  if (value === undefined) return fallback
  if (typeof value !== 'boolean') throw configError(`option ${name} must be a boolean, got ${typeof value}`)
  return value
}
