// A demo bidder in the browser: makes its organisation's SM2 key in the page
// and registers it, downloads the tender document (checked against the SM3
// digest the page shows), seals its bid package in the page and uploads
// it; at the opening, checks in with the key and decrypts.
import { createHash } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { download, field } from '../browser.mjs'

/** Makes the organisation's key in the workspace; resolves with the saved private key file. */
export async function makeKey(kit, page, user, password) {
  await page.goto(kit.base + '/bidder')
  await page.waitForSelector('[data-test=no-key]')
  await field(page, 'new-key-password').fill(password)
  await field(page, 'new-key-password2').fill(password)
  const files = []
  page.on('download', (d) => files.push(d))
  await page.click('[data-test=generate-key]')
  await page.waitForSelector('[data-test=key-saved]')
  while (!files.some((d) => d.suggestedFilename().endsWith('.key'))) await page.waitForEvent('download')
  const keyFile = join(kit.work, user + '.key')
  await files.find((d) => d.suggestedFilename().endsWith('.key')).saveAs(keyFile)
  await page.click('[data-test=key-saved]')
  await page.click('[data-test=register-generated]')
  await page.waitForSelector('[data-test=registered-key]')
  return keyFile
}

/** Opens the section from the workspace's open tenders and downloads the tender document; checks its SM3. */
export async function downloadDocument(kit, page, user, title) {
  await page.locator('[data-test=open-tenders] tbody tr', { hasText: title }).locator('a').first().click()
  await page.waitForURL(/\/bidder\/sections\/\d+/)
  await page.click('.el-tabs__item:has-text("招标文件")')
  const row = page.locator('tbody tr', { has: page.locator('[data-test=download-doc]') }).first()
  const shown = (await row.locator('.th-mono').textContent()).trim()
  const file = await download(page, () => row.locator('[data-test=download-doc]').click(), join(kit.work, user + '-招标文件.txt'))
  const sm3 = createHash('sm3').update(readFileSync(file)).digest('hex')
  if (sm3 !== shown) throw new Error(`${user}: the downloaded document's SM3 ${sm3} is not the published ${shown}`)
}

/**
 * Fills the bid form in the page (price in yuan, duration), adds the
 * documents, seals the package the page packs with the key file and
 * uploads it; resolves with the receipt's digest.
 */
export async function sealAndUpload(page, keyFile, password, form, shot) {
  await page.click('.el-tabs__item:has-text("加密上传投标文件")')
  await page.setInputFiles('[data-test=key-file]', keyFile)
  await field(page, 'key-password').fill(password)
  await page.click('[data-test=key-open]')
  await page.waitForSelector('[data-test=key-opened]')
  await field(page, 'bid-price').fill(form.priceYuan)
  await field(page, 'bid-duration').fill(String(form.durationDays))
  await field(page, 'bid-duration').press('Tab')
  await field(page, 'bid-quality').fill('合格')
  await page.setInputFiles('[data-test=bid-docs]', form.documents)
  await page.waitForSelector('[data-test=bid-package]')
  if (shot) await shot(page)
  await page.click('[data-test=seal-upload]')
  await page.waitForSelector('[data-test=receipt]', { timeout: 120_000 })
  return (await page.textContent('[data-test=digest]')).trim()
}

/** Checks in to the opening room with the key and decrypts the bid there. */
export async function openBid(kit, page, sectionId, keyFile, password) {
  await page.goto(`${kit.base}/room/${sectionId}`)
  await page.waitForFunction(() => document.querySelector('[data-test=phase] .el-step__title.is-process')?.textContent?.includes('解密'))
  await page.setInputFiles('[data-test=key-file]', keyFile)
  await field(page, 'key-password').fill(password)
  await page.click('[data-test=key-open]')
  await page.waitForSelector('[data-test=key-opened]')
  await page.click('[data-test=check-in]')
  await page.waitForSelector('[data-test=checked-in]')
  await page.click('[data-test=decrypt]')
  await page.waitForFunction(() => document.querySelector('[data-test=my-status]')?.textContent?.includes('已解密'))
}

