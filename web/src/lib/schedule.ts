// The rulebook's schedule checks as the page can show them before
// publishing: documents available at least minDocDays, the deadline at
// least minDaysToDeadline days after the documents are first available,
// counted in whole Beijing calendar days with the start day not counted.
// The server counts the same with the working-day calendar (a last day
// that is a holiday moves to the next working day), so it may still refuse
// near a holiday; its answer names the earliest allowed date.

const dayMs = 86400000
const beijing = 8 * 3600000

/** Whole Beijing calendar days from a to b. */
export function daysBetween(a: Date, b: Date): number {
  return Math.floor((b.getTime() + beijing) / dayMs) - Math.floor((a.getTime() + beijing) / dayMs)
}

export interface ScheduleCheck {
  key: 'docDays' | 'deadlineDays' | 'order'
  ok: boolean
  have: number
  need: number
}

export function checkSchedule(docsFrom: Date, docsUntil: Date, deadline: Date, minDocDays: number, minDaysToDeadline: number): ScheduleCheck[] {
  const doc = daysBetween(docsFrom, docsUntil)
  const dl = daysBetween(docsFrom, deadline)
  return [
    { key: 'order', ok: docsFrom < docsUntil && docsFrom < deadline, have: 0, need: 0 },
    { key: 'docDays', ok: doc >= minDocDays, have: doc, need: minDocDays },
    { key: 'deadlineDays', ok: dl >= minDaysToDeadline, have: dl, need: minDaysToDeadline },
  ]
}

/** "2026-12-02 09:30:00" typed as Beijing time → a Date. */
export function beijingInput(s: string): Date {
  return new Date(s.replace(' ', 'T') + '+08:00')
}
