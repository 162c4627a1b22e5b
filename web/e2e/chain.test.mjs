// Issue 8, "Done means" 1: a section from announcement to a signed report
// entirely in the browser, with the --demo accounts only, on a fresh
// `serve --sandbox --demo`. The agent announces and the tenderer approves;
// three demo bidders make their keys, download the document, seal and
// upload; the administrator moves the clock; the bidders decrypt in the
// opening room; the agent requests the draw (prefilled with the demo
// committee), the supervisor enters the public value, the calls fill the
// committee; five demo experts enter the room, review, score and sign; the
// supervisor sees the final report and its PDF; no page shows an expert's
// name to anyone else. Nothing is done outside the pages: each bidder fills
// its bid form (price, duration) and adds its documents in the page, which
// packs and seals them; the opening room then shows the prices typed.
import { before, after } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { launchBrowser, screenshotDir, startServer } from './harness.mjs'
import { newPage, screenshotOnFailure, serverTime, weekdayAt } from './browser.mjs'
import { makeKit } from './chain/kit.mjs'
import * as agent from './chain/agent.mjs'
import * as bidder from './chain/bidder.mjs'
import * as admin from './chain/admin.mjs'
import * as supervisor from './chain/supervisor.mjs'
import * as expert from './chain/expert.mjs'

const bin = process.env.TENDERHALL_BIN
const work = mkdtempSync(join(tmpdir(), 'th-chain-'))
const shots = screenshotDir()
const test = screenshotOnFailure(shots)
let srv, browser, kit
const s = {} // what one step leaves for the next
const keyPassword = 'chain-key-passw0rd'
const project = '福州市晋安区社区卫生服务中心建设项目'
const sectionName = '施工总承包'
const title = project + sectionName + '招标公告'
const bidders = [['demo-bidder1', 987_650_000], ['demo-bidder2', 991_000_000], ['demo-bidder3', 1_012_500_000]]

before(async () => {
  assert.ok(bin, 'TENDERHALL_BIN names the binary')
  srv = await startServer(bin)
  browser = await launchBrowser()
  kit = makeKit({ srv, base: srv.url, browser, work, shots })
})

after(async () => {
  await browser?.close()
  await srv?.stop()
  rmSync(work, { recursive: true, force: true }) // keys, bid packages, the downloaded document
})

test('the agent drafts the section, the tenderer approves, the agent publishes it with the tender document', async () => {
  s.agent = await kit.as('demo-agent', '/agent')
  const now = await serverTime(s.agent)
  s.deadline = weekdayAt(now, 25, 9, 30)
  s.sectionId = await agent.draftSection(kit, s.agent, { project, title, now, deadline: s.deadline,
    section: { code: 'A040399', name: sectionName, budget: '12,800,000' } })
  const tenderer = await kit.as('demo-tenderer', '/agent')
  await agent.approve(kit, tenderer, project)
  await tenderer.context().close()
  const doc = join(work, '招标文件.txt')
  writeFileSync(doc, '福州市晋安区社区卫生服务中心建设项目施工招标文件（演示）。\n'.repeat(300))
  await agent.publish(kit, s.agent, s.sectionId, doc)
})

test('three demo bidders make their keys, download the document and seal and upload their bids in the browser', async () => {
  s.keys = {}
  for (const [user, priceFen] of bidders) {
    const page = await kit.as(user, '/bidder')
    s.keys[user] = await bidder.makeKey(kit, page, user, keyPassword)
    await page.goto(kit.base + '/bidder')
    await bidder.downloadDocument(kit, page, user, title)
    s.announcementId = new URL(page.url()).searchParams.get('a')
    const technical = join(work, user + '-技术标.txt')
    writeFileSync(technical, `${user} 施工组织设计：质量、安全、进度保证措施。\n`.repeat(500))
    const form = { priceYuan: (priceFen / 100).toFixed(2), durationDays: 180, documents: [technical] }
    const shot = user === bidders[0][0] ? (p) => kit.shot(p, '19a-bidder-bid-form') : undefined
    assert.match(await bidder.sealAndUpload(page, s.keys[user], keyPassword, form, shot), /^[0-9a-f]{64}$/)
    await page.context().close()
  }
})

test('the administrator moves the clock past the deadline; the bidders check in and decrypt in the browser', async () => {
  s.admin = await newPage(browser)
  await admin.moveClockTo(kit, s.admin, s.deadline + 60_000, '19-sandbox-clock')
  await s.admin.locator('text=登录已失效').waitFor() // a jump of weeks ended the administrator's own session
  await kit.shot(s.admin, '19b-sandbox-clock-moved')
  for (const [user] of bidders) {
    const page = await kit.as(user, '/bidder')
    await bidder.openBid(kit, page, s.sectionId, s.keys[user], keyPassword)
    await page.context().close()
  }
  await admin.advanceClock(kit, s.admin, '1h') // the 30-minute window ends: names and prices are published
  await kit.again(s.agent, 'demo-agent', '/agent')
  await agent.closeRoom(kit, s.agent, s.sectionId)
  assert.match(await s.agent.textContent('[data-test=results]'), /¥9,876,500\.00/)
})

test('the agent requests the demo committee, the supervisor draws it, the simulated calls fill it', async () => {
  const now = await serverTime(s.agent)
  s.evaluationAt = weekdayAt(now, 2, 9, 0)
  await agent.requestDraw(kit, s.agent, s.sectionId, s.evaluationAt)
  s.supervisor = await kit.as('demo-supervisor', '/')
  await supervisor.openSection(kit, s.supervisor, sectionName)
  const drawn = await supervisor.draw(kit, s.supervisor, '20270105')
  const demoNames = [1, 2, 3, 4, 5, 6, 7].map((i) => kit.personName(`demo-expert${i}`))
  assert.equal(drawn.length, 6) // four members and a reserve, one economic member
  for (const n of drawn) assert.ok(demoNames.includes(n), `${n} is a demo expert`)

  await admin.phonesAccept(kit, s.admin)
  await agent.startCalls(kit, s.agent, s.sectionId, now + 86400e3)
  // The simulated phones ring on the sandbox clock: the administrator moves it
  // ten minutes at a time until the agent's page shows the committee filled.
  const state = s.agent.locator('[data-test=campaign-state]')
  for (let i = 0; !(await state.textContent()).includes('人数已满'); i++) {
    assert.ok(i < 12 && !(await state.textContent()).includes('人数不足'), 'the calls did not fill the committee: ' + (await state.textContent()))
    await admin.advanceClock(kit, s.admin, '10m', i === 0)
    await state.filter({ hasText: /人数已满|人数不足/ }).waitFor({ timeout: 7000 }).catch(() => {}) // the page reloads every 5 s
  }
  await kit.shot(s.agent, '22-agent-campaign-filled')
  assert.doesNotMatch(await s.agent.textContent('main'), new RegExp(drawn.join('|')), 'the agent sees no drawn name')
})

test('the evaluation: five demo experts enter the room, review, score and sign the report in the browser', async () => {
  await admin.moveClockTo(kit, s.admin, s.evaluationAt - 30 * 60e3)
  await kit.again(s.agent, 'demo-agent', '/agent')
  await agent.startEvaluation(kit, s.agent, s.sectionId)
  await kit.again(s.supervisor, 'demo-supervisor', `/supervisor/sections/${s.sectionId}`)
  const seated = await supervisor.seatedMembers(kit, s.supervisor, 5)
  await kit.shot(s.supervisor, '23-supervisor-evaluation-signin')
  const users = Object.fromEntries([1, 2, 3, 4, 5, 6, 7].map((i) => [kit.personName(`demo-expert${i}`), `demo-expert${i}`]))
  const chairSeat = Math.min(...seated.map((m) => m.seat))
  s.experts = []
  for (const m of seated) {
    const user = users[m.name]
    assert.ok(user, `seat ${m.seat} (${m.name}) is a demo expert`)
    const page = await kit.as(user, '/expert')
    const keyFile = await expert.makeKey(kit, page, user, keyPassword)
    await expert.enter(kit, page, keyFile, keyPassword)
    s.experts.push({ user, page, keyFile, chair: m.seat === chairSeat })
  }
  for (const x of s.experts) await expert.vote(x.page, chairSeat) // the vote opens once every member has declared
  for (const x of s.experts) await expert.review(x.page)
  const chair = s.experts.find((x) => x.chair)
  await expert.conclude(chair.page)
  for (const x of s.experts) assert.equal(await expert.score(x.page, { T1: 20, T2: 12, T3: 5, C1: 10, C2: 4 }), 3)
  await kit.shot(s.supervisor, '24-supervisor-evaluation-scores')
  await chair.page.waitForFunction(() => document.querySelector('[data-test=eval-phase] .el-step__title.is-process')?.textContent?.includes('评标报告'))
  await chair.page.click('[data-test=draft-report]')
  for (const x of s.experts) await expert.sign(x.page, x.keyFile, keyPassword)
  await kit.shot(chair.page, '25-expert-report-signed')
  for (const x of s.experts) await x.page.context().close()
})

test('the report is final with its PDF for the supervisor; the portal and the agent show no expert name', async () => {
  await s.supervisor.locator('[data-test=report-final]').waitFor()
  await kit.shot(s.supervisor, '26-supervisor-report-final')
  const pdf = await s.supervisor.request.get(kit.base + (await s.supervisor.getAttribute('[data-test=report-pdf]', 'href')))
  assert.equal(pdf.headers()['content-type'], 'application/pdf')
  assert.equal((await pdf.body()).subarray(0, 5).toString(), '%PDF-')
  const names = [1, 2, 3, 4, 5, 6, 7].map((i) => kit.personName(`demo-expert${i}`))

  await s.agent.goto(`${kit.base}/agent/sections/${s.sectionId}`)
  await s.agent.click('.el-tabs__item:has-text("评标与定标")')
  await s.agent.locator('[data-test=agent-eval-phase]', { hasText: '报告已签署' }).waitFor()
  await s.agent.click('.el-tabs__item:has-text("专家抽取")')
  await s.agent.waitForSelector('[data-test=campaign]')
  for (const n of names) assert.ok(!(await s.agent.textContent('main')).includes(n), `the agent's page names ${n}`)

  const pub = await newPage(browser)
  await pub.goto(`${kit.base}/announcements/${s.announcementId}`)
  await pub.waitForSelector('[data-test=opening-record] [data-test=results]')
  const text = await pub.textContent('body')
  for (const n of names) assert.ok(!text.includes(n), `the public page names ${n}`)
  assert.ok(text.includes('福建榕城建设工程有限公司'), 'the opening record lists the bidders')
  await kit.shot(pub, '27-portal-after-report')
  for (const p of [pub, s.agent, s.supervisor, s.admin]) await p.context().close()
})
