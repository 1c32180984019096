import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
    // The JSON report feeds .ci/run's closing `N passed, N failed` line.
    reporters: ['default', ['json', { outputFile: 'test-results/vitest.json' }]],
  },
})
