import { describe, expect, it } from 'vitest'
import { statementJSON, validPoints } from './evaluation'

describe('evaluation helpers', () => {
  it('writes the statement in evaluation.Statement order, as the signature covers it', () => {
    expect(statementJSON(12, 3, [])).toBe('{"sessionId":12,"seat":3,"relationships":[]}')
  })
  it('accepts an objective score only among its values and a subjective one in hundredths up to full marks', () => {
    const obj = { code: 'T3', kind: 'objective', fullMarks: 5, values: [0, 3, 5] }
    const subj = { code: 'T1', kind: 'subjective', fullMarks: 25 }
    expect(validPoints(obj, 3)).toBe(true)
    expect(validPoints(obj, 4)).toBe(false)
    expect(validPoints(subj, 18.25)).toBe(true)
    expect(validPoints(subj, 18.255)).toBe(false)
    expect(validPoints(subj, 26)).toBe(false)
    expect(validPoints(subj, undefined)).toBe(false)
  })
})
