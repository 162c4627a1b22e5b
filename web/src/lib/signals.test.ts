import { describe, expect, it } from 'vitest'
import { collusionGraph, readSignal } from './signals'

const names = { '9': '甲公司', '10': '乙公司', '11': '丙公司' }
const author = { kind: 'same_author', strength: 'medium', evidence: { field: 'author', value: '林志强', bids: [{ bidId: 2, bidderOrgId: 9, documents: ['商务标.pdf'] }, { bidId: 3, bidderOrgId: 10, documents: ['报价.xlsx'] }] } }
const device = { kind: 'same_device', strength: 'strong', evidence: { field: 'fingerprint', value: 'ab', bids: [{ bidId: 2, bidderOrgId: 9 }, { bidId: 3, bidderOrgId: 10 }] } }
const ip = { kind: 'same_ip', strength: 'strong', evidence: { ip: '127.0.0.1', bids: [{ bidId: 2, bidderOrgId: 9 }, { bidId: 3, bidderOrgId: 10 }, { bidId: 4, bidderOrgId: 11 }] } }
const steps = { kind: 'equal_steps', strength: 'strong', evidence: { bids: [{ bidId: 2, bidderOrgId: 9 }, { bidId: 4, bidderOrgId: 11 }] } }

describe('signals', () => {
  it('reads the evidence with the bidders\' names', () => {
    const r = readSignal(author, names)
    expect(r.field).toBe('author')
    expect(r.value).toBe('林志强')
    expect(r.bids.map((b) => b.name)).toEqual(['甲公司', '乙公司'])
    expect(r.bids[1].documents).toEqual(['报价.xlsx'])
    expect(readSignal(ip, {}).value).toBe('127.0.0.1')
    expect(readSignal(ip, {}).bids[2].name).toBe('#11')
  })
  it('joins bidders that share evidence, one edge per pair with its kinds', () => {
    const g = collusionGraph([author, device, ip, steps], names)
    expect(g.nodes.map((n) => n.name).sort()).toEqual(['丙公司', '乙公司', '甲公司'])
    const pair = g.links.find((l) => l.source === '9' && l.target === '10')!
    expect(pair.kinds).toEqual(['same_author', 'same_device', 'same_ip'])
    expect(pair.strong).toBe(true)
    expect(g.links).toHaveLength(3) // the address joins all three; price steps join none
    expect(g.links[0]).toBe(pair) // the most-shared pair first
    expect(g.links.find((l) => l.source === '9' && l.target === '11')!.kinds).toEqual(['same_ip'])
  })
  it('draws nothing for price patterns alone', () => {
    expect(collusionGraph([steps], names)).toEqual({ nodes: [], links: [] })
  })
})
