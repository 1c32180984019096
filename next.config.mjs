// The example app's Next.js config (app-example/next.config.mjs re-exports it).
import { dirname } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = dirname(fileURLToPath(import.meta.url))

/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  // Routes only the test suites use (app/api/*/route.test-only.ts) exist only in builds made with
  // EXAMPLE_TEST_ROUTES=1: the example's own build does not ship them.
  pageExtensions: [...(process.env.EXAMPLE_TEST_ROUTES === '1' ? ['test-only.ts'] : []), 'tsx', 'ts', 'jsx', 'js'],
  poweredByHeader: false,
  // The library is linked from the repository root into the example's node_modules.
  turbopack: { root },
  outputFileTracingRoot: root,
}

export default nextConfig
