// Collusion signals (围标串标) as people read them: which bidders share
// what, and the graph of bidders joined by shared evidence.
import type { Schemas } from '../api/client'

export interface SignalBid { bidId: number; orgId: number; name: string; documents: string[] }
export interface ReadSignal { kind: string; strength: string; field: string; value: string; bids: SignalBid[]; sections: string[] }

interface Evidence {
  field?: string
  value?: string
  ip?: string
  mean?: number
  sections?: string[]
  bids?: { bidId?: number; bidderOrgId?: number; documents?: string[]; priceFen?: number }[]
}

/** The signal's evidence read out: the shared field and value, the bids and their bidders' names. */
export function readSignal(sig: Schemas['Signal'], bidders: Record<string, string> | undefined): ReadSignal {
  const ev = (sig.evidence ?? {}) as Evidence
  let field = ev.field ?? ''
  let value = ev.value ?? ''
  if (sig.kind === 'same_ip') [field, value] = ['ip', ev.ip ?? '']
  const bids = (ev.bids ?? []).map((b) => ({
    bidId: b.bidId ?? 0,
    orgId: b.bidderOrgId ?? 0,
    name: bidders?.[String(b.bidderOrgId)] ?? `#${b.bidderOrgId}`,
    documents: b.documents ?? [],
  }))
  return { kind: sig.kind ?? '', strength: sig.strength ?? '', field, value, bids, sections: ev.sections ?? [] }
}

export interface GraphNode { id: string; name: string; degree: number }
export interface GraphLink { source: string; target: string; kinds: string[]; strong: boolean }

/**
 * The collusion graph: bidders as nodes, an edge between two bidders for
 * every signal naming both (its kinds listed on the edge). Price-pattern
 * signals name every bid and join everyone, so they are left out. Links
 * come most-shared first.
 */
export function collusionGraph(signals: Schemas['Signal'][], bidders: Record<string, string> | undefined): { nodes: GraphNode[]; links: GraphLink[] } {
  const nodes = new Map<string, GraphNode>()
  const links = new Map<string, GraphLink>()
  for (const sig of signals) {
    if (['equal_steps', 'fixed_ratio', 'clustered'].includes(sig.kind ?? '')) continue
    const r = readSignal(sig, bidders)
    const orgs = [...new Set(r.bids.map((b) => b.orgId))].sort((a, b) => a - b)
    for (const o of orgs) {
      const id = String(o)
      if (!nodes.has(id)) nodes.set(id, { id, name: r.bids.find((b) => b.orgId === o)?.name ?? id, degree: 0 })
    }
    for (let i = 0; i < orgs.length; i++) {
      for (let j = i + 1; j < orgs.length; j++) {
        const key = `${orgs[i]}-${orgs[j]}`
        let l = links.get(key)
        if (!l) {
          l = { source: String(orgs[i]), target: String(orgs[j]), kinds: [], strong: false }
          links.set(key, l)
          nodes.get(l.source)!.degree++
          nodes.get(l.target)!.degree++
        }
        if (!l.kinds.includes(r.kind)) l.kinds.push(r.kind)
        l.strong ||= r.strength === 'strong'
      }
    }
  }
  // The pairs sharing the most evidence first.
  return { nodes: [...nodes.values()], links: [...links.values()].sort((a, b) => b.kinds.length - a.kinds.length) }
}
