import type { Item, ShopSession } from './session'

const PRODUCTS = ['Espresso beans', 'Ceramic mug', 'Pour-over kettle', 'Paper filters', 'Burr grinder', 'Milk jug']

function item(n: number): Item {
  return { sku: `SKU-${String(n).padStart(6, '0')}`, name: `${PRODUCTS[n % PRODUCTS.length]} #${n}`, qty: 1 + (n % 3) }
}

/** Adds `count` new items to the cart (and their pages to the recently viewed list). */
export function addItems(data: ShopSession, count: number): void {
  const start = data.cart.reduce((max, i) => Math.max(max, Number(i.sku.slice(4))), 0) + 1
  for (let n = start; n < start + count; n++) {
    const added = item(n)
    data.cart.push(added)
    data.recent.push(`/products/${added.sku.toLowerCase()}`)
  }
}

export const addedNotice = (count: number) => `Added ${count} item${count === 1 ? '' : 's'}`
