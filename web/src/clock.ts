// The server's clock, which decides every deadline to the millisecond. The
// page measures its offset from the PC's clock (half the round trip as the
// one-way delay) and shows server time; in a sandbox (测试环境) that clock
// has been moved forward by an administrator, and every page says so.
import { reactive } from 'vue'
import { call } from './api/client'

export const serverClock = reactive({
  offsetMs: 0,
  synced: false,
  sandbox: false,
  now: Date.now(),
  /** Where this page last moved a sandbox's clock to (ms), for the banner: it outlives the session the jump may end. */
  movedTo: null as number | null,
})

/** The server's current time in milliseconds. */
export function serverNow(): number {
  return Date.now() + serverClock.offsetMs
}

/** Measures the offset (and whether this is a sandbox) once. */
export async function syncClock(): Promise<void> {
  const sent = Date.now()
  const st = await call('get', '/api/v1/sandbox')
  const back = Date.now()
  const serverMs = st.nowMs ?? back
  serverClock.offsetMs = Math.round(serverMs + (back - sent) / 2 - back)
  serverClock.sandbox = st.sandbox === true
  serverClock.synced = true
  serverClock.now = serverNow()
}

/** Corrects the offset from a time the server sent (the opening room's ticks). */
export function observeServerTime(serverMs: number): void {
  serverClock.offsetMs = serverMs - Date.now()
  serverClock.now = serverNow()
}

let timer: ReturnType<typeof setInterval> | undefined

/** Ticks serverClock.now every 250 ms and resyncs every minute. */
export function startClock(): void {
  if (timer) return
  let n = 0
  timer = setInterval(() => {
    serverClock.now = serverNow()
    if (++n % 240 === 0) syncClock().catch(() => undefined)
  }, 250)
  syncClock().catch(() => undefined)
}

/**
 * Moves a sandbox's clock forward (administrators only): by a Go duration
 * such as "1h", or to a moment. The server runs every sweep before it
 * answers, so what became due has happened; the page then resyncs.
 * Resolves with the new server time in milliseconds.
 */
export async function moveSandboxClock(req: { advance: string } | { to: string }): Promise<number> {
  const st = await call('post', '/api/v1/sandbox/clock', { body: req })
  await syncClock()
  serverClock.movedTo = st.nowMs ?? serverNow()
  return serverClock.movedTo
}
