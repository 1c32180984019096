// Prints the suite's totals alone on a line, as `N passed, N failed`, from the vitest JSON reports
// (unit and property tests, then the example app built and served for real).
import { existsSync, readFileSync } from 'node:fs'

const reports = ['test-results/vitest.json', 'test-results/app.json']
let passed = 0
let failed = 0
for (const file of reports) {
  if (!existsSync(file)) {
    // The run stopped before this suite (lint, type errors, a failed build): one failure.
    failed += 1
    continue
  }
  const r = JSON.parse(readFileSync(file, 'utf8'))
  passed += r.numPassedTests
  failed += r.numFailedTests + (r.success === false && r.numFailedTests === 0 ? 1 : 0)
}
console.log(`${passed} passed, ${failed} failed`)
