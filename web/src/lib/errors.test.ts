import { describe, expect, it } from 'vitest'
import { ApiError } from '../api/client'
import { NotaryError } from '../wasm/notary'
import { errorText, isStale } from './errors'

describe('errorText', () => {
  it('names the unlock time of a locked account in Beijing time', () => {
    const e = new ApiError(423, 'account_locked', 'locked', {}, '2026-12-02T01:15:00.000Z')
    expect(errorText(e)).toContain('2026-12-02 09:15:00')
  })
  it('explains a network failure and a wrong key password in Chinese', () => {
    expect(errorText(new ApiError(0, 'network', 'x'))).toContain('网络中断')
    expect(errorText(new NotaryError('wrong_password', '私钥密码错误', 'wrong password'))).toContain('密钥口令错误')
  })
  it('keeps the server message and adds what to do after the deadline; quotes the request id of a server fault', () => {
    const late = new ApiError(410, 'deadline_passed', '投标截止时间已过')
    expect(errorText(late)).toMatch(/投标截止时间已过 — .*不再被接收/)
    expect(isStale(late)).toBe(true)
    expect(errorText(new ApiError(500, 'internal', '服务器内部错误', {}, undefined, 'req-123'))).toContain('req-123')
  })
})
