// The administrator (demo-admin) of the sandbox, in the browser: moves the
// clock from the bar under the banner and scripts the simulated phones. A
// jump of more than 12 hours ends every session, this one's too, so each
// action signs in afresh first.
import { beijing, pickTime } from '../browser.mjs'

async function signedIn(kit, page) {
  await kit.again(page, 'demo-admin', '/')
  await page.waitForSelector('[data-test=sandbox-clock]')
}

/** Waits for the banner to show the clock moved to at least ms (Beijing time, to the second). */
async function moved(page, ms) {
  const want = beijing(ms).slice(0, 16) // the minute: the server adds the time the request took
  await page.locator('[data-test=clock-moved]', { hasText: want }).waitFor()
}

/** Moves the clock to ms with the date picker; resolves when the banner shows it. shotName: a screenshot before the click. */
export async function moveClockTo(kit, page, ms, shotName = '') {
  await signedIn(kit, page)
  await pickTime(page, 'clock-to', beijing(ms))
  if (shotName) await kit.shot(page, shotName)
  await page.click('[data-test=clock-go]')
  await moved(page, ms)
}

/** Clicks one of the +10m / +1h / +24h buttons; resolves when the banner shows a later time. */
export async function advanceClock(kit, page, step, signIn = true) {
  if (signIn) await signedIn(kit, page)
  const before = await page.textContent('[data-test=sandbox-banner]')
  await page.click(`[data-test=clock-advance-${step}]`)
  await page.waitForFunction((b) => document.querySelector('[data-test=sandbox-banner]')?.textContent !== b, before)
}

/** Sets the simulated phones so that every drawn expert answers and accepts. */
export async function phonesAccept(kit, page) {
  await signedIn(kit, page)
  await page.click('[data-test=carrier-apply]') // the preset chosen first is "everyone accepts"
  await page.locator('[data-test=carrier-applied]', { hasText: '全部接听' }).waitFor()
}
