// Bidders that work with the CLI, shared by the scenario files: a bid
// package made with `tenderhall bid pack`, and a bidder with its key,
// registration, sealed bid and submission. And the suites' polling helper.
import { randomBytes } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { apiClient, bearer, cli } from './harness.mjs'

/** A bid package (form + a random document of docBytes) in work, made with `tenderhall bid pack`. */
export async function bidPackage(bin, work, name, priceFen, docBytes) {
  const doc = join(work, name + '-技术标.bin')
  writeFileSync(doc, randomBytes(docBytes))
  const form = join(work, name + '-form.json')
  writeFileSync(form, JSON.stringify({ priceFen, durationDays: 180, quality: '合格' }))
  const tar = join(work, name + '.tar')
  await cli(bin, ['bid', 'pack', '--form', form, '--out', tar, doc])
  return tar
}

/**
 * A bidder that works with the CLI: key (password in the file pw),
 * registration, bid package, seal, submit to section ann on srv.
 */
export async function cliBidder({ bin, srv, work, pw }, user, ann, priceFen, docBytes = 256 << 10) {
  const token = await bearer(srv.url, user, srv.logins[user])
  const api = apiClient(srv.url, token)
  const me = await api('GET', '/api/v1/auth/me')
  const key = join(work, user + '.key')
  const pub = join(work, user + '.pub')
  await cli(bin, ['keys', 'gen', '--out', key, '--pub', pub, '--password-file', pw])
  await api('PUT', `/api/v1/organizations/${me.orgId}/public-key`, { pem: readFileSync(pub, 'utf8') })
  const tar = await bidPackage(bin, work, user, priceFen, docBytes)
  const env = join(work, user + '.the')
  await cli(bin, ['seal', '--key', key, '--password-file', pw, '--to', pub, '--project', String(ann.projectId),
    '--section', String(ann.sectionId), '--bidder', String(me.orgId), '--in', tar, '--out', env])
  await cli(bin, ['bid', 'submit', '--server', srv.url, '--token', token, '--section', String(ann.sectionId), '--in', env])
  return { user, token, key, env }
}

/** Polls cond every 200 ms until it returns a value, for at most limitMs. */
export async function eventually(what, limitMs, cond) {
  const end = Date.now() + limitMs
  for (;;) {
    const v = await cond()
    if (v) return v
    if (Date.now() > end) throw new Error(`${what} did not happen within ${limitMs} ms`)
    await new Promise((r) => setTimeout(r, 200)) // polling state another process changes
  }
}
