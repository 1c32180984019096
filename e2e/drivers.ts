/**
 * One small interface over the three real browsers installed from Debian packages, so every scenario
 * runs on all three: Chromium through Playwright itself, Firefox ESR through puppeteer-core over
 * WebDriver BiDi, WebKitGTK through selenium-webdriver and WebKitWebDriver under Xvfb.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import {
  chromium as playwrightChromium,
  type Browser as PwBrowser,
  type BrowserContext,
  type Page,
} from '@playwright/test'
import puppeteer, {
  type Browser as PpBrowser,
  type BrowserContext as PpContext,
  type Page as PpPage,
} from 'puppeteer-core'
import { Builder, By, type WebDriver } from 'selenium-webdriver'
import { freePort } from '../app-example/test/server.js'

export type Engine = 'chromium' | 'firefox' | 'webkit'

export interface JarCookie {
  name: string
  value: string
}

/** A fresh browser session with an empty cookie jar. */
export interface Driver {
  readonly engine: Engine
  /** The browser's own version string, e.g. `Chromium 156.0.8078.108`. */
  version(): Promise<string>
  userAgent(): Promise<string>
  open(url: string): Promise<void>
  click(selector: string): Promise<void>
  fill(selector: string, value: string): Promise<void>
  /** Text of the first element matching `selector`, or `undefined` when there is none. */
  text(selector: string): Promise<string | undefined>
  /** The page's whole text (for JSON responses). */
  body(): Promise<string>
  /** Runs an expression in the page (a promise is awaited) and returns its JSON-safe value. */
  evaluate<T>(expression: string): Promise<T>
  /** Every cookie the browser holds for `url`'s host, from its own jar (HttpOnly ones included). */
  cookies(url: string): Promise<JarCookie[]>
  /** Writes a host-only, HttpOnly cookie on `url`'s host, as the server would have. */
  setCookie(url: string, name: string, value: string): Promise<void>
  close(): Promise<void>
}

/**
 * Marks the current document, so that `open` can tell its replacement from it: a driver may return
 * from a navigation while the old document is still shown (seen once in WebKitGTK, reading the page
 * before the JSON that replaced it) or before the new one has its content (seen once in Firefox).
 */
const MARK = `window.__e2eLeaving = true`
const SETTLED = `!('__e2eLeaving' in window) && document.readyState === 'complete'`
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** Polls `settled()` (re-tried when a navigation replaced the context) until the new document is whole. */
async function untilSettled(url: string, settled: () => Promise<unknown>): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    try {
      if ((await settled()) === true) return
    } catch (error) {
      if (!/no such handle|context|navigat|detached|discarded|stale/i.test(String(error))) throw error
    }
    await sleep(50)
  }
  throw new Error(`${url}: the document did not finish loading within 10 s`)
}

const CHROMIUM = '/usr/bin/chromium'
const FIREFOX = '/usr/bin/firefox-esr'
const WEBKIT_DRIVER = '/usr/bin/WebKitWebDriver'
const MINIBROWSER = '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser'
const XVFB = '/usr/bin/Xvfb'

const PACKAGES: Record<Engine, { files: string[]; packages: string }> = {
  chromium: { files: [CHROMIUM], packages: 'chromium' },
  firefox: { files: [FIREFOX], packages: 'firefox-esr' },
  webkit: { files: [WEBKIT_DRIVER, MINIBROWSER, XVFB], packages: 'webkit2gtk-driver xvfb' },
}

/** A missing browser fails, with the command that installs it: never a skip. */
export function requireBrowser(engine: Engine): void {
  const missing = PACKAGES[engine].files.filter((f) => !existsSync(f))
  if (missing.length > 0) {
    throw new Error(
      `${engine} is not installed (missing ${missing.join(', ')}). Install it with:\n` +
        `  apt-get update && apt-get install -y --no-install-recommends ${PACKAGES[engine].packages}`,
    )
  }
}

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
]

// ---------------------------------------------------------------------------------------------
// Chromium: Playwright

let chromiumBrowser: PwBrowser | undefined

class ChromiumDriver implements Driver {
  readonly engine = 'chromium' as const
  constructor(
    private readonly browser: PwBrowser,
    private readonly context: BrowserContext,
    private readonly page: Page,
  ) {}
  static async start(options: { userAgent?: string } = {}): Promise<ChromiumDriver> {
    chromiumBrowser ??= await playwrightChromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS })
    // The fronts suite serves HTTP/2 over TLS with a self-signed certificate.
    const context = await chromiumBrowser.newContext({
      ignoreHTTPSErrors: true,
      ...(options.userAgent ? { userAgent: options.userAgent } : {}),
    })
    return new ChromiumDriver(chromiumBrowser, context, await context.newPage())
  }
  async version() {
    return `Chromium ${this.browser.version()}`
  }
  async userAgent() {
    return this.page.evaluate(() => navigator.userAgent)
  }
  async open(url: string) {
    await this.page.goto(url)
  }
  async click(selector: string) {
    await this.page.click(selector)
  }
  async fill(selector: string, value: string) {
    await this.page.fill(selector, value)
  }
  async text(selector: string) {
    const el = await this.page.$(selector)
    return el ? ((await el.textContent()) ?? '') : undefined
  }
  async body() {
    return (await this.page.textContent('body')) ?? ''
  }
  async evaluate<T>(expression: string) {
    return (await this.page.evaluate(expression)) as T
  }
  async cookies(url: string) {
    return (await this.context.cookies(url)).map(({ name, value }) => ({ name, value }))
  }
  async setCookie(url: string, name: string, value: string) {
    await this.context.addCookies([{ name, value, url, httpOnly: true, sameSite: 'Lax' }])
  }
  async close() {
    await this.context.close()
  }
}

// ---------------------------------------------------------------------------------------------
// Firefox ESR: puppeteer-core over WebDriver BiDi (Playwright cannot drive the stock build)

let firefoxBrowser: PpBrowser | undefined

class FirefoxDriver implements Driver {
  readonly engine = 'firefox' as const
  constructor(
    private readonly browser: PpBrowser,
    private readonly context: PpContext,
    private readonly page: PpPage,
  ) {}
  static async start(): Promise<FirefoxDriver> {
    firefoxBrowser ??= await puppeteer.launch({
      browser: 'firefox',
      executablePath: FIREFOX,
      protocol: 'webDriverBiDi',
      headless: true,
      acceptInsecureCerts: true,
    })
    const context = await firefoxBrowser.createBrowserContext()
    return new FirefoxDriver(firefoxBrowser, context, await context.newPage())
  }
  async version() {
    return this.browser.version()
  }
  async userAgent() {
    return this.page.evaluate(() => navigator.userAgent)
  }
  async open(url: string) {
    await this.page.evaluate(MARK).catch(() => undefined)
    await this.page.goto(url, { waitUntil: 'load' })
    await untilSettled(url, () => this.page.evaluate(SETTLED))
  }
  async click(selector: string) {
    await this.page.click(selector)
  }
  async fill(selector: string, value: string) {
    await this.page.$eval(selector, (el) => ((el as HTMLInputElement).value = ''))
    await this.page.type(selector, value)
  }
  async text(selector: string) {
    // One call, no element handle kept between calls: a navigation (a form's 303, a redirect) may
    // replace the document at any moment while a test polls; then the read is tried again.
    for (let attempt = 0; ; attempt++) {
      try {
        const text = await this.page.evaluate((s) => {
          const el = document.querySelector(s)
          return el === null ? null : (el.textContent ?? '')
        }, selector)
        return text ?? undefined
      } catch (error) {
        if (attempt >= 30 || !/no such handle|context|navigat|detached|discarded/i.test(String(error))) throw error
        await sleep(100)
      }
    }
  }
  async body() {
    return this.page.evaluate(() => document.body.textContent ?? '')
  }
  async evaluate<T>(expression: string) {
    return (await this.page.evaluate(expression)) as T
  }
  async cookies(url: string) {
    const host = new URL(url).hostname
    // The context's own jar (HttpOnly included), not document.cookie.
    const all = await this.context.cookies()
    return all.filter((c) => c.domain === host || c.domain === `.${host}`).map(({ name, value }) => ({ name, value }))
  }
  async setCookie(url: string, name: string, value: string) {
    await this.context.setCookie({
      name,
      value,
      domain: new URL(url).hostname,
      path: '/',
      httpOnly: true,
      sameSite: 'Lax',
    })
  }
  async close() {
    await this.context.close()
  }
}

// ---------------------------------------------------------------------------------------------
// WebKitGTK: selenium-webdriver against WebKitWebDriver, MiniBrowser under Xvfb

let xvfb: { process: ChildProcess; display: string } | undefined
let webkitDriverServer: { process: ChildProcess; url: string } | undefined

async function startXvfb(): Promise<string> {
  if (xvfb) return xvfb.display
  // -displayfd: Xvfb picks a free display and writes its number on fd 3 once it is ready.
  const child = spawn(XVFB, ['-displayfd', '3', '-screen', '0', '1280x1024x24', '-nolisten', 'tcp'], {
    stdio: ['ignore', 'ignore', 'ignore', 'pipe'],
  })
  const display = await new Promise<string>((resolve, reject) => {
    let out = ''
    child.stdio[3]?.on('data', (d: Buffer) => {
      out += d.toString()
      if (out.includes('\n')) resolve(`:${out.trim()}`)
    })
    child.once('exit', (code) => reject(new Error(`Xvfb exited with ${code}`)))
  })
  xvfb = { process: child, display }
  return display
}

async function startWebKitDriver(): Promise<string> {
  if (webkitDriverServer) return webkitDriverServer.url
  const display = await startXvfb()
  const port = await freePort()
  const child = spawn(WEBKIT_DRIVER, [`--port=${port}`], { stdio: 'ignore', env: { ...process.env, DISPLAY: display } })
  const url = `http://127.0.0.1:${port}`
  for (let i = 0; i < 100; i++) {
    try {
      const res = await fetch(`${url}/status`)
      if (res.ok) break
    } catch {
      await new Promise((r) => setTimeout(r, 100))
    }
  }
  webkitDriverServer = { process: child, url }
  return url
}

class WebKitDriver implements Driver {
  readonly engine = 'webkit' as const
  constructor(private readonly driver: WebDriver) {}
  static async start(): Promise<WebKitDriver> {
    const server = await startWebKitDriver()
    const driver = await new Builder()
      .usingServer(server)
      .withCapabilities({
        browserName: 'MiniBrowser',
        acceptInsecureCerts: true,
        'webkitgtk:browserOptions': { binary: MINIBROWSER, args: ['--automation'] },
      })
      .build()
    return new WebKitDriver(driver)
  }
  async version() {
    const caps = await this.driver.getCapabilities()
    return `WebKitGTK ${String(caps.get('browserVersion') ?? '')}`
  }
  async userAgent() {
    return String(await this.driver.executeScript('return navigator.userAgent'))
  }
  async open(url: string) {
    await this.driver.executeScript(MARK).catch(() => undefined)
    await this.driver.get(url)
    await untilSettled(url, () => this.driver.executeScript(`return ${SETTLED}`))
  }
  async click(selector: string) {
    await (await this.driver.findElement(By.css(selector))).click()
  }
  async fill(selector: string, value: string) {
    const el = await this.driver.findElement(By.css(selector))
    await el.clear()
    await el.sendKeys(value)
  }
  async text(selector: string) {
    const found = await this.driver.findElements(By.css(selector))
    if (found.length === 0) return undefined
    return String(await this.driver.executeScript('return arguments[0].textContent', found[0]))
  }
  async body() {
    return String(await this.driver.executeScript('return document.body.textContent'))
  }
  async evaluate<T>(expression: string) {
    // WebDriver waits for a returned promise.
    return (await this.driver.executeScript(`return (${expression})`)) as T
  }
  async cookies(url: string) {
    // WebDriver returns the cookies of the current document: be on that host first.
    if (new URL(await this.driver.getCurrentUrl()).host !== new URL(url).host) await this.open(url)
    return (await this.driver.manage().getCookies()).map(({ name, value }) => ({ name, value }))
  }
  async setCookie(url: string, name: string, value: string) {
    if (new URL(await this.driver.getCurrentUrl()).host !== new URL(url).host) await this.open(url)
    await this.driver.manage().addCookie({ name, value, path: '/', httpOnly: true, sameSite: 'Lax' })
  }
  async close() {
    await this.driver.quit()
  }
}

export async function startDriver(engine: Engine, options: { userAgent?: string } = {}): Promise<Driver> {
  requireBrowser(engine)
  switch (engine) {
    case 'chromium':
      return ChromiumDriver.start(options)
    case 'firefox':
      return FirefoxDriver.start()
    case 'webkit':
      return WebKitDriver.start()
  }
}

/** Ends the shared browser processes this worker started. */
export async function stopAll(): Promise<void> {
  await chromiumBrowser?.close().catch(() => {})
  chromiumBrowser = undefined
  await firefoxBrowser?.close().catch(() => {})
  firefoxBrowser = undefined
  webkitDriverServer?.process.kill()
  webkitDriverServer = undefined
  xvfb?.process.kill()
  xvfb = undefined
}
