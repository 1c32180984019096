// Takes the README's screenshot of the budget view from the running example with Debian Chromium:
//   node app-example/scripts/screenshot.mjs [http://127.0.0.1:3000] [docs/budget-view.png]
import { chromium } from '@playwright/test'

const base = process.argv[2] ?? 'http://127.0.0.1:3000'
const out = process.argv[3] ?? 'docs/budget-view.png'

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
  ],
})
try {
  const page = await browser.newPage({ viewport: { width: 1024, height: 900 }, deviceScaleFactor: 1 })
  await page.goto(base)
  // Grow the cart until the shrinker has to trim: 3 × 60 items is ~17 KB of JSON, over any default
  // budget. Once trimmed the count may stay the same: wait for each commit's notice instead.
  for (let i = 0; i < 3; i++) {
    await page.getByLabel('items to add').fill('60')
    await page.getByTestId('add-many').click()
    await page.getByTestId('last-commit').filter({ hasText: `added 60 items` }).waitFor()
    if (i < 2) await page.goto(base)
  }
  await page.getByTestId('last-commit').waitFor()
  await page.screenshot({ path: out, fullPage: true })
  console.log(`wrote ${out}: ${await page.getByTestId('budget-numbers').textContent()}`)
} finally {
  await browser.close()
}
