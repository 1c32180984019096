import { defineConfig } from 'vitest/config'

// The example app built and served for real (next build + next start), driven over HTTP.
export default defineConfig({
  test: {
    include: ['app-example/test/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 300_000,
    fileParallelism: false,
    reporters: ['default', ['json', { outputFile: 'test-results/app.json' }]],
  },
})
