// The example app's Next.js config (app-example/next.config.mjs re-exports it).
import { dirname } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = dirname(fileURLToPath(import.meta.url))

/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // The library is linked from the repository root into the example's node_modules.
  turbopack: { root },
  outputFileTracingRoot: root,
}

export default nextConfig
