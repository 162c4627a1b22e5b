// One sandbox server and one browser for a scenario file: started before
// its tests (on MariaDB, MinIO and Redis with E2E_REAL_SERVERS=1), stopped
// after, with the helpers every scenario uses bound to them.
import { before, after } from 'node:test'
import assert from 'node:assert/strict'
import { apiClient, bearer, launchBrowser, screenshotDir, startServer } from './harness.mjs'
import { realServerEnv } from './realservers.mjs'
import { newPage, screenshotOnFailure, shot, signIn } from './browser.mjs'

/** Registers the hooks and returns the suite; prefix names its screenshots. */
export function sandboxSuite(prefix) {
  const shots = screenshotDir()
  const s = {
    bin: process.env.TENDERHALL_BIN,
    srv: null,
    browser: null,
    get base() { return s.srv.url },
    test: screenshotOnFailure(shots),
    newPage: () => newPage(s.browser),
    signIn: (page, user) => signIn(page, s.base, user, s.srv.logins[user]),
    shot: (page, name) => shot(page, shots, prefix + name),
    api: async (user) => apiClient(s.srv.url, await bearer(s.srv.url, user, s.srv.logins[user])),
  }
  before(async () => {
    assert.ok(s.bin, 'TENDERHALL_BIN names the binary')
    if (process.env.E2E_REAL_SERVERS === '1') Object.assign(process.env, await realServerEnv())
    s.srv = await startServer(s.bin)
    s.browser = await launchBrowser()
  })
  after(async () => {
    await s.browser?.close()
    await s.srv?.stop()
  })
  return s
}
