// The agent (demo-agent) and the tenderer (demo-tenderer) in the browser:
// the project, the section, its announcement with the schedule checks, the
// tenderer's approval, publication with the tender document, the opening
// room's close, the expert draw and its calls, the start of the evaluation.
import { beijing, choose, field, pickTime } from '../browser.mjs'

const tab = (page, label) => page.click(`.el-tabs__item:has-text("${label}")`)

/** Creates the project and section and saves the announcement; resolves with the section id. */
export async function draftSection(kit, page, { project, section, title, now, deadline }) {
  await page.goto(kit.base + '/agent')
  await page.click('[data-test=new-project]')
  await field(page, 'project-name').fill(project)
  await choose(page, 'tenderer', '福州市城市建设投资集团')
  await page.click('[data-test=create-project]')
  await page.waitForURL(/\/agent\/projects\/\d+/)
  await page.click('[data-test=new-section]')
  await field(page, 'section-code').fill(section.code)
  await field(page, 'section-name').fill(section.name)
  await field(page, 'section-budget').fill(section.budget)
  await page.click('[data-test=create-section]')
  await page.waitForURL(/\/agent\/sections\/\d+/)
  const id = Number(page.url().split('/').pop())
  await field(page, 'ann-title').fill(title)
  await field(page, 'ann-body').fill('本项目已具备招标条件，现进行公开招标，欢迎符合条件的投标人参加。')
  await pickTime(page, 'ann-docs-from', beijing(now))
  await pickTime(page, 'ann-docs-until', beijing(now + 10 * 86400e3))
  await pickTime(page, 'ann-deadline', beijing(deadline))
  await page.waitForFunction(() => document.querySelector('[data-test=schedule-checks]') && !document.querySelector('[data-test=schedule-checks] .bad'))
  await page.click('[data-test=ann-save]')
  await page.waitForFunction(() => document.querySelector('[data-test=ann-status]')?.textContent?.includes('草稿'))
  return id
}

/** The tenderer finds the section among its projects and approves the announcement. */
export async function approve(kit, page, projectName) {
  await page.goto(kit.base + '/agent')
  await page.locator('[data-test=projects] tbody tr', { hasText: projectName }).locator('a[href^="/agent/sections/"]').click()
  await page.click('[data-test=ann-approve]')
  await page.waitForFunction(() => document.querySelector('[data-test=ann-status]')?.textContent?.includes('审核'))
}

/** Publishes the approved announcement and uploads the tender document. */
export async function publish(kit, page, sectionId, document) {
  await page.goto(`${kit.base}/agent/sections/${sectionId}`)
  await page.click('[data-test=ann-publish]')
  await page.waitForFunction(() => document.querySelector('[data-test=section-state]')?.textContent?.includes('招标中'))
  await tab(page, '招标文件')
  await page.setInputFiles('[data-test=document-file]', document)
  await page.locator('[data-test=agent-documents] tbody tr').first().waitFor()
}

/** The host opens the objection phase and closes the room, which publishes the signed record. */
export async function closeRoom(kit, page, sectionId) {
  await page.goto(`${kit.base}/room/${sectionId}`)
  await page.waitForFunction(() => document.querySelectorAll('[data-test=results] tbody tr').length === 3)
  await page.click('[data-test=objection-phase]')
  await page.click('[data-test=close-room]')
  await page.waitForSelector('[data-test=room-record]')
}

/** Requests the draw with the sandbox's prefilled demo committee; checks what was prefilled. */
export async function requestDraw(kit, page, sectionId, evaluationAt) {
  await page.goto(`${kit.base}/agent/sections/${sectionId}`)
  await tab(page, '专家抽取')
  await page.waitForSelector('[data-test=draw-demo-hint]')
  for (const i of [0, 1]) {
    if ((await field(page, `draw-specialty-${i}`).inputValue()) !== 'A040399') throw new Error(`group ${i + 1} is not prefilled with the demo committee`)
  }
  await pickTime(page, 'draw-evaluation-at', beijing(evaluationAt))
  await page.click('[data-test=draw-submit]')
  await page.locator('[data-test=draw-state]', { hasText: '待监督人员抽取' }).waitFor()
}

/** Starts the call campaign once the supervisor has drawn. */
export async function startCalls(kit, page, sectionId, confirmBy) {
  await page.goto(`${kit.base}/agent/sections/${sectionId}`)
  await tab(page, '专家抽取')
  await page.locator('[data-test=draw-state]', { hasText: '已抽取' }).waitFor()
  await pickTime(page, 'confirm-by', beijing(confirmBy))
  await page.click('[data-test=start-calls]')
  await page.waitForSelector('[data-test=campaign-state]')
}

/** Starts the evaluation with the drawn committee in the demo evaluation room. */
export async function startEvaluation(kit, page, sectionId) {
  await page.goto(`${kit.base}/agent/sections/${sectionId}`)
  await tab(page, '评标与定标')
  await choose(page, 'eval-draw', '抽取')
  await choose(page, 'eval-room', '第一评标室（演示）')
  await page.click('[data-test=start-eval]')
  await page.locator('[data-test=agent-eval-phase]', { hasText: '签到' }).waitFor()
}
