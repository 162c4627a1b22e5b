// Electronic supervision in the browser (issue 16): a case accepted today
// turns yellow, then red, as the sandbox clock moves; demo-officer's office
// finds both warnings, corrects the case (decides it) and answers them;
// demo-supervisor accepts the answers and the board turns the case green,
// its trajectory keeping every change. Screenshots go to
// test-output/e2e/supervision-*.png. With E2E_REAL_SERVERS=1 it runs on
// MariaDB, MinIO and Redis instead of the embedded default.
import assert from 'node:assert/strict'
import { bearer } from './harness.mjs'
import { field } from './browser.mjs'
import { sandboxSuite } from './sandboxsuite.mjs'

const suite = sandboxSuite('supervision-')
const { test, newPage, signIn, shot, api } = suite
const state = {}
/** Moves the sandbox clock (every sweep runs, supervision's too); sessions may end, so callers sign in afresh. */
async function setClock(to) {
  const admin = await api('demo-admin')
  return admin('POST', '/api/v1/sandbox/clock', { to: new Date(to).toISOString() })
}

/** The board's light for our case, once the row is there. */
async function boardLight(page, want) {
  await page.goto(suite.base + '/monitor')
  await page.locator('[data-test=board-live][data-live=true]').waitFor() // the SSE stream is up
  const row = page.locator(`[data-test=board] tbody tr:has([data-subject="case:${state.caseId}"])`)
  await row.locator(`[data-test=light][data-light=${want}]`).waitFor()
}

test('a case accepted today is on the supervisor\'s board, green, with its promised limit', async () => {
  const applicant = await api('demo-applicant')
  const c = await applicant('POST', '/api/v1/approval/cases', { itemCode: '350100-JS-006', applicantKind: 'person',
    applicantName: '监察测试', applicantId: '11010519491231002X' })
  state.caseId = c.id
  const token = await bearer(suite.srv.url, 'demo-applicant', suite.srv.logins['demo-applicant'])
  for (const m of ['application', 'contract']) {
    const r = await fetch(`${suite.srv.url}/api/v1/approval/cases/${c.id}/materials/${m}?name=${m}.pdf`, {
      method: 'PUT', headers: { Authorization: 'Bearer ' + token }, body: '材料 ' + m })
    assert.equal(r.status, 201, await r.text())
  }
  await applicant('POST', `/api/v1/approval/cases/${c.id}/submit`)
  const officer = await api('demo-officer')
  await officer('POST', `/api/v1/approval/cases/${c.id}/accept`)

  const supervisor = await api('demo-supervisor')
  let limit
  for (let i = 0; i < 300 && !limit; i++) { // the rules consumer runs every 5 s: wait for it to see the acceptance
    const tr = await supervisor('GET', `/api/v1/supervision/trajectories/case/${c.id}`).catch(() => null)
    limit = tr?.limits?.find((l) => l.ruleId === 'A-CASE-PROMISED')
    if (!limit) await new Promise((r) => setTimeout(r, 200))
  }
  assert.ok(limit, 'the consumer built the promised limit')
  state.limit = limit
  assert.ok(new Date(limit.yellowAt) < new Date(limit.dueAt))

  const page = await newPage()
  await signIn(page, 'demo-supervisor')
  await boardLight(page, 'green')
  await page.locator('[data-test=rules] tbody tr').filter({ hasText: 'A-CASE-PROMISED' }).waitFor()
  await shot(page, 'board-green')
  await page.close()
})

test('the sandbox clock turns it yellow, then red, each with a warning', async () => {
  await setClock(new Date(state.limit.yellowAt).getTime() + 60_000)
  const page = await newPage()
  await signIn(page, 'demo-supervisor')
  await boardLight(page, 'yellow')
  await shot(page, 'board-yellow')

  await setClock(new Date(state.limit.dueAt).getTime() + 60_000)
  await signIn(page, 'demo-supervisor')
  await boardLight(page, 'red')
  assert.ok(Number(await page.textContent('[data-test=count-red] .n')) >= 1)
  await shot(page, 'board-red')
  await page.click(`[data-subject="case:${state.caseId}"]`)
  await page.waitForURL(new RegExp(`/monitor/case/${state.caseId}$`))
  await page.locator('[data-test=steps] [data-test=step]').filter({ hasText: 'supervision.warning_raised' }).nth(1).waitFor()
  assert.equal(await page.locator('[data-test=warnings] tbody tr').count(), 2)
  await shot(page, 'trajectory-red')
  await page.close()
})

test('the office corrects the case and answers; the supervisor accepts and the board turns green', async () => {
  const officer = await api('demo-officer')
  await officer('POST', `/api/v1/approval/cases/${state.caseId}/decision`, { decision: 'approve' })
  const page = await newPage()
  await signIn(page, 'demo-officer')
  await page.goto(suite.base + '/warnings')
  const ours = page.locator('[data-test=warnings] tbody tr').filter({ hasText: `case:${state.caseId}` })
  await ours.nth(1).waitFor()
  for (let i = 0; i < 2; i++) {
    const row = ours.filter({ has: page.locator('[data-test=answer-text]') }).first()
    await field(row, 'answer-text').fill('现场核查延误，已加派人员并作出准予许可决定')
    await row.locator('[data-test=answer-send]').click()
    await page.locator('[data-test=warnings] tbody tr').filter({ hasText: `case:${state.caseId}` }).locator('[data-state=answered]').nth(i).waitFor()
  }
  await shot(page, 'office-answered')
  await page.close()

  const sup = await newPage()
  await signIn(sup, 'demo-supervisor')
  await sup.goto(suite.base + `/monitor/case/${state.caseId}`)
  for (let i = 0; i < 2; i++) {
    await sup.locator('[data-test=review-accept]').first().click()
    await sup.locator('[data-test=warnings] [data-state=accepted]').nth(i).waitFor()
  }
  await sup.locator('h1 [data-test=light][data-light=green]').waitFor()
  await shot(sup, 'trajectory-green')
  await boardLight(sup, 'green')
  await shot(sup, 'board-green-again')
  // The case was decided this (sandbox) month: demo-officer's department is ranked, its score drawn.
  await sup.goto(suite.base + '/monitor/efficiency')
  const dept = sup.locator('[data-test=efficiency] tbody tr').filter({ hasText: '住房和城乡建设局' })
  await dept.waitFor()
  assert.match(await dept.locator('[data-test=efficiency-score]').textContent(), /^\d+\.\d\d$/)
  await sup.locator('[data-test=efficiency-chart] canvas').waitFor()
  await shot(sup, 'efficiency')
  await sup.goto(suite.base + '/monitor/warnings')
  await sup.locator('[data-test=warnings] tbody tr').first().waitFor()
  await shot(sup, 'inbox')
  await sup.close()
})

// `tenderhall demo play` against this sandbox: two of its bidders' documents
// were written by one person on one machine. After the opening supervision
// reads the decrypted bids; the play's supervisor (its password is the
// play's fixed one) finds the pair with the evidence and the graph.
test('the seeded collusion pair appears with its evidence and the graph', async () => {
  const { spawn } = await import('node:child_process')
  const out = await new Promise((resolve, reject) => {
    const child = spawn(suite.bin, ['demo', 'play', '--server', suite.base, '--admin-user', 'demo-admin', '--admin-password', suite.srv.logins['demo-admin']],
      { env: process.env, stdio: ['ignore', 'pipe', 'pipe'] })
    let text = ''
    child.stdout.on('data', (b) => (text += b))
    child.stderr.on('data', (b) => (text += b))
    child.on('exit', (code) => (code === 0 ? resolve(text) : reject(new Error(`demo play exited ${code}:\n${text}`))))
  })
  const user = out.match(/监督人员 (supervisor-\S+) 查看轨迹 (\/monitor\/section\/\d+)/)
  assert.ok(user, 'the play names its supervisor and section')
  const page = await newPage()
  await page.goto(suite.base + '/login')
  await page.fill('[data-test=username]', user[1])
  await page.fill('[data-test=password]', 'Demo-play-2026!')
  await page.click('[data-test=login]')
  await page.waitForURL((u) => !u.pathname.startsWith('/login'))
  await page.goto(suite.base + user[2])
  const author = page.locator('[data-test=signals] tbody tr').filter({ has: page.locator('[data-kind=same_author]') })
  await author.waitFor()
  assert.match(await author.locator('[data-test=signal-value]').textContent(), /作者：\s*林志强/)
  const bids = await author.locator('[data-test=signal-bid]').allTextContents()
  assert.equal(bids.length, 2)
  assert.match(bids.join('|'), /海西路桥集团.*商务标\.pdf.*\|.*闽江建筑安装.*商务标\.pdf/)
  await page.locator('[data-test=signals] [data-kind=same_device]').waitFor()
  await page.locator('[data-test=collusion-graph] canvas').waitFor()
  const edges = await page.locator('[data-test=collusion-edges] li').allTextContents()
  const pairEdge = edges.find((e) => e.includes('海西路桥集团') && e.includes('闽江建筑安装'))
  assert.ok(pairEdge && pairEdge.includes('同一台电脑') && pairEdge.includes('文档作者'), `the pair's edge: ${edges.join(' / ')}`)
  assert.ok(edges.every((e) => e === pairEdge || !e.includes('文档作者')), 'no other pair shares an author')
  assert.match(await page.locator('[data-test=scan-state]').textContent(), /已读取 · 共 10 份文档/)
  await shot(page, 'collusion')
  const { join } = await import('node:path')
  const { screenshotDir } = await import('./harness.mjs')
  await page.locator('.el-card').filter({ has: page.locator('[data-test=collusion-graph]') }).screenshot({ path: join(screenshotDir(), 'supervision-collusion-signals.png') })
  state.play = { tag: user[1].slice('supervisor-'.length), section: user[2].split('/').pop(), supervisor: page }
})

// The play's first bidder objected to the candidates and was answered: it
// complains within the window; the play's supervisor accepts and decides
// on the complaint desk; the decision is published.
test('a bidder complains after its answered objection; the department accepts and decides', async () => {
  const bidder = await newPage()
  await bidder.goto(suite.base + '/login')
  await bidder.fill('[data-test=username]', 'bidder1-' + state.play.tag)
  await bidder.fill('[data-test=password]', 'Demo-play-2026!')
  await bidder.click('[data-test=login]')
  await bidder.waitForURL((u) => !u.pathname.startsWith('/login'))
  await bidder.goto(suite.base + `/bidder/sections/${state.play.section}`)
  await bidder.getByRole('tab', { name: '投诉' }).click()
  const option = bidder.locator('[data-test=complaint-options] tbody tr').filter({ hasText: '评标结果' })
  await option.locator('[data-test=complaint-window][data-open=true]').waitFor()
  assert.match(await option.locator('[data-test=complaint-window]').textContent(), /可投诉，截至 \d{4}-\d\d-\d\d/)
  await option.locator('[data-test=complaint-pick]').click()
  await field(bidder, 'complaint-body').fill('中标候选人的项目经理有在建项目，答复未予核实')
  await bidder.locator('[data-test=complaint-file]').click()
  await bidder.locator('[data-test=my-complaints] [data-state=filed]').waitFor()
  await option.locator('[data-test=complaint-window][data-open=false]').waitFor() // one complaint per objection
  await suite.shot(bidder, 'complaint-filed')

  const sup = state.play.supervisor
  await sup.goto(suite.base + '/monitor/complaints')
  const row = sup.locator('[data-test=complaints] tbody tr').filter({ hasText: '项目经理' })
  await row.locator('[data-state=filed]').waitFor()
  await row.locator('textarea[data-test=complaint-text], [data-test=complaint-text] textarea').fill('符合受理条件，予以受理')
  await row.locator('[data-test=complaint-accept]').click()
  await row.locator('[data-state=accepted]').waitFor()
  await row.locator('textarea[data-test=complaint-text], [data-test=complaint-text] textarea').fill('经调查，该项目经理无在建项目，投诉不成立')
  await row.locator('[data-test=complaint-decide]').click()
  await row.locator('[data-state=decided]').waitFor()
  await suite.shot(sup, 'complaint-desk')
  const anon = await fetch(suite.base + '/api/v1/public/complaint-decisions').then((r) => r.json())
  assert.ok(anon.some((d) => d.decision === '经调查，该项目经理无在建项目，投诉不成立' && d.stage === 'award' && !('bidderOrgId' in d)))
  await bidder.reload()
  await bidder.getByRole('tab', { name: '投诉' }).click()
  await bidder.locator('[data-test=my-complaints] [data-state=decided]').waitFor()
  await sup.close()
  await bidder.close()
})
