import { defineConfig } from '@playwright/test'
import type { Engine } from './drivers.js'

/**
 * The cross-browser suite: every scenario on Chromium, Firefox ESR and WebKitGTK, all from Debian
 * packages (see drivers.ts). One worker: WebKitWebDriver runs one session at a time, and the
 * machine has two cores.
 */
export default defineConfig<{ engine: Engine }>({
  testDir: '.',
  testMatch: '*.spec.ts',
  globalSetup: './global-setup.ts',
  workers: 1,
  fullyParallel: false,
  timeout: 120_000,
  expect: { timeout: 20_000 },
  reporter: [['list'], ['json', { outputFile: '../test-results/e2e.json' }]],
  outputDir: '../test-results/e2e-output',
  projects: [
    { name: 'chromium', use: { engine: 'chromium' } },
    { name: 'firefox', use: { engine: 'firefox' }, testIgnore: 'chromium-only.spec.ts' },
    { name: 'webkit', use: { engine: 'webkit' }, testIgnore: 'chromium-only.spec.ts' },
  ],
})
