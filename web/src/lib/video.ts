// Which room camera filmed a step of a trajectory: the opening hall's for
// an opening event, the evaluation room's for an evaluation event (the
// room the step names, or the one the section's evaluation started in).
import type { Schemas } from '../api/client'

type Step = NonNullable<Schemas['Trajectory']['steps']>[number] // supervision's step (Schemas['Step'] is approval's)
type Camera = Schemas['Camera']

export type { Step }

/** The kind of room an event type happened in, or '' for none. */
export function stepRoom(type: string | undefined): 'opening' | 'evaluation' | '' {
  const t = type ?? ''
  if (t === 'section.opening' || t === 'section.opened' || t.startsWith('opening.')) return 'opening'
  if (t.startsWith('evaluation.')) return 'evaluation'
  return ''
}

/** The cameras that filmed step s; evalRoom is the section's evaluation room when known. */
export function camerasFor(s: Step, cams: Camera[], evalRoom?: number): Camera[] {
  switch (stepRoom(s.type)) {
    case 'opening':
      return cams.filter((c) => c.kind === 'opening')
    case 'evaluation': {
      const room = s.detail?.roomId ?? evalRoom
      return room ? cams.filter((c) => c.kind === 'evaluation' && c.evalRoomId === room) : []
    }
    default:
      return []
  }
}

/** The evaluation room a trajectory's steps name first, if any. */
export function evalRoomOf(steps: Step[]): number | undefined {
  return steps.find((s) => s.type?.startsWith('evaluation.') && s.detail?.roomId)?.detail?.roomId
}

/** Each decryption step's place in the order of decryptions (1, 2, …), by log sequence number. */
export function decryptionOrder(steps: Step[]): Map<number, number> {
  const out = new Map<number, number>()
  for (const s of [...steps].sort((a, b) => (a.seq ?? 0) - (b.seq ?? 0))) {
    if (s.type === 'opening.decrypted') out.set(s.seq ?? 0, out.size + 1)
  }
  return out
}
