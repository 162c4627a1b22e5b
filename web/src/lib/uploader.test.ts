import { afterEach, describe, expect, it, vi } from 'vitest'
import { BidUploader } from './uploader'

/**
 * The server's side of the offset protocol (api/bids.go), in memory: PUT
 * appends at ?offset= or answers 409 wrong_offset; GET tells the offset;
 * finalize answers a receipt. failures lists, per PUT call number, whether
 * the connection drops before the server stored the chunk or after (the
 * answer lost on the way back).
 */
function fakeServer(failures: Record<number, 'before' | 'after'>) {
  let stored = new Uint8Array(0)
  let puts = 0
  const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })
  const view = () => ({ uploadId: 'u1', offset: stored.length, status: 'open' })
  const fetchFn = async (url: string, init: RequestInit = {}) => {
    const u = new URL(url, 'http://x')
    if (init.method === 'POST' && u.pathname.endsWith('/uploads')) return json(201, view())
    if (init.method === 'GET') return json(200, view())
    if (init.method === 'PUT') {
      const n = ++puts
      const body = new Uint8Array(await (init.body as Blob).arrayBuffer())
      if (failures[n] === 'before') throw new TypeError('Failed to fetch')
      if (Number(u.searchParams.get('offset')) !== stored.length) return json(409, { error: { code: 'wrong_offset', message: 'wrong offset' } })
      const next = new Uint8Array(stored.length + body.length)
      next.set(stored)
      next.set(body, stored.length)
      stored = next
      if (failures[n] === 'after') throw new TypeError('Failed to fetch')
      return json(200, view())
    }
    if (init.method === 'POST' && u.pathname.endsWith('/finalize')) {
      return json(201, { receipt: { ciphertextSize: Number(u.searchParams.get('size')), bidId: '1' }, keyId: 'k', signature: 's' })
    }
    return json(404, { error: { code: 'not_found', message: 'no' } })
  }
  return { fetchFn, stored: () => stored, puts: () => puts }
}

afterEach(() => vi.unstubAllGlobals())

describe('BidUploader', () => {
  it('resumes after connections dropped before and after the server stored a part, losing and repeating nothing', async () => {
    const srv = fakeServer({ 2: 'before', 4: 'after' })
    vi.stubGlobal('fetch', srv.fetchFn)
    const retries: number[] = []
    const up = new BidUploader(7, { onRetry: (e, attempt) => e && retries.push(attempt) }, 1000, 5, async () => undefined)
    await up.open()
    const data = Uint8Array.from({ length: 4500 }, (_, i) => (i * 31) % 251)
    for (let off = 0; off < data.length; off += 700) await up.push(data.subarray(off, off + 700))
    const receipt = await up.finalize(data.length)
    expect(Array.from(srv.stored())).toEqual(Array.from(data))
    expect(receipt.receipt.ciphertextSize).toBe(4500)
    expect(retries).toEqual([1, 1])
    expect(up.acked).toBe(4500)
  })

  it('gives up after maxAttempts and reports the network error', async () => {
    const srv = fakeServer({ 1: 'before', 2: 'before', 3: 'before' })
    vi.stubGlobal('fetch', srv.fetchFn)
    const up = new BidUploader(7, {}, 100, 3, async () => undefined)
    await up.open()
    await up.push(new Uint8Array(150)) // the first part goes out while the next fills
    await expect(up.finalize(150)).rejects.toMatchObject({ code: 'network' })
  })
})
