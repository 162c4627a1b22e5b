// What every browser scenario does with a page: a fresh context per person
// (its own cookies and downloads), signing in through the login page,
// Element Plus fields and selects, screenshots, and Beijing time as the
// pages show it. A scenario that fails saves every open page as FAIL-*.png.
import { test as nodeTest } from 'node:test'
import { join } from 'node:path'

const open = new Set()

/** A node:test test that, when it fails, saves a screenshot of every page still open. */
export function screenshotOnFailure(shots) {
  return function test(name, fn) {
    nodeTest(name, async (t) => {
      try {
        await fn(t)
      } catch (e) {
        let i = 0
        for (const p of open) await p.screenshot({ path: join(shots, `FAIL-${name.slice(0, 40)}-${i++}.png`), fullPage: true }).catch(() => {})
        throw e
      }
    })
  }
}

/** A page in a new browser context: Chinese, 1360×900, downloads kept, page errors logged. */
export async function newPage(browser) {
  const ctx = await browser.newContext({ acceptDownloads: true, locale: 'zh-CN', timezoneId: 'UTC', viewport: { width: 1360, height: 900 } })
  const page = await ctx.newPage()
  page.setDefaultTimeout(30_000)
  open.add(page)
  page.on('close', () => open.delete(page))
  page.on('pageerror', (e) => console.log('page error:', e.message))
  page.on('console', (m) => m.type() === 'error' && console.log('console:', m.text()))
  return page
}

/** Signs in through the login page (after which the app goes to next, or the portal). */
export async function signIn(page, base, user, password, next = '') {
  await page.goto(base + '/login' + (next ? '?next=' + encodeURIComponent(next) : ''))
  await page.fill('[data-test=username]', user)
  await page.fill('[data-test=password]', password)
  await page.click('[data-test=login]')
  await page.waitForURL((u) => !u.pathname.startsWith('/login'))
}

export async function shot(page, dir, name) {
  await page.screenshot({ path: join(dir, name + '.png'), fullPage: true, animations: 'disabled' })
}

/** The <input> behind an Element Plus field with data-test=name. */
export function field(page, name) {
  return page.locator(`input[data-test=${name}], textarea[data-test=${name}], [data-test=${name}] input, [data-test=${name}] textarea`).first()
}

/** Types a Beijing time into an Element Plus date picker marked data-test=name. */
export async function pickTime(page, name, text) {
  await field(page, name).fill(text)
  await page.keyboard.press('Enter')
}

/** Chooses the option whose label contains text in an Element Plus select marked data-test=name. */
export async function choose(page, name, text) {
  const select = page.locator(`[data-test=${name}]`)
  await select.click()
  const listbox = await select.locator('[aria-controls]').first().getAttribute('aria-controls')
  await page.locator(`[id="${listbox}"] [role=option]`).filter({ hasText: text }).first().click()
}

/** Rejects with the page's error message if one shows up first (a race partner for a wait that would hang). */
export async function failOnError(page) {
  await page.waitForSelector('[data-test=error]', { timeout: 0 })
  throw new Error('the page shows an error: ' + (await page.textContent('[data-test=error]')))
}

/** Beijing time "YYYY-MM-DD HH:mm:ss" of a moment in ms, as the pages show and take it. */
export const beijing = (ms) => new Date(ms + 8 * 3600e3).toISOString().slice(0, 19).replace('T', ' ')

/** The server's time as the page's header shows it (the sandbox clock), in ms. */
export async function serverTime(page) {
  await page.waitForFunction(() => /\d{4}-\d\d-\d\d \d\d:\d\d:\d\d/.test(document.querySelector('[data-test=server-clock]')?.textContent ?? ''))
  const text = await page.textContent('[data-test=server-clock]')
  return Date.parse(text.match(/(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d)/).slice(1).join('T') + '+08:00')
}

/** The next weekday at hh:mm Beijing time, at least days after ms. */
export function weekdayAt(ms, days, hh, mm) {
  const d = new Date(ms + 8 * 3600e3 + days * 86400e3)
  while ([0, 6].includes(d.getUTCDay())) d.setUTCDate(d.getUTCDate() + 1)
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), hh - 8, mm)
}

/** Saves the download that clicking does, to path; resolves with the path. */
export async function download(page, click, path) {
  const [dl] = await Promise.all([page.waitForEvent('download'), click()])
  await dl.saveAs(path)
  return path
}
