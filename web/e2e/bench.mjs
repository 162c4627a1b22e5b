// Measures sealing in the browser against the native CLI (web/BENCHMARKS.md):
//   node web/e2e/bench.mjs bin/tenderhall [MiB]
// A bidder seals and uploads a MiB-sized bid package through the web app in
// Chromium while the renderer processes' memory is sampled from /proc; then
// the CLI seals and submits the same package to the same server.
import { randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, readdirSync, writeFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { apiClient, bearer, cli, launchBrowser, startServer } from './harness.mjs'

const bin = resolve(process.argv[2] ?? 'bin/tenderhall')
const mib = Number(process.argv[3] ?? 200)
const work = mkdtempSync(join(tmpdir(), 'th-bench-'))
const srv = await startServer(bin)
const browser = await launchBrowser()
try {
  const pw = join(work, 'pw')
  writeFileSync(pw, 'bench-password-1')
  const token = await bearer(srv.url, 'demo-bidder1', srv.logins['demo-bidder1'])
  const api = apiClient(srv.url, token)
  const me = await api('GET', '/api/v1/auth/me')
  const key = join(work, 'b.key')
  const pub = join(work, 'b.pub')
  await cli(bin, ['keys', 'gen', '--out', key, '--pub', pub, '--password-file', pw])
  await api('PUT', `/api/v1/organizations/${me.orgId}/public-key`, { pem: readFileSync(pub, 'utf8') })
  const doc = join(work, 'doc.bin')
  writeFileSync(doc, randomBytes(mib << 20))
  writeFileSync(join(work, 'form.json'), JSON.stringify({ priceFen: 100000, durationDays: 100 }))
  const tar = join(work, 'bid.tar')
  await cli(bin, ['bid', 'pack', '--form', join(work, 'form.json'), '--out', tar, doc])
  rmSync(doc)
  const ann = (await apiClient(srv.url)('GET', '/api/v1/public/announcements?limit=1')).items[0]

  const page = await (await browser.newContext()).newPage()
  page.setDefaultTimeout(600_000)
  await page.goto(srv.url + '/login')
  await page.fill('input[data-test=username]', 'demo-bidder1')
  await page.fill('input[data-test=password]', srv.logins['demo-bidder1'])
  await page.click('[data-test=login]')
  await page.waitForURL((u) => !u.pathname.startsWith('/login'))
  await page.goto(`${srv.url}/bidder/sections/${ann.sectionId}?a=${ann.id}`)
  await page.setInputFiles('[data-test=key-file]', key)
  await page.fill('input[data-test=key-password]', readFileSync(pw, 'utf8'))
  await page.click('[data-test=key-open]')
  await page.waitForSelector('[data-test=key-opened]')
  await page.click('[data-test=mode-packed]') // the same package the CLI seals
  await page.setInputFiles('[data-test=bid-file]', tar)
  const base = rendererMemory()
  const browserBase = browserMemory()
  let peak = base
  let browserPeak = browserBase.rss
  const sampler = setInterval(() => {
    const m = rendererMemory()
    peak = { rss: Math.max(peak.rss, m.rss), hwm: Math.max(peak.hwm, m.hwm) }
    browserPeak = Math.max(browserPeak, browserMemory().rss)
  }, 200)
  const t0 = performance.now()
  await page.click('[data-test=seal-upload]')
  await page.waitForSelector('[data-test=receipt]')
  const browserSec = (performance.now() - t0) / 1000
  const timing = await page.$eval('[data-test=timing]', (e) => ({ ...e.dataset }))
  clearInterval(sampler)
  const end = rendererMemory()

  const env = join(work, 'bid.the')
  let t = performance.now()
  await cli(bin, ['seal', '--key', key, '--password-file', pw, '--to', pub, '--project', String(ann.projectId),
    '--section', String(ann.sectionId), '--bidder', String(me.orgId), '--in', tar, '--out', env])
  const sealSec = (performance.now() - t) / 1000
  t = performance.now()
  await cli(bin, ['bid', 'submit', '--server', srv.url, '--token', token, '--section', String(ann.sectionId), '--in', env])
  const submitSec = (performance.now() - t) / 1000

  const size = readFileSync(tar).length / (1 << 20)
  const rate = (s) => (size / s).toFixed(1)
  console.log(`bid package: ${size.toFixed(1)} MiB`)
  console.log(`browser seal+upload: ${browserSec.toFixed(1)} s = ${rate(browserSec)} MiB/s; renderer RSS before ${base.rss} MiB, peak ${peak.rss} MiB, high-water ${Math.max(peak.hwm, end.hwm)} MiB`)
  console.log(`browser process RSS before ${browserBase.rss} MiB, peak ${browserPeak} MiB (sampled every 200 ms)`)
  console.log(`browser timing (ms): read ${timing.read}, seal ${timing.seal}, waiting on the upload ${timing.send}, total ${timing.total}`)
  console.log(`CLI seal: ${sealSec.toFixed(1)} s = ${rate(sealSec)} MiB/s; CLI submit: ${submitSec.toFixed(1)} s = ${rate(submitSec)} MiB/s; CLI seal+submit ${rate(sealSec + submitSec)} MiB/s`)
} finally {
  await browser.close()
  await srv.stop()
  rmSync(work, { recursive: true, force: true })
}

/** Largest RSS and VmHWM (MiB) among Chromium's renderer processes (only this run's browser is running). */
function rendererMemory() {
  return chromiumMemory((cmd) => cmd.includes('--type=renderer'))
}

/** The same for the browser process itself, which holds the blob store the upload's parts go through. */
function browserMemory() {
  return chromiumMemory((cmd) => !cmd.includes('--type='))
}

function chromiumMemory(which) {
  let rss = 0
  let hwm = 0
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    let cmd = ''
    try {
      cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8')
    } catch {
      continue
    }
    if (!cmd.includes('chromium') || !which(cmd)) continue
    const st = readFileSync(`/proc/${pid}/status`, 'utf8')
    rss = Math.max(rss, Number(st.match(/VmRSS:\s+(\d+)/)?.[1] ?? 0) >> 10)
    hwm = Math.max(hwm, Number(st.match(/VmHWM:\s+(\d+)/)?.[1] ?? 0) >> 10)
  }
  return { rss, hwm }
}
