// Prints the suite's totals alone on a line, as `N passed, N failed`: unit and property tests, the
// example app built and served for real, the front servers measured, and the cross-browser e2e suite.
import { existsSync, readFileSync } from 'node:fs'

let passed = 0
let failed = 0

for (const file of ['test-results/vitest.json', 'test-results/app.json', 'test-results/fronts.json']) {
  if (!existsSync(file)) {
    // The run stopped before this suite (lint, type errors, a failed build): one failure.
    failed += 1
    continue
  }
  const r = JSON.parse(readFileSync(file, 'utf8'))
  passed += r.numPassedTests
  failed += r.numFailedTests + (r.success === false && r.numFailedTests === 0 ? 1 : 0)
}

const e2e = 'test-results/e2e.json'
if (!existsSync(e2e)) {
  failed += 1
} else {
  const { stats, errors } = JSON.parse(readFileSync(e2e, 'utf8'))
  passed += stats.expected + stats.flaky
  // A skipped test is not a pass here: the suite has none on purpose.
  failed += stats.unexpected + stats.skipped + (errors?.length ?? 0)
}

console.log(`${passed} passed, ${failed} failed`)
