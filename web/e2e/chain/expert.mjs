// A seated demo expert in the browser: registers a personal key made in
// the page, reads the room code from the sandbox's simulated SMS, signs in
// to the room, signs the avoidance declaration with the key and votes;
// then reviews, scores and signs the report, each when the room's phase
// comes (the room page reloads the session every few seconds).
import { join } from 'node:path'
import { field } from '../browser.mjs'

/** Makes and registers the expert's personal key on 评标专家; resolves with the key file. */
export async function makeKey(kit, page, user, password) {
  await page.goto(kit.base + '/expert')
  await field(page, 'new-key-password').fill(password)
  await field(page, 'new-key-password2').fill(password)
  const [dl] = await Promise.all([
    page.waitForEvent('download', { predicate: (d) => d.suggestedFilename().endsWith('.key') }),
    page.click('[data-test=generate-key]'),
  ])
  const keyFile = join(kit.work, user + '-personal.key')
  await dl.saveAs(keyFile)
  await page.click('[data-test=key-saved]')
  await page.click('[data-test=register-generated]')
  await page.waitForSelector('text=个人公钥已登记')
  return keyFile
}

async function openKey(page, keyFile, password) {
  await page.setInputFiles('[data-test=key-file]', keyFile)
  await field(page, 'key-password').fill(password)
  await page.click('[data-test=key-open]')
  await page.waitForSelector('[data-test=key-opened]')
}

/** The room code from the simulated SMS; the inbox is read again until the message has come. */
async function roomCode(page) {
  const sms = page.locator('[data-test=sms]', { hasText: /验证码：\d{6}/ }).last()
  for (let i = 0; ; i++) {
    await page.click('[data-test=read-inbox]')
    try {
      await sms.waitFor({ timeout: 3000 })
      break
    } catch (e) {
      if (i === 10) throw e // the SMS follows the confirmation within seconds
    }
  }
  return (await sms.textContent()).match(/验证码：(\d{6})/)[1]
}

/** Enters the room: the code from the SMS, the avoidance declaration signed with the key. */
export async function enter(kit, page, keyFile, password) {
  await page.click('[data-test=my-evaluations] tbody tr a')
  await page.waitForURL(/\/expert\/evaluations\/\d+/)
  await field(page, 'room-code').fill(await roomCode(page))
  await page.click('[data-test=room-signin]')
  await openKey(page, keyFile, password)
  await page.click('[data-test=declare]')
  await page.waitForSelector('[data-test=chair-vote]')
}

/** Votes for the chair (once every member has declared). */
export async function vote(page, chairSeat) {
  await page.click(`[data-test=chair-vote] label:has-text("评委${chairSeat}")`)
  await page.click('[data-test=vote]')
  await page.waitForSelector('[data-test=chair-vote]', { state: 'detached' })
}

/** Passes every bid on every qualification criterion (the default) and submits. */
export async function review(page) {
  await page.waitForSelector('[data-test=review-submit]')
  await page.click('[data-test=review-submit]')
  await page.locator('.el-tag', { hasText: '已提交' }).first().waitFor()
}

/** The chair records that every bid is valid, once every member has submitted. */
export async function conclude(page) {
  await page.click('[data-test=conclude]')
  await page.waitForSelector('[data-test=score-form]')
}

/** Fills the score form for every bid (numbers typed, objective values chosen) and submits. */
export async function score(page, scores) {
  await page.waitForSelector('[data-test=score-form]')
  const bids = await page.locator('[data-test^="score-"][data-test$="-T1"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-test').split('-')[1]))
  for (const b of bids) {
    for (const c of ['T1', 'T2', 'C2']) {
      const input = page.locator(`[data-test="score-${b}-${c}"] input`)
      await input.fill(String(scores[c]))
      await input.blur()
    }
    for (const c of ['T3', 'C1']) {
      const select = page.locator(`[data-test="score-${b}-${c}"]`)
      await select.click()
      const listbox = await select.locator('[aria-controls]').first().getAttribute('aria-controls')
      await page.locator(`[id="${listbox}"] [role=option]`).getByText(String(scores[c]), { exact: true }).click()
    }
  }
  await page.waitForFunction(() => document.querySelector('[data-test=autosave]')?.textContent?.includes('已自动保存'))
  await page.click('[data-test=scores-submit]')
  await page.waitForSelector('[data-test=scores-submit]', { state: 'detached' })
  return bids.length
}

/** Signs the report's digest with the personal key once the chair has drafted it. */
export async function sign(page, keyFile, password) {
  await page.waitForSelector('[data-test=ranking] tbody tr', { timeout: 60_000 })
  await openKey(page, keyFile, password)
  await page.click('[data-test=sign-report]')
  await page.waitForSelector('[data-test=signed]')
}
