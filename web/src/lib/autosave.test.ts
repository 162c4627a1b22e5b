import { describe, expect, it, vi } from 'vitest'
import { useAutosave } from './autosave'

describe('useAutosave', () => {
  it('saves once after a burst of changes, and reports a failure without losing the next save', async () => {
    vi.useFakeTimers()
    const calls: number[] = []
    let fail = false
    const a = useAutosave(async () => {
      calls.push(Date.now())
      if (fail) throw new Error('offline')
    }, 1000)
    a.changed()
    a.changed()
    a.changed()
    expect(a.state.value).toBe('pending')
    await vi.advanceTimersByTimeAsync(1000)
    expect(calls.length).toBe(1)
    expect(a.state.value).toBe('saved')
    fail = true
    a.changed()
    await vi.advanceTimersByTimeAsync(1000)
    expect(a.state.value).toBe('error')
    fail = false
    await a.flush()
    expect(a.state.value).toBe('saved')
    expect(calls.length).toBe(3)
    vi.useRealTimers()
  })
})
