// The e2e suite's plumbing: the real tenderhall binary as a sandbox server
// on a temporary data directory, a TCP proxy in front of it that can cut a
// connection in the middle of an upload, Debian's Chromium driven by
// playwright-core, the CLI, and the sandbox clock.
import { spawn, execFile } from 'node:child_process'
import { appendFileSync, mkdtempSync, mkdirSync, readdirSync, statSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import net from 'node:net'
import { promisify } from 'node:util'
import { chromium } from 'playwright-core'

const run = promisify(execFile)

/** Starts `serve --sandbox --demo` and resolves once ready, with the demo logins and display names. */
export async function startServer(bin) {
  const data = mkdtempSync(join(tmpdir(), 'th-e2e-'))
  const child = spawn(bin, ['serve', '--sandbox', '--demo', '--addr', '127.0.0.1:0', '--data', data], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { TENDERHALL_DEMO_CAMERAS: 'false', ...process.env, TENDERHALL_LOG_LEVEL: 'warn' }, // the video e2e films with a camera of its own
  })
  let out = ''
  process.on('exit', () => child.kill('SIGKILL')) // a test runner that times out skips after(); the server goes with it
  child.stderr.on('data', (b) => { if (process.env.E2E_SERVER_LOG) appendFileSync(process.env.E2E_SERVER_LOG, b) }) // the JSON log, kept only when asked
  const logins = {}
  const names = {} // demo user → display name, e.g. demo-expert1 → 刘洋（专家）
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('server did not start:\n' + out)), 120_000)
    child.on('exit', (code) => reject(new Error(`server exited ${code}:\n${out}`)))
    child.stdout.on('data', (b) => {
      out += b.toString()
      for (const m of out.matchAll(/^\s+\[\w+\]\s+(demo-\S+)\s+(\S+)[ \t]+(\S+)/gm)) {
        logins[m[1]] = m[2]
        names[m[1]] = m[3]
      }
      const addr = out.match(/serving at (http:\/\/\S+)/)
      if (addr && logins['demo-applicant']) {
        clearTimeout(timer)
        resolve(addr[1])
      }
    })
  })
  for (let i = 0; i < 600; i++) {
    const r = await fetch(url + '/readyz').catch(() => null)
    if (r?.ok) break
    await new Promise((r) => setTimeout(r, 100)) // polling readiness of a process we started; not a synchronisation of the test
  }
  return {
    url, data, logins, names, child,
    async stop() {
      child.kill('SIGTERM')
      await new Promise((r) => child.once('exit', r))
      if (!process.env.E2E_KEEP_DATA) rmSync(data, { recursive: true, force: true })
    },
  }
}

/**
 * A TCP proxy to the server. cutUploads(afterBytes) makes it drop every
 * connection carrying a chunk PUT once afterBytes of the request went
 * through (the server gets a truncated body), until stopCutting(). Chromium
 * silently re-sends a request when a reused connection drops, so the page
 * sees the failure only after a few cuts; the test stops cutting once the
 * page shows it, and the upload must then resume.
 */
export async function startProxy(target) {
  const { hostname, port } = new URL(target)
  let armed = null
  const cuts = []
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(port), hostname)
    let counting = -1
    client.on('data', (buf) => {
      if (armed && counting < 0 && buf.includes('PUT /api/v1/uploads/')) counting = 0
      if (counting >= 0 && armed) {
        counting += buf.length
        if (counting > armed.afterBytes) {
          cuts.push(Date.now())
          client.destroy()
          upstream.destroy()
          return
        }
      }
      upstream.write(buf)
    })
    upstream.on('data', (b) => client.write(b))
    client.on('error', () => upstream.destroy())
    upstream.on('error', () => client.destroy())
    client.on('close', () => upstream.destroy())
    upstream.on('close', () => client.destroy())
  })
  await new Promise((r) => server.listen(0, '127.0.0.1', r))
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    cuts,
    cutUploads(afterBytes) {
      armed = { afterBytes }
    },
    stopCutting() {
      armed = null
    },
    close: () => new Promise((r) => server.close(r)),
  }
}

/** Debian's Chromium with the flags this machine's closed network needs. */
export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    // playwright adds --headless, --no-sandbox (chromiumSandbox: false) and a fresh --user-data-dir of its own.
    args: ['--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run',
      '--disable-component-update', '--disable-sync'],
  })
}

/** A JSON API client with a bearer token (for set-up and for what a test checks on the server). */
export function apiClient(base, token) {
  return async function api(method, path, body) {
    const r = await fetch(base + path, {
      method, headers: { ...(token ? { Authorization: 'Bearer ' + token } : {}), ...(body ? { 'Content-Type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    })
    const text = await r.text()
    if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${text}`)
    return text ? JSON.parse(text) : {}
  }
}

export async function bearer(base, username, password) {
  const r = await apiClient(base)('POST', '/api/v1/auth/login', { username, password, kind: 'bearer' })
  return r.token
}

/** Runs the CLI; resolves with stdout, rejects with stderr. */
export async function cli(bin, args, env = {}) {
  try {
    const { stdout } = await run(bin, args, { env: { ...process.env, ...env }, maxBuffer: 16 << 20 })
    return stdout
  } catch (e) {
    throw new Error(`tenderhall ${args.join(' ')}: ${e.stderr || e.message}`)
  }
}

/** Files under dir (recursively) whose name ends with suffix. */
export function findFiles(dir, suffix) {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f)
    if (statSync(p).isDirectory()) return findFiles(p, suffix)
    return p.endsWith(suffix) ? [p] : []
  })
}

export function screenshotDir() {
  const dir = process.env.E2E_OUTPUT ?? join(process.cwd(), 'test-output', 'e2e')
  mkdirSync(dir, { recursive: true })
  return dir
}
