import { afterEach, describe, expect, it, vi } from 'vitest'
import { flushPromises } from '@vue/test-utils'
import ReportWatch from './ReportWatch.vue'
import { mountApp } from '../../test/mount'
import { fakeApi } from '../../test/fakeApi'

afterEach(() => vi.unstubAllGlobals())

const members = [1, 2, 3, 4, 5].map((seat) => ({ seat, role: 'member' }))
const signatures = (n: number) => members.slice(0, n).map((m) => ({ seat: m.seat, kind: 'signed', signedAt: '2027-01-05T02:00:00Z' }))

describe('ReportWatch', () => {
  it('follows the report from the draft to final, with the PDF link only once final', async () => {
    let signed = 4
    fakeApi({
      'GET /api/v1/evaluations/4/report': () => ({
        report: { ranking: [{ rank: 1, bidderName: '福建海西路桥集团有限公司', priceFen: 99100000, total: 90.7 }] },
        state: { digest: 'cd'.repeat(32), signatures: signatures(signed), finalAt: signed === 5 ? '2027-01-05T02:10:00Z' : undefined },
      }),
    })
    const session = { id: 4, phase: 'report', members, report: { digest: 'cd'.repeat(32), signatures: signatures(4) } }
    const w = mountApp(ReportWatch, { props: { session } })
    await flushPromises()
    expect(w.find('[data-test=ranking]').text()).toContain('福建海西路桥集团有限公司')
    expect(w.text()).toContain('已签署 4/5')
    expect(w.find('[data-test=report-pdf]').exists()).toBe(false)

    signed = 5
    await w.setProps({ session: { ...session, phase: 'signed', report: { ...session.report, signatures: signatures(5), finalAt: '2027-01-05T02:10:00Z' } } })
    await flushPromises()
    expect(w.find('[data-test=report-final]').text()).toContain('2027-01-05 10:10:00')
    expect(w.find('[data-test=report-pdf]').attributes('href')).toBe('/api/v1/evaluations/4/report?format=pdf')
  })

  it('waits quietly for the chair to draft it', async () => {
    const sent = fakeApi({})
    const w = mountApp(ReportWatch, { props: { session: { id: 4, phase: 'scoring', members } } })
    await flushPromises()
    expect(w.text()).toContain('组长尚未生成评标报告')
    expect(sent).toHaveLength(0)
  })
})
