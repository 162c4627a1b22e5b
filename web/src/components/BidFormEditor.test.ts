import { describe, expect, it } from 'vitest'
import { flushPromises } from '@vue/test-utils'
import BidFormEditor from './BidFormEditor.vue'
import { inputOf, mountApp } from '../test/mount'

async function typeInto(w: ReturnType<typeof mountApp>, name: string, value: string) {
  const el = inputOf(w, name)
  el.value = value
  el.dispatchEvent(new Event('input'))
  el.dispatchEvent(new Event('change'))
  el.dispatchEvent(new Event('blur'))
  await flushPromises()
}

describe('BidFormEditor', () => {
  it('packs the form and the chosen documents once price and duration are given', async () => {
    const w = mountApp(BidFormEditor, {})
    await typeInto(w, 'bid-price', '9876543.21')
    await typeInto(w, 'bid-duration', '180')
    const input = w.find('[data-test=bid-docs]')
    Object.defineProperty(input.element, 'files', { value: [new File(['技术标'], '技术标.pdf')] })
    await input.trigger('change')
    await flushPromises()
    const emitted = w.emitted('packed') as (Blob | null)[][]
    const last = emitted[emitted.length - 1][0]
    expect(last).toBeInstanceOf(Blob)
    const head = new TextDecoder().decode(new Uint8Array(await last!.slice(512, 1024).arrayBuffer()))
    expect(head).toContain('"priceFen":987654321')
    expect(w.find('[data-test=bid-package]').text()).toContain('投标函 + 1 个文件')
  })

  it('says in Chinese what is wrong with the price and emits no package', async () => {
    const w = mountApp(BidFormEditor, {})
    await typeInto(w, 'bid-price', '12.345')
    expect(w.find('[data-test=bid-form-problem]').text()).toContain('最多两位小数')
    const emitted = w.emitted('packed') as (Blob | null)[][]
    expect(emitted[emitted.length - 1][0]).toBeNull()
  })
})
