import { afterEach, describe, expect, it, vi } from 'vitest'
import { flushPromises } from '@vue/test-utils'
import DrawPanel from './DrawPanel.vue'
import { inputOf, mountApp } from '../test/mount'
import { fakeApi } from '../test/fakeApi'
import { serverClock } from '../clock'

afterEach(() => {
  vi.unstubAllGlobals()
  serverClock.sandbox = false
})

function mountPanel() {
  const sent = fakeApi({ 'GET /api/v1/sections/7/draws': () => [], 'POST /api/v1/sections/7/draws': () => ({ id: 1 }) })
  return { sent, w: mountApp(DrawPanel, { props: { sectionId: 7 } }) }
}

describe('DrawPanel', () => {
  it('prefills the demo committee in a sandbox, says so, and sends it', async () => {
    serverClock.sandbox = true
    const { sent, w } = mountPanel()
    await flushPromises()
    expect(w.find('[data-test=draw-demo-hint]').text()).toContain('A040399')
    expect(inputOf(w, 'draw-specialty-0').value).toBe('A040399')
    expect(inputOf(w, 'draw-specialty-1').value).toBe('A040399')

    await w.find('[data-test=draw-evaluation-at] input').setValue('2027-01-05 09:00:00')
    await w.find('[data-test=draw-evaluation-at] input').trigger('change')
    await flushPromises()
    await w.find('[data-test=draw-submit]').trigger('click')
    await flushPromises()
    const req = sent.find((s) => s.method === 'POST')
    expect(req?.body).toMatchObject({
      evaluationAt: '2027-01-05T01:00:00.000Z',
      groups: [{ specialty: 'A040399', category: 'technical', count: 4, reserve: 1 }, { specialty: 'A040399', category: 'economic', count: 1, reserve: 0 }],
    })
  })

  it('elsewhere leaves the specialty to the agent, with a placeholder, and will not submit without it', async () => {
    const { w } = mountPanel()
    await flushPromises()
    expect(w.find('[data-test=draw-demo-hint]').exists()).toBe(false)
    const input = inputOf(w, 'draw-specialty-0')
    expect(input.value).toBe('')
    expect(input.placeholder).toMatch(/A010101/)
    expect(w.find('[data-test=draw-submit]').attributes('disabled')).toBeDefined()
  })
})
