import { afterEach, describe, expect, it, vi } from 'vitest'
import { flushPromises } from '@vue/test-utils'
import SandboxClock from './SandboxClock.vue'
import { mountApp } from '../../test/mount'
import { apiError, fakeApi } from '../../test/fakeApi'
import { serverClock } from '../../clock'
import { session } from '../../session'

const admin = { id: 1, username: 'demo-admin', displayName: '平台管理员', roles: ['admin'] }

afterEach(() => {
  vi.unstubAllGlobals()
  serverClock.movedTo = null
  session.me = null
  session.expiredMessage = ''
})

describe('SandboxClock', () => {
  it('moves the clock by a day, shows the new server time, and finds its own session ended by the jump', async () => {
    session.me = admin
    const later = Date.parse('2027-01-04T01:30:00Z')
    const sent = fakeApi({
      'POST /api/v1/sandbox/clock': () => ({ sandbox: true, nowMs: later }),
      'GET /api/v1/sandbox': () => ({ sandbox: true, nowMs: later }),
      'GET /api/v1/auth/me': () => apiError(401, 'unauthenticated', '登录已失效'),
    })
    const w = mountApp(SandboxClock)
    await w.find('[data-test=clock-advance-24h]').trigger('click')
    await flushPromises()
    expect(sent.find((s) => s.method === 'POST')?.body).toEqual({ advance: '24h' })
    expect(serverClock.movedTo).toBe(later) // the banner shows it: 2027-01-04 09:30:00
    expect(Math.abs(serverClock.now - later)).toBeLessThan(5000)
    expect(session.me).toBeNull()
    expect(session.expiredMessage).toBe('登录已失效')
    expect(w.text()).toContain('需要重新登录') // said beforehand
  })

  it('moves the clock to a Beijing time typed in the picker', async () => {
    session.me = admin
    const sent = fakeApi({
      'POST /api/v1/sandbox/clock': (b) => ({ sandbox: true, nowMs: Date.parse((b as { to: string }).to) }),
      'GET /api/v1/sandbox': () => ({ sandbox: true, nowMs: Date.now() }),
      'GET /api/v1/auth/me': () => admin,
    })
    const w = mountApp(SandboxClock)
    const input = w.find('[data-test=clock-to] input')
    await input.setValue('2027-02-01 09:29:00')
    await input.trigger('change')
    await flushPromises()
    await w.find('[data-test=clock-go]').trigger('click')
    await flushPromises()
    expect(sent.find((s) => s.method === 'POST')?.body).toEqual({ to: '2027-02-01T01:29:00.000Z' })
    expect(session.me).toEqual(admin) // a short jump keeps the session
  })

  it('shows the server\'s refusal and stays usable', async () => {
    session.me = admin
    let refuse = true
    fakeApi({
      'POST /api/v1/sandbox/clock': () => (refuse ? apiError(404, 'sandbox_off', '此服务器不是测试环境') : { sandbox: true, nowMs: 1 }),
      'GET /api/v1/sandbox': () => ({ sandbox: true, nowMs: 1 }),
      'GET /api/v1/auth/me': () => admin,
    })
    const w = mountApp(SandboxClock)
    await w.find('[data-test=clock-advance-1h]').trigger('click')
    await flushPromises()
    expect(w.find('[data-test=error]').text()).toContain('此服务器不是测试环境')
    refuse = false
    await w.find('[data-test=clock-advance-1h]').trigger('click')
    await flushPromises()
    expect(w.find('[data-test=error]').exists()).toBe(false)
    expect(serverClock.movedTo).toBe(1)
  })
})
