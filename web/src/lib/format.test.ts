import { describe, expect, it } from 'vitest'
import { formatBytes, formatCountdown, formatFen, formatTime, yuanToFen } from './format'

describe('format', () => {
  it('shows times in Beijing time whatever the zone', () => {
    expect(formatTime('2026-12-01T16:30:05Z')).toBe('2026-12-02 00:30:05')
    expect(formatTime(undefined)).toBe('—')
    expect(formatTime('not a date')).toBe('—')
  })
  it('formats fen as yuan and parses yuan back exactly', () => {
    expect(formatFen(486000000)).toBe('¥4,860,000.00')
    expect(formatFen(5)).toBe('¥0.05')
    expect(formatFen(-12345)).toBe('-¥123.45')
    expect(yuanToFen('1,234.5')).toBe(123450)
    expect(yuanToFen('0.07')).toBe(7)
    expect(yuanToFen('1.234')).toBeNaN()
    expect(yuanToFen('abc')).toBeNaN()
  })
  it('formats sizes and countdowns', () => {
    expect(formatBytes(20 * 1024 * 1024)).toBe('20.0 MiB')
    expect(formatBytes(512)).toBe('512 B')
    expect(formatCountdown(90061000, '天')).toBe('1天 01:01:01')
    expect(formatCountdown(-5, '天')).toBe('00:00:00')
  })
})
