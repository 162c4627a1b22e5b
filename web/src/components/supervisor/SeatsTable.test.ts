import { afterEach, describe, expect, it, vi } from 'vitest'
import { flushPromises } from '@vue/test-utils'
import SeatsTable from './SeatsTable.vue'
import { inputOf, mountApp } from '../../test/mount'
import { fakeApi } from '../../test/fakeApi'

afterEach(() => vi.unstubAllGlobals())

const members = [
  { seat: 1, role: 'member', category: 'technical', name: '刘洋', employer: '设计院一所', signedIn: true, declared: true },
  { seat: 2, role: 'member', category: 'technical', name: '周敏', employer: '设计院二所', signedIn: false, declared: false },
  { seat: 6, role: 'reserve', category: 'technical', name: '钱进', employer: '设计院六所' },
]

describe('SeatsTable', () => {
  it('names the seated experts and records an absent member during sign-in', async () => {
    const sent = fakeApi({ 'POST /api/v1/evaluations/4/absences': () => ({ id: 4 }) })
    const w = mountApp(SeatsTable, { props: { session: { id: 4, phase: 'signin', members } } })
    await flushPromises()
    expect(w.find('[data-test=seats]').text()).toContain('刘洋')
    expect(w.find('[data-test=absent-1]').exists()).toBe(false) // came and declared
    expect(w.find('[data-test=absent-6]').exists()).toBe(false) // a reserve has no seat to miss
    await w.find('[data-test=absent-2]').trigger('click')
    expect(w.find('[data-test=absent-confirm]').attributes('disabled')).toBeDefined() // a reason is required
    const reason = inputOf(w, 'absent-reason')
    reason.value = '评标开始 30 分钟后仍未到场，电话无人接听'
    reason.dispatchEvent(new Event('input'))
    await flushPromises()
    await w.find('[data-test=absent-confirm]').trigger('click')
    await flushPromises()
    expect(sent[0].body).toEqual({ seat: 2, reason: '评标开始 30 分钟后仍未到场，电话无人接听' })
    expect(w.emitted('changed')).toHaveLength(1)
    expect(w.text()).toContain('已登记评委2缺席')
  })

  it('shows a dash, not a missing key, for a seat without a category', async () => {
    fakeApi({})
    const w = mountApp(SeatsTable, { props: { session: { id: 4, phase: 'review', members: [{ seat: 3, role: 'member', name: '吴军' }] } } })
    await flushPromises()
    const text = w.find('[data-test=seats]').text()
    expect(text).toContain('吴军')
    expect(text).not.toContain('draw.')
    expect(text).toContain('—')
  })

  it('offers no absence once the committee has moved past sign-in', async () => {
    fakeApi({})
    const w = mountApp(SeatsTable, { props: { session: { id: 4, phase: 'review', members } } })
    await flushPromises()
    expect(w.find('[data-test=seats]').text()).toContain('周敏')
    expect(w.find('[data-test=absent-2]').exists()).toBe(false)
  })
})
