// What the evaluation room needs besides the generated types: the signed
// messages (evaluation/signin.go, evaluation/report.go) and score helpers.
import type { Schemas } from '../api/client'

export type Session = Schemas['SessionView']
export type Criterion = Schemas['Criterion']

/** evaluation.DeclarationLabel ‖ the statement's JSON: what a member signs to declare no conflict. */
export function declarationMessage(statement: string): Uint8Array {
  return new TextEncoder().encode('TenderHall avoidance declaration v1\n' + statement)
}

/** The statement, with its members in evaluation.Statement's order (the server verifies these bytes). */
export function statementJSON(sessionId: number, seat: number, relationships: string[]): string {
  return JSON.stringify({ sessionId, seat, relationships })
}

/** evaluation.ReportLabel ‖ digest: what a member signs on the report. */
export function reportMessage(digest: string): Uint8Array {
  return new TextEncoder().encode('TenderHall evaluation report v1\n' + digest)
}

/** The statutes a bid can be rejected under (evaluation/conclude.go), 招标投标法实施条例第五十一条. */
export const statutes = ['unsigned', 'no_joint_agreement', 'unqualified', 'multiple_bids', 'below_cost', 'above_ceiling', 'not_responsive', 'collusion']

export const phases = ['signin', 'review', 'scoring', 'report', 'signed']

/**
 * The committee proper: the seats whose role is member. A confirmed reserve
 * has a seat too, and a withdrawn expert keeps one, but neither votes,
 * reviews, scores nor signs (the server counts members only).
 */
export function committee(s: Session): Schemas['MemberView'][] {
  return (s.members ?? []).filter((m) => m.role === 'member')
}

export function scored(c: Criterion): boolean {
  return c.part !== 'qualification'
}

/** A score is valid: an objective one of its values, a subjective one 0…full marks in hundredths. */
export function validPoints(c: Criterion, p: number | undefined | null): boolean {
  if (p === undefined || p === null || Number.isNaN(p)) return false
  if (c.kind === 'objective') return (c.values ?? []).includes(p)
  return p >= 0 && p <= (c.fullMarks ?? 0) && Math.round(p * 100) === p * 100
}
