import { afterEach, describe, expect, it, vi } from 'vitest'
import { flushPromises } from '@vue/test-utils'
import SupervisorDraws from './SupervisorDraws.vue'
import { inputOf, mountApp } from '../../test/mount'
import { apiError, fakeApi } from '../../test/fakeApi'

afterEach(() => vi.unstubAllGlobals())

const request = { evaluationAt: '2027-01-05T01:00:00Z', place: '第一评标室', groups: [{ specialty: 'A040399', category: 'technical', count: 4, reserve: 1 }] }
const committed = { id: 3, sectionId: 9, state: 'committed', request, candidateCount: 6, excludedCount: 0, secretCommitment: 'ab'.repeat(32) }
const result = { draw: { ...committed, state: 'drawn' }, groups: [{ group: request.groups[0],
  members: [{ expertId: 1, name: '刘洋', employerName: '福建省建筑设计研究院（演示）', phones: '139****0001', category: 'technical' }],
  reserves: [{ expertId: 2, name: '周敏', employerName: '福州市规划设计院（演示）', phones: '139****0002', category: 'technical' }] }] }

describe('SupervisorDraws', () => {
  it('enters the public value, which draws, and shows the supervisor of record the names', async () => {
    let drawn = false
    const sent = fakeApi({
      'GET /api/v1/sections/9/draws': () => [drawn ? { ...committed, state: 'drawn', publicValue: '20270105' } : committed],
      'POST /api/v1/draws/3/public-value': () => ((drawn = true), result),
      'GET /api/v1/draws/3/campaign': () => apiError(404, 'campaign_not_found', '尚未开始通知'),
    })
    const w = mountApp(SupervisorDraws, { props: { sectionId: 9 } })
    await flushPromises()
    expect(w.find('[data-test=drawn-list]').exists()).toBe(false)
    const input = inputOf(w, 'public-value')
    input.value = ' 20270105 '
    input.dispatchEvent(new Event('input'))
    await flushPromises()
    await w.find('[data-test=enter-value]').trigger('click')
    await flushPromises()
    expect(sent.find((s) => s.method === 'POST')?.body).toEqual({ value: '20270105' })
    const list = w.find('[data-test=drawn-list]').text()
    expect(list).toContain('刘洋')
    expect(list).toContain('周敏')
    expect(list).toContain('备选')
    expect(w.find('[data-test=error]').exists()).toBe(false) // no campaign yet is no error
  })

  it('tells another supervisor the list is sealed, without an error', async () => {
    fakeApi({
      'GET /api/v1/sections/9/draws': () => [{ ...committed, state: 'drawn', publicValue: '1' }],
      'GET /api/v1/draws/3/result': () => apiError(403, 'draw_sealed', '抽取结果在定标前保密，仅监督人员可见'),
      'GET /api/v1/draws/3/campaign': () => ({ campaign: { state: 'running' }, groups: [] }),
    })
    const w = mountApp(SupervisorDraws, { props: { sectionId: 9 } })
    await flushPromises()
    expect(w.find('[data-test=draw-sealed]').exists()).toBe(true)
    expect(w.find('[data-test=drawn-list]').exists()).toBe(false)
    expect(w.find('[data-test=error]').exists()).toBe(false)
    expect(w.find('[data-test=campaign-state]').text()).toBe('通知中')
  })

  it('shows a refused value and lets the supervisor try again', async () => {
    const sent = fakeApi({
      'GET /api/v1/sections/9/draws': () => [committed],
      'POST /api/v1/draws/3/public-value': () => apiError(409, 'draw_already_drawn', '该次抽取已完成'),
    })
    const w = mountApp(SupervisorDraws, { props: { sectionId: 9 } })
    await flushPromises()
    const input = inputOf(w, 'public-value')
    input.value = '7'
    input.dispatchEvent(new Event('input'))
    await flushPromises()
    await w.find('[data-test=enter-value]').trigger('click')
    await flushPromises()
    expect(w.find('[data-test=error]').text()).toContain('该次抽取已完成')
    expect(sent.filter((s) => s.path === '/api/v1/sections/9/draws').length).toBe(2) // reloaded after the refusal
  })
})
