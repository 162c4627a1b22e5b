import { describe, expect, it } from 'vitest'
import { bidFormName, formProblem, packBid, yuanToFen } from './bidpack'

// readTar is a reader for the test: it walks the blocks, applies PAX path
// records and checks every header's checksum, as Go's archive/tar does.
async function readTar(b: Blob): Promise<{ name: string; data: Uint8Array }[]> {
  const bytes = new Uint8Array(await b.arrayBuffer())
  const text = (a: Uint8Array) => new TextDecoder().decode(a).replace(/\0.*$/s, '')
  const out: { name: string; data: Uint8Array }[] = []
  let off = 0
  let pax = ''
  while (off + 512 <= bytes.length) {
    const h = bytes.subarray(off, off + 512)
    if (h.every((x) => x === 0)) break
    let sum = 0
    h.forEach((x, i) => (sum += i >= 148 && i < 156 ? 32 : x))
    expect(parseInt(text(h.subarray(148, 156)).trim(), 8)).toBe(sum)
    const size = parseInt(text(h.subarray(124, 136)), 8)
    const data = bytes.subarray(off + 512, off + 512 + size)
    off += 512 + Math.ceil(size / 512) * 512
    if (text(h.subarray(156, 157)) === 'x') {
      pax = new TextDecoder().decode(data).replace(/^\d+ path=/, '').replace(/\n$/, '')
      continue
    }
    out.push({ name: pax || text(h.subarray(0, 100)), data })
    pax = ''
  }
  return out
}

describe('packBid', () => {
  it('puts the form first, then the documents with their UTF-8 names', async () => {
    const doc = new File(['技术标正文'.repeat(300)], '技术标（第一册）.pdf')
    const plain = new File(['x'], 'price.xlsx')
    const tar = packBid({ priceFen: 98765432, durationDays: 180, quality: '合格' }, [doc, plain])
    const entries = await readTar(tar)
    expect(entries.map((e) => e.name)).toEqual([bidFormName, '技术标（第一册）.pdf', 'price.xlsx'])
    expect(JSON.parse(new TextDecoder().decode(entries[0].data))).toEqual({ priceFen: 98765432, durationDays: 180, quality: '合格' })
    expect(new TextDecoder().decode(entries[1].data)).toBe('技术标正文'.repeat(300))
    expect(tar.size % 512).toBe(0)
  })

  it('refuses what the server would refuse', () => {
    expect(() => packBid({ priceFen: 0, durationDays: 10 }, [])).toThrow(/priceFen/)
    expect(formProblem({ priceFen: 1, durationDays: 36501 })).toBe('durationDays')
    const a = new File(['a'], 'a.pdf')
    expect(() => packBid({ priceFen: 1, durationDays: 1 }, [a, new File(['b'], 'a.pdf')])).toThrow(/two documents/)
  })

  it('reads yuan with at most two decimals', () => {
    expect(yuanToFen('1234567.89')).toBe(123456789)
    expect(yuanToFen('12.5')).toBe(1250)
    expect(yuanToFen('12')).toBe(1200)
    expect(yuanToFen('12.345')).toBeNaN()
    expect(yuanToFen('-1')).toBeNaN()
    expect(yuanToFen('1e5')).toBeNaN()
  })
})

describe('packBid against GNU tar', () => {
  it('is read by tar as the CLI package is: names, contents and the form first', async () => {
    const { execFileSync } = await import('node:child_process')
    const { mkdtempSync, writeFileSync, readFileSync, rmSync } = await import('node:fs')
    const { join } = await import('node:path')
    const { tmpdir } = await import('node:os')
    const dir = mkdtempSync(join(tmpdir(), 'bidpack-'))
    try {
      const tar = packBid({ priceFen: 500, durationDays: 30 }, [new File(['商务标'], '商务标.pdf')])
      const file = join(dir, 'bid.tar')
      writeFileSync(file, new Uint8Array(await tar.arrayBuffer()))
      expect(execFileSync('tar', ['-tf', file], { encoding: 'utf8' }).trim().split('\n')).toEqual([bidFormName, '商务标.pdf'])
      execFileSync('tar', ['-xf', file, '-C', dir])
      expect(readFileSync(join(dir, '商务标.pdf'), 'utf8')).toBe('商务标')
      expect(JSON.parse(readFileSync(join(dir, bidFormName), 'utf8')).priceFen).toBe(500)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
