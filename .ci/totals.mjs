// Prints the suite's totals alone on a line, as `N passed, N failed`, from the vitest JSON report.
import { existsSync, readFileSync } from 'node:fs'

const report = 'test-results/vitest.json'
if (!existsSync(report)) {
  // The run stopped before the tests (lint, type errors): count that as one failure.
  console.log('0 passed, 1 failed')
} else {
  const r = JSON.parse(readFileSync(report, 'utf8'))
  const failed = r.numFailedTests + (r.success === false && r.numFailedTests === 0 ? 1 : 0)
  console.log(`${r.numPassedTests} passed, ${failed} failed`)
}
