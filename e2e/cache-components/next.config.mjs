// A fixture app with Cache Components, as Next 16.4 recommends for new projects.
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..')

/** @type {import('next').NextConfig} */
export default {
  cacheComponents: true,
  partialPrefetching: true,
  turbopack: { root },
  outputFileTracingRoot: root,
}
