// The video index in the browser (issue 17): a simulated camera — real
// ffmpeg with the platform's clock burnt into the picture, uploaded by
// `tenderhall video ingest` — films the opening hall while three bidders
// decrypt. Afterwards the supervisor opens the section's trajectory, clicks
// the second decryption and the player stops on that moment: the frame's
// program date time lies within 2 s of the event's time.
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { apiClient, bearer, cli } from './harness.mjs'
import { cliBidder, eventually } from './bidders.mjs'
import { sandboxSuite } from './sandboxsuite.mjs'

const s = sandboxSuite('video-')
const work = mkdtempSync(join(tmpdir(), 'th-e2e-video-'))
const pw = join(work, 'pw')
writeFileSync(pw, 'e2e-video-' + randomBytes(6).toString('hex'))

s.test('a camera films the opening; the supervisor jumps from "bid 2 decrypted" to that moment of the video', async () => {
  const list = await apiClient(s.srv.url)('GET', '/api/v1/public/announcements?q=' + encodeURIComponent('福新路'))
  const ann = list.items[0]
  const sid = ann.sectionId
  const as = { bin: s.bin, srv: s.srv, work, pw }
  const bidders = [
    await cliBidder(as, 'demo-bidder1', ann, 98_765_400, 64 << 10),
    await cliBidder(as, 'demo-bidder2', ann, 99_100_000, 64 << 10),
    await cliBidder(as, 'demo-bidder3', ann, 101_250_000, 64 << 10),
  ]
  let admin = await s.api('demo-admin')
  const deadline = new Date(ann.deadline).getTime()
  await admin('POST', '/api/v1/sandbox/clock', { to: new Date(deadline + 11_000).toISOString() }) // the section opens by itself
  admin = await s.api('demo-admin') // weeks passed: a fresh session

  // The opening hall's camera, registered by the admin; its recorder
  // starts after the last jump of the sandbox clock, which from now on
  // runs at the real rate.
  const cred = await admin('POST', '/api/v1/video/cameras', { room: '开标大厅', name: '大厅全景', kind: 'opening' })
  const tokenFile = join(work, 'camera.token')
  writeFileSync(tokenFile, cred.token, { mode: 0o600 })
  const recorder = spawn(s.bin, ['video', 'ingest', '--server', s.srv.url, '--spool', join(work, 'spool'), '--token-file', tokenFile, '--test-pattern'],
    { stdio: ['ignore', 'ignore', 'pipe'] })
  let recorderLog = ''
  recorder.stderr.on('data', (b) => { recorderLog += b })
  const exited = new Promise((r) => recorder.once('exit', (code) => r(code)))
  process.on('exit', () => recorder.kill('SIGKILL'))
  const camera = async () => (await admin('GET', '/api/v1/video/cameras')).find((c) => c.id === cred.camera.id)
  await eventually('the first logged segment\n' + recorderLog, 60_000, async () => (await camera()).lastSegmentAt)

  // The decryptions about 4 s apart, so that the wrong one would be seconds off.
  let prev = 0
  for (const b of bidders) {
    if (prev) await eventually('4 s of video', 60_000, async () => new Date((await camera()).lastSegmentAt).getTime() > prev + 4000)
    const token = await bearer(s.srv.url, b.user, s.srv.logins[b.user])
    await cli(s.bin, ['bid', 'decrypt', '--server', s.srv.url, '--token', token, '--section', String(sid), '--key', b.key,
      '--password-file', pw, '--in', b.env])
    prev = (await admin('GET', '/api/v1/sandbox')).nowMs
  }
  // Video past the last decryption, then the camera stops (its encoder
  // ends the playlist and the recorder delivers the rest, exit 0).
  const lastDecrypt = (await admin('GET', '/api/v1/sandbox')).nowMs
  await eventually('video after the decryptions\n' + recorderLog, 60_000,
    async () => new Date((await camera()).lastSegmentAt).getTime() > lastDecrypt + 6000)
  recorder.kill('SIGINT')
  assert.equal(await exited, 0, recorderLog)
  assert.match(recorderLog, /0 refused/)

  // The opening window closes: whose bid was decrypted is released.
  const room = await apiClient(s.srv.url, await bearer(s.srv.url, 'demo-bidder1', s.srv.logins['demo-bidder1']))('GET', `/api/v1/sections/${sid}/room`)
  await admin('POST', '/api/v1/sandbox/clock', { to: new Date(new Date(room.windowEndsAt).getTime() + 1000).toISOString() })
  const supervisor = await s.api('demo-supervisor')
  const tr = await supervisor('GET', `/api/v1/supervision/trajectories/section/${sid}`)
  const decrypted = tr.steps.filter((st) => st.type === 'opening.decrypted').sort((a, b) => a.seq - b.seq)
  assert.equal(decrypted.length, 3, JSON.stringify(tr.steps.map((st) => st.type)))
  const eventMs = new Date(decrypted[1].occurredAt).getTime()
  for (const other of [decrypted[0], decrypted[2]]) assert.ok(Math.abs(new Date(other.occurredAt).getTime() - eventMs) > 3000, 'the decryptions are apart')

  const page = await s.newPage()
  await s.signIn(page, 'demo-supervisor')
  await page.goto(`${s.base}/monitor/section/${sid}`)
  const item = page.locator('.el-timeline-item', { has: page.locator('[data-test=step-label]', { hasText: '第 2 份' }) })
  await item.locator('[data-test=watch-video]').first().click()
  const at = await page.waitForSelector('[data-test=picture-at]', { timeout: 60_000 })
  await page.waitForFunction(() => { const v = document.querySelector('[data-test=video]'); return v && v.readyState >= 2 && !v.seeking })
  const shownEvent = Number(await page.getAttribute('[data-test=event-at]', 'data-ms'))
  const picture = Number(await at.getAttribute('data-ms'))
  assert.equal(shownEvent, eventMs, 'the player was opened on the second decryption')
  assert.ok(Math.abs(picture - eventMs) <= 2000, `the picture is at ${new Date(picture).toISOString()}, the event at ${new Date(eventMs).toISOString()}`)
  assert.equal(await page.evaluate(() => document.querySelector('[data-test=video]').paused), true, 'the player waits on the moment')
  await s.shot(page, '01-jump-to-bid-2-decrypted')
  await page.context().close()
})
