import { utf8Length } from '../utf8.js'

/** The data shrinking works on: what `JSON.parse` gives for an object. */
export type Data = Record<string, unknown>

/**
 * UTF-8 sizes of each key's JSON entry (`"key":value`), so a step re-measures only the keys it
 * touched instead of the whole session. `JSON.stringify` of an object is `{` + entries joined by `,`
 * + `}`, and entries whose value is undefined or a function are omitted. Each key's JSON text is
 * kept too: it is the snapshot a shrinker run restores from (the data is plain JSON, so a parse of
 * it gives the value back exactly).
 */
interface Entry {
  size: number
  text: string
}
export type SavedSizes = { entries: Map<string, Entry>; sum: number }

export class JsonSize {
  private entries = new Map<string, Entry>()
  private sum = 0

  constructor(data: Data) {
    this.reset(data)
  }

  get total(): number {
    return 2 + this.sum + Math.max(0, this.entries.size - 1)
  }

  reset(data: Data): void {
    this.entries.clear()
    this.sum = 0
    for (const key of Object.keys(data)) this.update(data, key)
  }

  update(data: Data, key: string): void {
    this.sum -= this.entries.get(key)?.size ?? 0
    this.entries.delete(key)
    const text = Object.hasOwn(data, key) ? JSON.stringify(data[key]) : undefined
    if (text === undefined) return
    const size = utf8Length(JSON.stringify(key)) + 1 + utf8Length(text)
    this.entries.set(key, { size, text })
    this.sum += size
  }

  /** What {@link total} would be with `keys` re-measured in `data`; changes nothing. */
  totalWith(data: Data, keys: readonly string[]): number {
    let sum = this.sum
    let count = this.entries.size
    for (const key of keys) {
      const old = this.entries.get(key)
      if (old !== undefined) {
        sum -= old.size
        count--
      }
      const text = Object.hasOwn(data, key) ? JSON.stringify(data[key]) : undefined
      if (text === undefined) continue
      sum += utf8Length(JSON.stringify(key)) + 1 + utf8Length(text)
      count++
    }
    return 2 + sum + Math.max(0, count - 1)
  }

  size(key: string): number {
    return this.entries.get(key)?.size ?? 0
  }

  /** The JSON text of `key`'s value as last measured, `undefined` when it has no entry. */
  text(key: string): string | undefined {
    return this.entries.get(key)?.text
  }

  save(): SavedSizes {
    return { entries: new Map(this.entries), sum: this.sum }
  }

  restore(saved: SavedSizes): void {
    this.entries = new Map(saved.entries)
    this.sum = saved.sum
  }
}
