import type { Schemas } from '../api/client'

/** bidding.OpeningRecord, the signed opening record's content. */
export interface OpeningRecord {
  type: string
  projectName: string
  sectionCode: string
  sectionName: string
  outcome: string
  failReason?: string
  deadline: string
  openedAt: string
  windowEndsAt: string
  resultsAt?: string
  closedAt?: string
  bidCount: number
  bids: Schemas['ResultRow'][]
  objections: Schemas['RoomObjection'][]
  participants: Record<string, number>
  sandbox?: boolean
}
