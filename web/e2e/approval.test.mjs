// The approval chain in the browser (issue 15): the public guides with the
// flow chart; demo-applicant applies for a fast-lane 施工许可 with one file
// uploaded and one filled from the licence library; demo-officer accepts,
// stops and restarts the clock, approves, finishes and issues the signed
// certificate; the public QR verification page shows it valid, the CLI
// verifies the PDF offline; a bad rating opens a call-back and a
// rectification the officer closes; a revocation shows on the public page.
// Screenshots go to test-output/e2e/approval-*.png. With E2E_REAL_SERVERS=1
// it runs on MariaDB, MinIO and Redis instead of the embedded default.
import assert from 'node:assert/strict'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { bearer, cli } from './harness.mjs'
import { field } from './browser.mjs'
import { sandboxSuite } from './sandboxsuite.mjs'

const suite = sandboxSuite('approval-')
const { test, newPage, signIn, shot, api, bin } = suite
const work = mkdtempSync(join(tmpdir(), 'th-e2e-approval-'))
const state = {}

const stateIs = (page, word) => page.locator('[data-test=case-info] [data-test=case-state]').filter({ hasText: word }).waitFor()

test('the public guides list the demo catalogue and draw an item\'s flow chart', async () => {
  const page = await newPage()
  await page.goto(suite.base + '/guides')
  const rows = page.locator('[data-test=guides] tbody tr')
  await rows.nth(29).waitFor()
  assert.ok((await rows.count()) >= 30)
  await field(page, 'guide-search').fill('施工许可')
  await page.click('[data-test=guide-search-button]')
  await page.waitForFunction(() => document.querySelectorAll('[data-test=guides] tbody tr').length < 30)
  for (const name of await page.locator('[data-test=guide-link]').allTextContents()) assert.ok(name.includes('施工许可'), name)
  await shot(page, 'guides')
  await page.locator('[data-test=guide-link]').filter({ hasText: '建设工程施工许可证核发' }).click()
  await page.locator('[data-test=guide-title]').filter({ hasText: '建设工程施工许可证核发' }).waitFor()
  assert.equal(await page.locator('[data-test=flow-step]').count(), 4)
  const text = await page.textContent('body')
  for (const want of ['《中华人民共和国建筑法》第七条', '承诺 10', '法定 15', '建设工程规划许可证', '可从证照库调用', '直通车', '市行政服务中心二楼 B12'])
    assert.ok(text.includes(want), want)
  assert.equal((await page.textContent('[data-test=complaint-phone]')).trim(), '0591-87011234')
  await shot(page, 'guide')
  await page.close()
})

test('the applicant applies on the fast lane, uploads one file, has the other from the library, and submits', async () => {
  const page = await newPage()
  await signIn(page, 'demo-applicant')
  await page.goto(suite.base + '/guides/350100-JS-001')
  await page.click('[data-test=apply]')
  await field(page, 'apply-name').fill('吴刚')
  await field(page, 'apply-id').fill('11010519491231002X')
  await field(page, 'apply-investment').fill('50000000')
  await page.click('[data-test=apply-submit]')
  await page.waitForURL(/\/applicant\/cases\/\d+$/)
  state.caseId = Number(page.url().match(/(\d+)$/)[1])
  await stateIs(page, '草稿')
  assert.ok((await page.textContent('[data-test=case-info]')).includes('直通车办件'))
  // Both required files came from the library (the demo's finished case); the optional funds proof is uploaded.
  await page.locator('[data-test=material-planning][data-state=given]').filter({ hasText: '证照库调用' }).waitFor()
  await page.locator('[data-test=material-application][data-state=given]').filter({ hasText: '证照库调用' }).waitFor()
  await page.locator('[data-test=material-funds][data-state=missing]').waitFor()
  const file = join(work, '建设资金落实证明.pdf')
  writeFileSync(file, '%PDF-1.4\n' + '建设资金落实证明（端到端测试）\n'.repeat(20000))
  await page.setInputFiles('[data-test=upload-funds]', file)
  await page.locator('[data-test=material-funds][data-state=given]').filter({ hasText: '建设资金落实证明.pdf' }).waitFor()
  await page.click('[data-test=submit-case]')
  await stateIs(page, '已提交')
  state.caseNo = (await page.textContent('[data-test=case-no]')).trim()
  await shot(page, 'applicant-case')
  await page.close()
})

test('the officer accepts, stops and restarts the clock, approves, finishes and issues the certificate', async () => {
  const page = await newPage()
  await signIn(page, 'demo-officer')
  await page.goto(suite.base + '/officer')
  await page.locator('[data-test=queue-case]').filter({ hasText: state.caseNo }).waitFor()
  assert.ok((await page.locator('[data-test=case-light]').count()) > 0, 'open cases show their light')
  await shot(page, 'officer-queue')
  await page.locator('[data-test=queue-case]').filter({ hasText: state.caseNo }).click()
  await page.click('[data-test=accept]')
  await stateIs(page, '已受理')
  const due = (await page.textContent('[data-test=case-due]')).trim()
  assert.match(due, /^\d{4}-\d\d-\d\d$/)
  // Fast lane: the promised 10 working days are halved.
  assert.ok((await page.textContent('[data-test=case-info]')).includes('5 个工作日'))
  await page.click('[data-test=suspend]')
  await field(page, 'action-reason').fill('需对施工现场进行勘查。')
  await page.click('[data-test=action-confirm]')
  await stateIs(page, '已暂停计时')
  await page.locator('[data-test=suspensions]').filter({ hasText: '需对施工现场进行勘查' }).waitFor()
  await shot(page, 'officer-suspended')
  await page.click('[data-test=resume]')
  await stateIs(page, '已受理')
  await page.click('[data-test=decide]')
  await page.click('[data-test=decision-approve]')
  await page.click('[data-test=action-confirm]')
  await stateIs(page, '已决定')
  await page.click('[data-test=finish]')
  await stateIs(page, '已办结')
  await field(page, 'cert-scope').fill('福州市鼓楼区端到端测试项目 1# 楼土建工程')
  await page.click('[data-test=cert-issue]')
  await page.locator('[data-test=cert-status]').filter({ hasText: '有效' }).waitFor()
  state.certNo = (await page.textContent('[data-test=cert-no]')).trim()
  await shot(page, 'officer-certificate')
  await page.close()
})

test('the QR page verifies the certificate for anyone, and the CLI verifies the PDF offline', async () => {
  const applicant = await api('demo-applicant')
  const cert = await applicant('GET', `/api/v1/approval/cases/${state.caseId}/certificate`)
  assert.equal(cert.no, state.certNo)
  assert.ok(cert.certificate.verifyUrl.endsWith('/verify/certificates/' + encodeURIComponent(state.certNo)), cert.certificate.verifyUrl)
  const page = await newPage() // not signed in
  await page.goto(cert.certificate.verifyUrl.replace(/^https?:\/\/[^/]+/, suite.base))
  await page.locator('[data-test=verify-status][data-status=valid]').waitFor()
  assert.equal((await page.textContent('[data-test=verify-sm3]')).trim(), cert.pdfSm3)
  assert.ok((await page.textContent('[data-test=verify-details]')).includes('端到端测试项目'))
  await shot(page, 'verify-valid')

  const r = await fetch(`${suite.srv.url}/api/v1/approval/cases/${state.caseId}/certificate/pdf`, {
    headers: { Authorization: 'Bearer ' + (await bearer(suite.srv.url, 'demo-applicant', suite.srv.logins['demo-applicant'])) } })
  assert.equal(r.status, 200)
  const pdf = join(work, 'certificate.pdf')
  writeFileSync(pdf, Buffer.from(await r.arrayBuffer()))
  const key = await (await fetch(`${suite.srv.url}/api/v1/public/approval/departments/${cert.certificate.departmentOrgId}/certificate-key`)).json()
  const keyFile = join(work, 'dept.pem')
  writeFileSync(keyFile, key.publicKeyPem)
  const out = await cli(bin, ['verify', 'certificate', pdf, '--department-pub', keyFile, '--server', suite.srv.url])
  assert.ok(out.includes(state.certNo), out)
  state.verifyPage = page
})

test('a bad rating opens a call-back and a rectification, which the officer closes', async () => {
  const page = await newPage()
  await signIn(page, 'demo-applicant')
  await page.goto(`${suite.base}/applicant/cases/${state.caseId}`)
  await page.click('[data-test=rating-1]')
  await field(page, 'rating-comment').fill('窗口答复不清楚，跑了冤枉路。')
  await page.click('[data-test=rating-send]')
  await page.locator('[data-test=rating-done]').filter({ hasText: '非常不满意' }).waitFor()
  assert.equal(await page.locator('[data-test=rating-tasks] tbody tr').count(), 2)
  await shot(page, 'bad-rating')
  await page.close()

  const officer = await newPage()
  await signIn(officer, 'demo-officer')
  await officer.goto(suite.base + '/officer')
  const row = officer.locator('[data-test=tasks] tbody tr').filter({ hasText: '回访' }).filter({ hasText: '#' + state.caseId })
  await row.waitFor()
  await row.locator('[data-test=task-note] input, input[data-test=task-note]').first().fill('已电话回访申请人，说明补充材料要求。')
  await row.locator('[data-test=task-close]').click()
  await officer.locator('[data-test=tasks] tbody tr').filter({ hasText: '已电话回访申请人' }).waitFor()
  await shot(officer, 'tasks')

  // Revocation shows on the public page.
  await officer.goto(`${suite.base}/officer/cases/${state.caseId}`)
  await field(officer, 'revoke-reason').fill('端到端测试：以欺骗手段取得许可')
  await officer.click('[data-test=revoke]')
  await officer.locator('[data-test=cert-status]').filter({ hasText: '已吊销' }).waitFor()
  await officer.close()
  const pub = state.verifyPage
  await pub.reload()
  await pub.locator('[data-test=verify-status][data-status=revoked]').waitFor()
  assert.ok((await pub.textContent('[data-test=verify-revoked]')).includes('以欺骗手段取得许可'))
  await shot(pub, 'verify-revoked')
  await pub.close()
})
