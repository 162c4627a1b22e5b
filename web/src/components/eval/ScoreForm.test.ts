import { afterEach, describe, expect, it, vi } from 'vitest'
import { flushPromises } from '@vue/test-utils'
import ScoreForm from './ScoreForm.vue'
import { mountApp } from '../../test/mount'

const session = {
  id: 9, phase: 'scoring', you: { seat: 2 },
  scheme: { criteria: [
    { code: 'Q1', name: '资质', part: 'qualification', kind: 'pass_fail' },
    { code: 'T1', name: '施工组织设计', part: 'technical', kind: 'subjective', fullMarks: 25 },
    { code: 'T3', name: '项目经理资格', part: 'technical', kind: 'objective', fullMarks: 5, values: [0, 3, 5] },
  ] },
  bids: [{ bidId: 1, bidderName: '甲公司' }, { bidId: 2, bidderName: '乙公司' }],
  conclusions: [{ bidId: 1, valid: true }, { bidId: 2, valid: false }],
}

afterEach(() => {
  vi.unstubAllGlobals()
  vi.useRealTimers()
})

describe('ScoreForm', () => {
  it('restores the saved sheet, scores only valid bids, autosaves and submits once complete', async () => {
    const puts: { entries: { bidId: number; criterion: string; points: number }[]; submit: boolean }[] = []
    vi.stubGlobal('fetch', async (url: string, init: RequestInit = {}) => {
      const json = (b: unknown) => new Response(JSON.stringify(b), { status: 200 })
      if (init.method === 'PUT') {
        puts.push(JSON.parse(String(init.body)))
        return json({ seat: 2, submitted: false })
      }
      if (url.includes('/scores')) return json([{ seat: 2, submitted: false, entries: [{ bidId: 1, criterion: 'T3', points: 3 }] }])
      return json([]) // flags
    })
    const w = mountApp(ScoreForm, { props: { session } })
    await flushPromises()
    expect(w.text()).toContain('甲公司')
    expect(w.text()).not.toContain('乙公司') // rejected in the review
    expect(w.text()).not.toContain('资质') // pass/fail items are not scored
    expect(w.find('[data-test=scores-submit]').attributes('disabled')).toBeDefined()

    vi.useFakeTimers()
    const input = w.find('[data-test="score-1-T1"] input')
    await input.setValue('18.5')
    await input.trigger('blur')
    await vi.advanceTimersByTimeAsync(1500)
    await flushPromises()
    expect(puts.at(-1)).toEqual({ entries: [{ bidId: 1, criterion: 'T1', points: 18.5 }, { bidId: 1, criterion: 'T3', points: 3 }], submit: false })
    expect(w.find('[data-test=autosave]').text()).toContain('已自动保存')

    vi.useRealTimers()
    await w.find('[data-test=scores-submit]').trigger('click')
    await flushPromises()
    expect(puts.at(-1)?.submit).toBe(true)
    expect(w.text()).toContain('已提交')
  })
})
