// The supervisor (demo-supervisor) in the browser: finds the section in
// 监督监察, enters the draw's public value (becoming supervisor of
// record, who alone reads the names), and watches the evaluation.
export async function openSection(kit, page, sectionName) {
  await page.goto(kit.base + '/')
  await page.click('nav a:has-text("监督监察")')
  await page.waitForURL(/\/supervisor$/)
  await page.locator('[data-test=supervised-section]', { hasText: sectionName }).first().waitFor()
  await kit.shot(page, '20-supervisor-projects')
  await page.locator('[data-test=supervised-section]', { hasText: sectionName }).first().click()
  await page.waitForURL(/\/supervisor\/sections\/\d+/)
}

/** Enters the public value; resolves with the drawn names (members and reserves). */
export async function draw(kit, page, value) {
  await page.locator('[data-test=public-value]').first().waitFor()
  await page.locator('input[data-test=public-value], [data-test=public-value] input').first().fill(value)
  await page.click('[data-test=enter-value]')
  await page.waitForSelector('[data-test=drawn-list]')
  await kit.shot(page, '21-supervisor-drawn-list')
  return page.locator('[data-test=drawn-name]').allTextContents()
}

/** The evaluation tab: resolves with the seated members {seat, name} once all are seated. */
export async function seatedMembers(kit, page, count) {
  await page.click('.el-tabs__item:has-text("评标监督")')
  const members = page.locator('[data-test=seat-name][data-role=member]')
  await page.waitForFunction((n) => document.querySelectorAll('[data-test=seat-name][data-role=member]').length === n, count)
  const out = []
  for (const el of await members.all()) out.push({ seat: Number(await el.getAttribute('data-seat')), name: (await el.textContent()).trim() })
  return out
}
