import { afterEach, describe, expect, it, vi } from 'vitest'
import { flushPromises } from '@vue/test-utils'
import ReportSign from './ReportSign.vue'
import { mountApp } from '../../test/mount'

afterEach(() => vi.unstubAllGlobals())

describe('ReportSign', () => {
  it('shows the report once the chair drafts it, though the page opened before', async () => {
    let drafted = false
    vi.stubGlobal('fetch', async () => drafted
      ? new Response(JSON.stringify({ state: { digest: 'ab'.repeat(32), signatures: [] }, report: { ranking: [
        { rank: 1, bidderName: '福建海西路桥集团有限公司', priceFen: 99100000, technical: 37, commercial: 14, price: 39.7, total: 90.7 }] } }), { status: 200 })
      : new Response(JSON.stringify({ error: { code: 'report_not_found', message: '评标报告尚未生成' } }), { status: 404 }))
    const session = { id: 4, phase: 'report', you: { seat: 1, chair: false }, members: [{ seat: 1 }] }
    const w = mountApp(ReportSign, { props: { session } })
    await flushPromises()
    expect(w.text()).toContain('等待组长生成评标报告')
    expect(w.find('[data-test=error]').exists()).toBe(false) // not drafted yet is no error

    drafted = true
    await w.setProps({ session: { ...session, report: { digest: 'ab'.repeat(32), signatures: [] } } })
    await flushPromises()
    expect(w.find('[data-test=ranking]').text()).toContain('福建海西路桥集团有限公司')
    expect(w.text()).toContain('abab')
  })
})
