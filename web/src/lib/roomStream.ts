// The live opening room: server-sent events (api/room_stream.go). Room
// messages come as named events with their log sequence as id, and a
// "tick" every second with server time and counts. EventSource reconnects
// by itself and resumes after the last id it saw.
import { observeServerTime } from '../clock'

export interface Tick {
  serverTimeMs: number
  phase: string
  state: string
  bidCount: number
  decrypted: number
  checkins: Record<string, number>
  windowEndsAt?: string
}

export interface RoomMessage {
  seq: number
  type: string
  at: string
  data: Record<string, unknown>
}

export const roomEventTypes = [
  'section.closed', 'section.opening', 'section.opened', 'section.failed', 'section.deadline_moved',
  'opening.checkin', 'opening.decrypted', 'opening.revoked', 'opening.decrypt_error', 'opening.phase',
  'opening.objection', 'opening.objection_answered', 'opening.record', 'opening.announcement',
]

export interface RoomHandlers {
  tick(t: Tick): void
  message(m: RoomMessage): void
  connection(up: boolean): void
}

/** Opens the stream; returns a function that closes it. */
export function openRoomStream(sectionId: number, h: RoomHandlers): () => void {
  const es = new EventSource(`/api/v1/sections/${sectionId}/room/stream`)
  es.addEventListener('tick', (e) => {
    const t = JSON.parse((e as MessageEvent<string>).data) as Tick
    observeServerTime(t.serverTimeMs)
    h.tick(t)
  })
  for (const type of roomEventTypes) {
    es.addEventListener(type, (e) => h.message(JSON.parse((e as MessageEvent<string>).data) as RoomMessage))
  }
  es.onopen = () => h.connection(true)
  es.onerror = () => h.connection(false)
  return () => es.close()
}

/** bidding.SignInMessage: what a bidder signs to check in to the room. */
export function signInMessage(sectionId: number, nonce: string): Uint8Array {
  return new TextEncoder().encode(`TenderHall opening sign-in v1\nsection:${sectionId}\nnonce:${nonce}`)
}
