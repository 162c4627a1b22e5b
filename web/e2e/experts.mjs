// Pool experts with platform accounts and personal SM2 keys, made through
// the administrator's API as `tenderhall demo play` makes its own.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { apiClient, bearer } from './harness.mjs'
import { nodeNotary } from './notary.mjs'

/** GB 11643 check character. */
function idNumber(body17) {
  const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
  const sum = [...body17].reduce((s, c, i) => s + Number(c) * w[i], 0)
  return body17 + '10X98765432'[sum % 11]
}

/** GB 32100 check character of a unified social credit code. */
function uscc(body17) {
  const cs = '0123456789ABCDEFGHJKLMNPQRTUWXY'
  const w = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
  const sum = [...body17].reduce((s, c, i) => s + cs.indexOf(c) * w[i], 0)
  return body17 + cs[(31 - (sum % 31)) % 31]
}

const names = ['郑建国', '孙丽华', '马志强', '朱晓燕', '胡文斌']

/**
 * Adds len(names) experts of one specialty (four technical, one economic),
 * each with an account, a key (the first one's also as a file for the
 * browser) and a bearer client.
 */
export async function makeExperts(base, admin, specialty, dir, password) {
  const notary = await nodeNotary()
  const out = []
  for (let i = 0; i < names.length; i++) {
    const username = `e2e-expert${i + 1}`
    const userPw = `Expert-pass-${i + 1}x`
    const user = await admin('POST', '/api/v1/users', { username, displayName: names[i], password: userPw, roles: ['expert'] })
    const ex = await admin('POST', '/api/v1/experts', {
      name: names[i], idNumber: idNumber(`3501021970010${i + 1}00${i}`), phones: [`1390000${String(7000 + i)}`],
      employerUscc: uscc(`91350100MA8E2E00${i}`), employerName: `福建省建筑设计研究院第${i + 1}所（演示）`, region: '350100',
      title: '高级工程师', level: 'A', category: i < 4 ? 'technical' : 'economic', specialties: [specialty],
    })
    await admin('PUT', `/api/v1/experts/${ex.id}/account`, { userId: user.id })
    const key = notary.generateKey(password)
    const keyFile = join(dir, `${username}.key`)
    writeFileSync(keyFile, key.privatePem)
    const token = await bearer(base, username, userPw)
    const api = apiClient(base, token)
    await api('PUT', '/api/v1/auth/me/public-key', { pem: key.publicPem })
    const relogin = async () => apiClient(base, await bearer(base, username, userPw)) // a clock jump ends sessions
    out.push({ username, password: userPw, name: names[i], expertId: ex.id, key, keyFile, api, relogin })
  }
  return out
}
