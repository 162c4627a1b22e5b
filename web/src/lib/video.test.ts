import { describe, expect, it } from 'vitest'
import { camerasFor, decryptionOrder, evalRoomOf, stepRoom } from './video'

const cams = [
  { id: 1, kind: 'opening', room: '开标大厅', name: 'cam-1' },
  { id: 2, kind: 'evaluation', room: '评标一室', name: 'cam-2', evalRoomId: 4 },
  { id: 3, kind: 'evaluation', room: '评标二室', name: 'cam-3', evalRoomId: 5 },
  { id: 4, kind: 'window', room: '卫健窗口', name: 'cam-4' },
] as never[]

describe('room cameras of a trajectory', () => {
  it('places event types in rooms', () => {
    expect(stepRoom('opening.decrypted')).toBe('opening')
    expect(stepRoom('section.opening')).toBe('opening')
    expect(stepRoom('evaluation.score_submitted')).toBe('evaluation')
    expect(stepRoom('bid.received')).toBe('')
    expect(stepRoom(undefined)).toBe('')
  })
  it('finds the opening hall for an opening step and the right evaluation room', () => {
    expect(camerasFor({ seq: 1, type: 'opening.decrypted' } as never, cams).map((c) => c.id)).toEqual([1])
    expect(camerasFor({ seq: 2, type: 'evaluation.started', detail: { roomId: 5 } } as never, cams).map((c) => c.id)).toEqual([3])
    expect(camerasFor({ seq: 3, type: 'evaluation.report_final' } as never, cams, 4).map((c) => c.id)).toEqual([2])
    expect(camerasFor({ seq: 3, type: 'evaluation.report_final' } as never, cams)).toEqual([])
    expect(camerasFor({ seq: 4, type: 'bid.received' } as never, cams)).toEqual([])
  })
  it('numbers decryptions in log order and finds the evaluation room', () => {
    const steps = [
      { seq: 9, type: 'opening.decrypted', detail: { bidId: 12 } },
      { seq: 5, type: 'opening.decrypted', detail: { bidId: 11 } },
      { seq: 7, type: 'opening.checkin' },
      { seq: 20, type: 'evaluation.started', detail: { roomId: 4 } },
    ] as never[]
    expect([...decryptionOrder(steps).entries()]).toEqual([[5, 1], [9, 2]])
    expect(evalRoomOf(steps)).toBe(4)
  })
})
