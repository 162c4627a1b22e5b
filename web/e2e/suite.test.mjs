// The browser suite (issue 8): real Chromium against the real binary in
// sandbox mode with the demo data. The scenarios build on each other and
// run in order: the portal; the agent publishes a section; a bidder makes a
// key in the browser and seals a 20 MiB bid there, surviving a cut
// connection, and the server holds ciphertext only; the opening, with
// check-in and decryption in the browser. Screenshots of every main page
// go to test-output/e2e.
import { before, after } from 'node:test'
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { mkdtempSync, readFileSync, writeFileSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { apiClient, bearer, cli, findFiles, launchBrowser, screenshotDir, startProxy, startServer } from './harness.mjs'
import { makeExperts } from './experts.mjs'
import { beijing, failOnError, field, newPage as openPage, screenshotOnFailure, shot as screenshot, signIn as signInAs } from './browser.mjs'
import { nodeNotary } from './notary.mjs'
import { bidPackage, cliBidder, eventually } from './bidders.mjs'

const bin = process.env.TENDERHALL_BIN
const work = mkdtempSync(join(tmpdir(), 'th-e2e-files-'))
const shots = screenshotDir()
let srv, proxy, browser, base, admin
const state = {} // what one scenario leaves for the next

before(async () => {
  assert.ok(bin, 'TENDERHALL_BIN names the binary')
  srv = await startServer(bin)
  proxy = await startProxy(srv.url)
  base = proxy.url
  browser = await launchBrowser()
  admin = apiClient(srv.url, await bearer(srv.url, 'demo-admin', srv.logins['demo-admin']))
})

after(async () => {
  await browser?.close()
  await proxy?.close()
  await srv?.stop()
})

const test = screenshotOnFailure(shots)
const newPage = () => openPage(browser)
const signIn = (page, user, password = srv.logins[user]) => signInAs(page, base, user, password)
const shot = (page, name) => screenshot(page, shots, name)

/** Moves the sandbox clock. A jump of weeks ends every session, so it signs in afresh. */
async function setClock(to) {
  admin = apiClient(srv.url, await bearer(srv.url, 'demo-admin', srv.logins['demo-admin']))
  return admin('POST', '/api/v1/sandbox/clock', { to: new Date(to).toISOString() })
}

test('the portal lists the demo tenders in Chinese, on server time, marked as a sandbox', async () => {
  const page = await newPage()
  await page.goto(base + '/')
  const rows = page.locator('[data-test=announcements] tbody tr')
  await rows.nth(3).waitFor()
  assert.ok((await rows.count()) >= 4)
  const text = await page.textContent('body')
  for (const want of ['交易公告', '福新路道路提升改造工程', '测试环境', '服务器时间']) assert.ok(text.includes(want), want)
  await field(page, 'search').fill('防洪堤')
  await page.click('[data-test=search-button]')
  await page.waitForFunction(() => document.querySelectorAll('[data-test=announcements] tbody tr').length === 1)
  await shot(page, '01-portal')
  await page.click('[data-test=announcements] tbody tr a')
  await page.waitForSelector('[data-test=announcement-title]')
  assert.match(await page.textContent('[data-test=documents]'), /[0-9a-f]{64}/) // the tender document's SM3 digest
  await shot(page, '02-announcement')
  await page.context().close()
})

test('the agent creates a project and section, sees the schedule checks, and publishes once approved', async () => {
  const page = await newPage()
  await signIn(page, 'demo-agent')
  await page.goto(base + '/agent')
  await page.click('[data-test=new-project]')
  await field(page, 'project-name').fill('福州市仓山区城市书房建设项目')
  await page.click('[data-test=tenderer]')
  await page.click('.el-select-dropdown__item >> nth=0')
  await page.click('[data-test=create-project]')
  await page.waitForURL(/\/agent\/projects\/\d+/)
  await page.click('[data-test=new-section]')
  await field(page, 'section-code').fill('A010101')
  await field(page, 'section-name').fill('施工标段')
  await field(page, 'section-budget').fill('1,280,000')
  await page.click('[data-test=create-section]')
  await page.waitForURL(/\/agent\/sections\/\d+/)
  state.agentSection = Number(page.url().split('/').pop())

  const now = (await admin('GET', '/api/v1/sandbox')).nowMs
  await field(page, 'ann-title').fill('福州市仓山区城市书房建设项目施工招标公告')
  await field(page, 'ann-body').fill('城市书房 6 处，建筑面积合计约 1800 平方米。')
  await field(page, 'ann-docs-from').fill(beijing(now + 3600e3))
  await field(page, 'ann-docs-until').fill(beijing(now + 3 * 86400e3))
  await field(page, 'ann-deadline').fill(beijing(now + 10 * 86400e3))
  await page.keyboard.press('Enter')
  await page.waitForSelector('[data-test=schedule-checks] .bad')
  await shot(page, '03-agent-schedule-check')
  await field(page, 'ann-docs-until').fill(beijing(now + 9 * 86400e3))
  await field(page, 'ann-deadline').fill(beijing(now + 35 * 86400e3))
  await page.keyboard.press('Enter')
  await page.waitForFunction(() => !document.querySelector('[data-test=schedule-checks] .bad'))
  await page.click('[data-test=ann-save]')
  await page.waitForFunction(() => document.querySelector('[data-test=ann-status]')?.textContent?.includes('草稿'))
  // The agency is not the tenderer: approval is refused with a clear message, and the page stays usable.
  await page.click('[data-test=ann-approve]')
  await page.waitForSelector('[data-test=error]')
  assert.match(await page.textContent('[data-test=error]'), /招标人/)

  const tenderer = await newPage()
  await signIn(tenderer, 'demo-admin')
  await tenderer.goto(`${base}/agent/sections/${state.agentSection}`)
  await tenderer.click('[data-test=ann-approve]')
  await tenderer.waitForFunction(() => document.querySelector('[data-test=ann-status]')?.textContent?.includes('审核'))
  await tenderer.context().close()

  await page.reload()
  await page.click('[data-test=ann-publish]')
  await page.waitForFunction(() => document.querySelector('[data-test=ann-status]')?.textContent?.includes('已发布'))
  await page.waitForFunction(() => document.querySelector('[data-test=section-state]')?.textContent?.includes('招标中'))
  await shot(page, '04-agent-section')
  await page.context().close()
})

test('a bidder makes its key in the browser; the CLI reads the downloaded file', async () => {
  const page = await newPage()
  await signIn(page, 'demo-bidder1')
  await page.goto(base + '/bidder')
  await page.waitForSelector('[data-test=no-key]')
  const password = 'browser-key-passw0rd'
  await field(page, 'new-key-password').fill(password)
  await field(page, 'new-key-password2').fill(password)
  const downloads = []
  page.on('download', (d) => downloads.push(d))
  await page.click('[data-test=generate-key]')
  await page.waitForSelector('[data-test=key-saved]')
  while (downloads.length < 2) await page.waitForEvent('download')
  const keyDl = downloads.find((d) => d.suggestedFilename().endsWith('.key'))
  state.key1 = join(work, 'bidder1.key')
  state.pw = join(work, 'pw.txt')
  writeFileSync(state.pw, password)
  await keyDl.saveAs(state.key1)
  const shown = await cli(bin, ['keys', 'show', '--password-file', state.pw, state.key1])
  const keyId = shown.match(/key id:\s+([0-9a-f]{64})/)[1]
  await page.click('[data-test=key-saved]')
  await page.click('[data-test=register-generated]')
  await page.waitForSelector('[data-test=registered-key]')
  assert.equal((await page.textContent('[data-test=registered-key]')).trim(), keyId)
  await shot(page, '05-bidder-workspace')
  await page.context().close()
})

test('a bidder seals 20 MiB in the browser and uploads it through a cut connection; the server holds ciphertext only', async () => {
  const list = await apiClient(srv.url)('GET', '/api/v1/public/announcements?q=' + encodeURIComponent('福新路'))
  state.ann = list.items[0]
  const tar = await bidPackage(bin, work, 'bidder1', 98_765_400, 20 << 20)
  const page = await newPage()
  await signIn(page, 'demo-bidder1')
  await page.goto(`${base}/bidder/sections/${state.ann.sectionId}?a=${state.ann.id}`)
  await page.setInputFiles('[data-test=key-file]', state.key1)
  await field(page, 'key-password').fill('not-the-password')
  await page.click('[data-test=key-open]')
  await page.waitForSelector('[data-test=error]')
  assert.match(await page.textContent('[data-test=error]'), /密钥口令错误/)
  await field(page, 'key-password').fill(readFileSync(state.pw, 'utf8'))
  await page.click('[data-test=key-open]')
  await page.waitForSelector('[data-test=key-opened]')
  await page.click('[data-test=mode-packed]') // the package made with tenderhall bid pack, to compare with what is stored
  await page.setInputFiles('[data-test=bid-file]', tar)

  proxy.cutUploads(3 << 20) // three MiB into a chunk's body
  await page.click('[data-test=seal-upload]')
  const retrying = await Promise.race([page.waitForSelector('[data-test=retrying]', { timeout: 120_000 }), failOnError(page)])
  proxy.stopCutting()
  assert.match(await retrying.textContent(), /网络中断/)
  await shot(page, '06-upload-retrying')
  await page.waitForSelector('[data-test=receipt]', { timeout: 300_000 })
  assert.match(await page.textContent('[data-test=resumed]'), /自动续传 1 次/)
  const digest = (await page.textContent('[data-test=digest]')).trim()
  await shot(page, '07-upload-receipt')
  assert.ok(proxy.cuts.length >= 1)

  // What the server stored: the envelope, which verifies, unseals to the
  // original package with the bidder's key, and contains no plaintext.
  const stored = findFiles(srv.data, '.the')
  assert.equal(stored.length, 1, `stored envelopes: ${stored}`)
  const verified = await cli(bin, ['verify', 'envelope', stored[0]])
  assert.ok(verified.includes(digest), verified)
  const plain = join(work, 'unsealed.tar')
  await cli(bin, ['unseal', '--key', state.key1, '--password-file', state.pw, '--in', stored[0], '--out', plain])
  const sha = (f) => createHash('sha256').update(readFileSync(f)).digest('hex')
  assert.equal(sha(plain), sha(tar))
  const original = readFileSync(tar)
  const object = readFileSync(stored[0])
  assert.ok(statSync(stored[0]).size > original.length)
  for (let i = 0; i < 64; i++) {
    const at = 4096 + Math.floor(Math.random() * (original.length - 8192))
    assert.equal(object.indexOf(original.subarray(at, at + 32)), -1, `plaintext bytes at ${at} found in the stored object`)
  }
  state.bidder1Page = page
})

test('the opening: check-in and decryption in the browser, results, an objection, the signed record', async () => {
  const sid = state.ann.sectionId
  const bidders = { bin, srv, work, pw: state.pw }
  const others = [await cliBidder(bidders, 'demo-bidder2', state.ann, 99_100_000), await cliBidder(bidders, 'demo-bidder3', state.ann, 101_250_000)]
  const deadline = new Date(state.ann.deadline).getTime()
  await setClock(deadline - 10 * 60e3) // check-in opens 30 minutes before the deadline

  const page = state.bidder1Page
  await signIn(page, 'demo-bidder1') // four weeks passed: the session has ended
  await page.goto(`${base}/room/${sid}`)
  await page.waitForFunction(() => document.querySelector('[data-test=phase] .el-step__title.is-process')?.textContent?.includes('签到'))
  // Another organisation's key file is refused before anything is signed.
  await page.setInputFiles('[data-test=key-file]', others[0].key)
  await field(page, 'key-password').fill(readFileSync(state.pw, 'utf8'))
  await page.click('[data-test=key-open]')
  await page.waitForSelector('[data-test=error]')
  assert.match(await page.textContent('[data-test=error]'), /不是本单位登记的密钥/)
  await page.setInputFiles('[data-test=key-file]', state.key1)
  await field(page, 'key-password').fill(readFileSync(state.pw, 'utf8'))
  await page.click('[data-test=key-open]')
  await page.waitForSelector('[data-test=key-opened]')
  await page.click('[data-test=check-in]')
  await page.waitForSelector('[data-test=checked-in]')
  await shot(page, '08-room-signin')

  const host = await newPage()
  await signIn(host, 'demo-agent')
  await host.goto(`${base}/room/${sid}`)
  await host.click('[data-test=host-join]')

  await setClock(deadline + 1000) // the deadline passes: the room says it is closing (截标中) while in-time bids complete
  await host.waitForFunction(() => document.body.textContent?.includes('截标中'))
  await shot(host, '08b-room-closing')
  await setClock(deadline + 11_000) // ArrivalGrace (10 s) later the section opens by itself
  await page.waitForSelector('[data-test=decrypt]:not([disabled])')
  await page.click('[data-test=decrypt]')
  await page.waitForFunction(() => document.querySelector('[data-test=my-status]')?.textContent?.includes('已解密'))
  await shot(page, '09-room-decrypting')
  for (const o of others) {
    o.token = await bearer(srv.url, o.user, srv.logins[o.user])
    await cli(bin, ['bid', 'decrypt', '--server', srv.url, '--token', o.token, '--section', String(sid), '--key', o.key,
      '--password-file', state.pw, '--in', o.env])
  }
  await page.waitForFunction(() => document.querySelector('[data-test=decrypted-count]')?.textContent?.trim() === '3')

  const room = await apiClient(srv.url, others[0].token)('GET', `/api/v1/sections/${sid}/room`)
  await setClock(new Date(room.windowEndsAt).getTime() + 1000) // the window closes: names and prices are published
  await page.waitForFunction(() => document.querySelectorAll('[data-test=results] tbody tr').length === 3)
  assert.match(await page.textContent('[data-test=results]'), /¥987,654\.00/)
  await shot(page, '10-room-results')

  await host.click('[data-test=objection-phase]')
  await field(page, 'room-objection-text').fill('第二名投标人的工期承诺与招标文件要求不符')
  await page.click('[data-test=room-object]')
  await field(host, 'room-answer-text').fill('已核对，工期 180 日历天满足招标文件要求，异议不成立。')
  await host.click('[data-test=room-answer]')
  await host.click('[data-test=close-room]')
  await page.waitForSelector('[data-test=room-record]')
  await shot(host, '11-room-closed')
  await host.context().close()

  const pub = await newPage()
  await pub.goto(`${base}/announcements/${state.ann.id}`)
  await pub.waitForSelector('[data-test=opening-record] [data-test=results]')
  assert.match(await pub.textContent('[data-test=opening-record]'), /第二名投标人的工期承诺|已开标/)
  await shot(pub, '12-opening-record')
  const pdf = await fetch(`${srv.url}/api/v1/sections/${sid}/opening-record?format=pdf`)
  assert.equal(pdf.headers.get('content-type'), 'application/pdf')
  await pub.context().close()

  // After the deadline the bid page says so and offers no upload.
  await page.goto(`${base}/bidder/sections/${sid}?a=${state.ann.id}`)
  await page.waitForSelector('text=投标截止时间已过')
  assert.equal(await page.isDisabled('[data-test=seal-upload]'), true)
  await shot(page, '13-bid-after-deadline')
  await page.context().close()
})

/** Reads the room code from an expert's simulated SMS (sandbox inbox), once it has arrived. */
function roomCode(api) {
  return eventually('the room code SMS', 30_000, async () => {
    const inbox = await api('GET', '/api/v1/sandbox/inbox')
    return inbox.map((m) => m.text.match(/验证码：(\d{6})/)?.[1]).filter(Boolean).at(-1)
  })
}

const iso = (ms) => new Date(ms).toISOString()
const scores = { T1: 20, T2: 12, T3: 5, C1: 10, C2: 4 }

test('an expert enters the evaluation room, reviews and scores in the browser, and signs the report; the agent publishes the candidates', async () => {
  const sid = state.ann.sectionId
  const notary = await nodeNotary()
  const password = readFileSync(state.pw, 'utf8')
  const specialty = 'C990001' // only these five experts have it, so the draw picks them
  const experts = await makeExperts(srv.url, admin, specialty, work, password)
  const room = await admin('POST', '/api/v1/evaluation-rooms', { name: '第三评标室（演示）', location: '省公共资源交易中心 5 楼', networks: ['127.0.0.0/8', '::1/128'] })
  let agent = apiClient(srv.url, await bearer(srv.url, 'demo-agent', srv.logins['demo-agent']))
  const now = (await admin('GET', '/api/v1/sandbox')).nowMs
  const evaluationAt = now + 2 * 86400e3
  const draw = await agent('POST', `/api/v1/sections/${sid}/draws`, { evaluationAt: iso(evaluationAt), place: '福州市公共资源交易中心第三评标室',
    groups: [{ specialty, category: 'technical', count: 4, reserve: 0 }, { specialty, category: 'economic', count: 1, reserve: 0 }], avoidance: {} })
  const supervisor = apiClient(srv.url, await bearer(srv.url, 'demo-supervisor', srv.logins['demo-supervisor']))
  await supervisor('POST', `/api/v1/draws/${draw.id}/public-value`, { value: '20261202' })
  await admin('PUT', '/api/v1/sandbox/carrier', { profile: 'accept=1,ring=1s,seed=1' })
  await agent('POST', `/api/v1/draws/${draw.id}/campaign`, { confirmBy: iso(now + 86400e3), retries: 1, retryMinutes: 1 })
  // The simulated calls ring and answer on the sandbox clock: move it a minute at a time until the committee is filled.
  const progress = await eventually('the call campaign filling the committee', 240_000, async () => {
    const pr = await agent('GET', `/api/v1/draws/${draw.id}/campaign`)
    if (pr.campaign.state !== 'running') return pr
    await admin('POST', '/api/v1/sandbox/clock', { advance: '1m' })
  })
  assert.equal(progress.campaign.state, 'filled')

  await setClock(evaluationAt - 30 * 60e3) // the evaluation day; every session has ended
  agent = apiClient(srv.url, await bearer(srv.url, 'demo-agent', srv.logins['demo-agent']))
  const session = await agent('POST', `/api/v1/sections/${sid}/evaluation`, { drawId: draw.id, roomId: room.id })
  const evalPath = (suffix = '') => `/api/v1/evaluations/${session.id}${suffix}`
  for (const x of experts) {
    x.api = await x.relogin()
    x.seat = (await x.api('GET', evalPath())).you.seat
  }
  const [mine, chair, ...others] = experts
  const apiExperts = [chair, ...others]
  for (const x of apiExperts) {
    await x.api('POST', evalPath('/signin'), { code: await roomCode(x.api) })
    const statement = JSON.stringify({ sessionId: session.id, seat: x.seat, relationships: [] })
    await x.api('POST', evalPath('/declaration'), { statement, signature: notary.sign(x.key.handle, 'TenderHall avoidance declaration v1\n' + statement) })
  }

  // The expert in the browser: the code from the (sandbox) SMS, the declaration signed with the key file, the vote.
  const page = await newPage()
  await signIn(page, mine.username, mine.password)
  await page.goto(base + '/expert')
  await page.click('[data-test=my-evaluations] tbody tr a')
  await page.waitForURL(/\/expert\/evaluations\/\d+/)
  await page.click('[data-test=read-inbox]')
  // The inbox loads after the click: wait for the message with the code, not for the first paint.
  const sms = page.locator('[data-test=sms]', { hasText: /验证码：\d{6}/ }).last()
  const code = (await sms.textContent()).match(/验证码：(\d{6})/)[1]
  await field(page, 'room-code').fill(code)
  await page.click('[data-test=room-signin]')
  await page.setInputFiles('[data-test=key-file]', mine.keyFile)
  await field(page, 'key-password').fill(password)
  await page.click('[data-test=key-open]')
  await page.waitForSelector('[data-test=key-opened]')
  await page.click('[data-test=declare]')
  await page.click(`[data-test=chair-vote] label:has-text("评委${chair.seat}")`)
  await shot(page, '14-expert-entering')
  await page.click('[data-test=vote]') // the chair is elected once everyone has declared
  await page.waitForSelector('text=已完成签到、声明和投票')
  for (const x of apiExperts) await x.api('POST', evalPath('/votes'), { seat: chair.seat })

  // Qualification review: everyone passes every bid; the chair records it.
  await page.waitForSelector('[data-test=review-form]')
  const view = await chair.api('GET', evalPath())
  const bids = view.bids
  const review = bids.flatMap((b) => ['Q1', 'Q2', 'Q3'].map((criterion) => ({ bidId: b.bidId, criterion, pass: true })))
  for (const x of apiExperts) await x.api('PUT', evalPath('/review'), { entries: review, submit: true })
  await page.click('[data-test=review-submit]')
  await page.waitForFunction(() => document.body.textContent.includes('已提交'))
  await chair.api('POST', evalPath('/conclusions'), { conclusions: bids.map((b) => ({ bidId: b.bidId, valid: true })) })

  // Scoring in the browser, saved as typed.
  await page.waitForSelector('[data-test=score-form]')
  for (const b of bids) {
    for (const c of ['T1', 'T2', 'C2']) {
      const input = page.locator(`[data-test="score-${b.bidId}-${c}"] input`)
      await input.fill(String(scores[c]))
      await input.blur()
    }
    for (const c of ['T3', 'C1']) {
      const select = page.locator(`[data-test="score-${b.bidId}-${c}"]`)
      await select.click()
      const listbox = await select.locator('[aria-controls]').first().getAttribute('aria-controls')
      await page.locator(`[id="${listbox}"] [role=option]`).getByText(String(scores[c]), { exact: true }).click()
    }
  }
  await page.waitForFunction(() => document.querySelector('[data-test=autosave]')?.textContent?.includes('已自动保存'))
  await shot(page, '15-expert-scoring')
  const saved = (await mine.api('GET', evalPath('/scores'))).find((s) => s.seat === mine.seat)
  assert.equal(saved.entries.length, bids.length * 5) // the autosave reached the server before submitting
  const entries = bids.flatMap((b) => Object.entries(scores).map(([criterion, points]) => ({ bidId: b.bidId, criterion, points })))
  for (const x of apiExperts) await x.api('PUT', evalPath('/scores'), { entries, submit: true })
  await page.click('[data-test=scores-submit]')
  await eventually('every member\'s scores submitted', 30_000, async () => (await chair.api('GET', evalPath())).phase === 'report')

  // The report: the chair drafts it; the members sign its digest.
  await chair.api('POST', evalPath('/report'))
  const report = await chair.api('GET', evalPath('/report'))
  for (const x of apiExperts) {
    await x.api('POST', evalPath('/report/signatures'), { digest: report.state.digest,
      signature: notary.sign(x.key.handle, 'TenderHall evaluation report v1\n' + report.state.digest) })
  }
  await page.waitForSelector('[data-test=ranking] tbody tr')
  await page.setInputFiles('[data-test=key-file]', mine.keyFile)
  await field(page, 'key-password').fill(password)
  await page.click('[data-test=key-open]')
  await page.waitForSelector('[data-test=key-opened]')
  await page.click('[data-test=sign-report]')
  await page.waitForSelector('[data-test=signed]')
  assert.equal((await agent('GET', evalPath())).phase, 'signed')
  await shot(page, '16-expert-report-signed')
  await page.context().close()

  // The agent publishes the candidates in the browser; the portal shows them.
  const agentPage = await newPage()
  await signIn(agentPage, 'demo-agent')
  await agentPage.goto(`${base}/agent/sections/${sid}`)
  await agentPage.click('.el-tabs__item:has-text("评标与定标")')
  await agentPage.click('[data-test=publish-candidates]')
  await agentPage.waitForSelector('[data-test=candidates] tbody tr')
  await shot(agentPage, '17-agent-candidates')
  await agentPage.goto(`${base}/announcements/${state.ann.id}`)
  await agentPage.waitForSelector('[data-test=candidates] tbody tr')
  assert.match(await agentPage.textContent('[data-test=candidates]'), /福建榕城建设工程有限公司/)
  await shot(agentPage, '18-portal-candidates')
  await agentPage.context().close()
})
