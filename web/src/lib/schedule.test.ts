import { describe, expect, it } from 'vitest'
import { beijingInput, checkSchedule, daysBetween } from './schedule'

describe('schedule checks', () => {
  it('counts Beijing calendar days, not 24-hour spans', () => {
    // 23:30 and 00:30 the next day in Beijing are one day apart though one hour.
    expect(daysBetween(beijingInput('2026-12-01 23:30:00'), beijingInput('2026-12-02 00:30:00'))).toBe(1)
    expect(daysBetween(beijingInput('2026-12-02 00:30:00'), beijingInput('2026-12-02 23:30:00'))).toBe(0)
  })
  it('flags a deadline too early and documents too short', () => {
    const from = beijingInput('2026-12-02 09:00:00')
    const bad = checkSchedule(from, beijingInput('2026-12-05 17:00:00'), beijingInput('2026-12-20 09:30:00'), 5, 20)
    expect(bad.map((c) => [c.key, c.ok, c.have])).toEqual([['order', true, 0], ['docDays', false, 3], ['deadlineDays', false, 18]])
    const good = checkSchedule(from, beijingInput('2026-12-09 17:00:00'), beijingInput('2026-12-22 09:30:00'), 5, 20)
    expect(good.every((c) => c.ok)).toBe(true)
  })
  it('refuses a deadline before the documents', () => {
    const c = checkSchedule(beijingInput('2026-12-10 09:00:00'), beijingInput('2026-12-20 09:00:00'), beijingInput('2026-12-01 09:00:00'), 5, 20)
    expect(c[0].ok).toBe(false)
  })
})
