import { utf8Length } from '../utf8.js'

/**
 * How many items to remove from the start of `items` (with `fromEnd`, from its end) for the array's
 * JSON to lose at least `overBytes` UTF-8 bytes: a shrink function that removes them with one
 * `splice` gives in one call the result that removing one item per call gives (without
 * compression, exactly), in time linear in the items it looks at. At least 1 while `items` is not
 * empty, so every call makes progress; 0 for an empty or missing array.
 *
 * @example
 * cookieman.register('cart', (data, last, { overBytes }) => {
 *   data.cart?.splice(0, trimCount(data.cart, overBytes)) // the oldest items first
 *   if (!data.cart?.length) delete data.cart
 *   return data
 * })
 */
export function trimCount(items: readonly unknown[] | undefined, overBytes: number, fromEnd = false): number {
  const length = items?.length ?? 0
  let freed = 0
  let count = 0
  while (count < length && (count === 0 || freed < overBytes)) {
    const item = items![fromEnd ? length - 1 - count : count]
    // Its JSON (an array writes undefined and functions as null) and the comma beside it.
    freed += utf8Length(JSON.stringify(item) ?? 'null') + 1
    count++
  }
  return count
}
