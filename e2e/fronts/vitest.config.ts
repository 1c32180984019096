import { defineConfig } from 'vitest/config'

// Real front servers (Debian's nginx, Apache, HAProxy, Caddy; bash .ci/install-fronts.sh) in front
// of a raw upstream on loopback, their stock limits measured by bisection.
export default defineConfig({
  test: {
    include: ['e2e/fronts/*.test.ts'],
    environment: 'node',
    testTimeout: 120_000,
    hookTimeout: 60_000,
    fileParallelism: false,
    reporters: ['default', ['json', { outputFile: 'test-results/fronts.json' }]],
  },
})
