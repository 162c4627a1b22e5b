import { describe, expect, it } from 'vitest'
import { flushPromises } from '@vue/test-utils'
import ResultsTable from './ResultsTable.vue'
import { mountApp } from '../test/mount'

describe('ResultsTable', () => {
  it('shows each bidder with its decryption status and price in yuan', async () => {
    const w = mountApp(ResultsTable, {
      props: { rows: [
        { bidId: 1, bidderName: '福建榕城建设工程有限公司', uscc: '91350104MA2Y8K3N07', status: 'decrypted', priceFen: 98765400, durationDays: 180, digest: 'ab'.repeat(32) },
        { bidId: 2, bidderName: '福州闽江建筑安装有限公司', status: 'revoked', digest: 'cd'.repeat(32) },
      ] },
    })
    await flushPromises()
    const text = w.text()
    expect(text).toContain('福建榕城建设工程有限公司')
    expect(text).toContain('已解密')
    expect(text).toContain('已撤销')
    expect(text).toContain('¥987,654.00')
  })
})
