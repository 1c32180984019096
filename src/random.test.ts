import { describe, expect, it } from 'vitest'
import { randomBytes } from './random.js'

describe('randomBytes', () => {
  it('gives the length asked for, across refills of the pool and beyond its size', () => {
    for (const n of [0, 1, 12, 16, 4095, 4096, 4097, 10_000]) expect(randomBytes(n).length).toBe(n)
  })

  it('never hands out the same bytes twice (10,000 IVs, several refills)', () => {
    const seen = new Set<string>()
    for (let i = 0; i < 10_000; i++) seen.add(Buffer.from(randomBytes(12)).toString('hex'))
    expect(seen.size).toBe(10_000)
  })

  it('gives arrays that do not share memory with the pool or each other', () => {
    const a = randomBytes(16)
    const b = randomBytes(16)
    expect(a.buffer).not.toBe(b.buffer)
    expect(a.byteOffset).toBe(0)
    expect(a.buffer.byteLength).toBe(16)
    const copy = Buffer.from(a).toString('hex')
    b.fill(0)
    expect(Buffer.from(a).toString('hex')).toBe(copy)
  })

  it('is not all zeros (the pool is filled before use)', () => {
    expect(randomBytes(32).some((byte) => byte !== 0)).toBe(true)
  })
})
