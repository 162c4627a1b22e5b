import { afterEach, describe, expect, it, vi } from 'vitest'
import { flushPromises } from '@vue/test-utils'
import ReviewForm from './ReviewForm.vue'
import { mountApp } from '../../test/mount'
import { fakeApi } from '../../test/fakeApi'

afterEach(() => vi.unstubAllGlobals())

const scheme = { criteria: [{ code: 'Q1', name: '营业执照及资质证书', part: 'qualification', kind: 'pass_fail' }] }
const bids = [{ bidId: 11, bidderName: '福建榕城建设工程有限公司' }]

function session(reviewed: boolean) {
  const members = [1, 2, 3, 4].map((seat) => ({ seat, role: 'member', reviewSubmitted: reviewed }))
  // A reserve confirmed by the calls has a seat but no review to give.
  return { id: 4, phase: 'review', scheme, bids, you: { seat: 1, chair: true }, members: [...members, { seat: 5, role: 'reserve', reviewSubmitted: false }] }
}

describe('ReviewForm', () => {
  it('lets the chair record the conclusions once every member has submitted, whatever the reserve did', async () => {
    fakeApi({ 'GET /api/v1/evaluations/4/review': () => [{ seat: 1, submitted: true, entries: [{ bidId: 11, criterion: 'Q1', pass: true }] }] })
    const w = mountApp(ReviewForm, { props: { session: session(false) } })
    await flushPromises()
    expect(w.find('[data-test=conclude]').exists()).toBe(false)
    expect(w.text()).toContain('等待全部成员提交审查意见')
    await w.setProps({ session: session(true) })
    await flushPromises()
    expect(w.find('[data-test=conclude]').exists()).toBe(true)
  })
})
