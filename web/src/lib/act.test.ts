import { describe, expect, it } from 'vitest'
import { useAct } from './act'

describe('useAct', () => {
  it('shows the error and follows up only after a success, unless always', async () => {
    let after = 0
    const once = useAct(() => after++)
    await once.act(() => Promise.reject(new Error('refused')))
    expect((once.error.value as Error).message).toBe('refused')
    expect(after).toBe(0)
    await once.act(() => Promise.resolve())
    expect(once.error.value).toBeNull()
    expect(after).toBe(1)
    const always = useAct(() => after++, { always: true })
    await always.act(() => Promise.reject(new Error('stale')))
    expect(after).toBe(2)
    expect(always.busy.value).toBe(false)
  })
})
