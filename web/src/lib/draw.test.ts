import { describe, expect, it } from 'vitest'
import { categoryKey, defaultGroups, demoSpecialty } from './draw'

describe('defaultGroups', () => {
  it('reaches the demo committee in a sandbox: five members, odd, one economic expert without a reserve', () => {
    const g = defaultGroups(true)
    expect(g.every((x) => x.specialty === demoSpecialty)).toBe(true)
    const members = g.reduce((n, x) => n + x.count, 0)
    expect(members).toBe(5)
    expect(g.find((x) => x.category === 'economic')).toEqual({ specialty: demoSpecialty, category: 'economic', count: 1, reserve: 0 })
    // the reserves fit in the seven demo experts: six technical, one economic
    expect(g.filter((x) => x.category === 'technical').reduce((n, x) => n + x.count + x.reserve, 0)).toBeLessThanOrEqual(6)
  })
  it('leaves the specialty empty elsewhere', () => {
    expect(defaultGroups(false).map((x) => x.specialty)).toEqual(['', ''])
  })
})

describe('categoryKey', () => {
  it('names the two categories and falls back for a missing one', () => {
    expect(categoryKey('technical')).toBe('draw.technical')
    expect(categoryKey('economic')).toBe('draw.economic')
    expect(categoryKey(undefined)).toBe('draw.noCategory')
    expect(categoryKey('')).toBe('draw.noCategory')
  })
})
