import { describe, expect, it } from 'vitest'
import { flushPromises } from '@vue/test-utils'
import SealUpload from './SealUpload.vue'
import { mountApp } from '../test/mount'
import { serverClock } from '../clock'

const org = { id: 5, name: '福建榕城建设工程有限公司', publicKeyId: 'ab'.repeat(32) }
const announcement = (deadline: string) => ({ id: 1, sectionId: 3, projectId: 2, maxBidBytes: 4096, deadline, title: 't' })

async function chooseFile(w: ReturnType<typeof mountApp>, bytes: number) {
  await w.find('[data-test=mode-packed] input').setValue(true) // a package made with tenderhall bid pack
  await flushPromises()
  const input = w.find('[data-test=bid-file]')
  Object.defineProperty(input.element, 'files', { value: [new File([new Uint8Array(bytes)], 'bid.tar')] })
  await input.trigger('change')
  await flushPromises()
}

describe('SealUpload', () => {
  it('refuses a file over the section limit before sealing, in Chinese', async () => {
    serverClock.now = Date.parse('2026-12-01T00:00:00Z')
    const w = mountApp(SealUpload, { props: { announcement: announcement('2026-12-31T01:30:00Z'), org } })
    await chooseFile(w, 10_000)
    expect(w.find('[data-test=error]').text()).toContain('文件超过本标段投标文件大小上限')
    expect(w.find('[data-test=seal-upload]').attributes('disabled')).toBeDefined()
  })

  it('says the deadline has passed by server time and offers no upload', async () => {
    serverClock.now = Date.parse('2027-01-02T00:00:00Z')
    const w = mountApp(SealUpload, { props: { announcement: announcement('2027-01-01T01:30:00Z'), org } })
    await flushPromises()
    expect(w.text()).toContain('投标截止时间已过')
    expect(w.find('[data-test=seal-upload]').attributes('disabled')).toBeDefined()
  })
})
