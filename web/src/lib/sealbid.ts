// Sealing in the browser: the chosen file is read from disk in slices,
// each slice goes through the WebAssembly sealer, and the ciphertext it
// returns goes to the uploader at once. Neither the file nor the envelope
// is ever whole in memory (a slice, one upload part and the sealer's chunk),
// and only ciphertext is sent.
import { notary, type SealResult } from '../wasm/notary'
import { browserFingerprint } from './fingerprint'
import type { BidUploader } from './uploader'
import type { Receipt } from './receipt'

export const sliceSize = 1 << 20 // what is read from the file at a time
export const chunkSize = 1 << 20 // the envelope's plaintext chunk (the CLI's default)

export interface SealJob {
  file: Blob
  keyHandle: number
  recipients: string[] // the bidder's own public key first, then an escrow key if the section has one
  projectId: number
  sectionId: number
  bidderOrgId: number
  sealedAtMs: number // server time
  uploader: BidUploader
  gate: { pass(): Promise<void> } // the pause switch (gate.ts)
  onSealed?(plaintextBytes: number): void
}

export interface SealOutcome {
  result: SealResult
  receipt: Receipt
  /** Where the time went, in ms: reading the file, sealing, sending (waiting for the server). */
  timing: { read: number; seal: number; send: number; total: number }
}

/** Seals job.file and uploads the envelope; resolves with the checked receipt. */
export async function sealAndUpload(job: SealJob): Promise<SealOutcome> {
  const start = await notary.sealStart(job.keyHandle, {
    recipients: job.recipients, project: String(job.projectId), section: String(job.sectionId),
    bidder: String(job.bidderOrgId), chunkSize, sealedAtMs: job.sealedAtMs, fingerprint: browserFingerprint(),
  })
  let closed = false
  const timing = { read: 0, seal: 0, send: 0, total: 0 }
  const began = performance.now()
  const timed = async <T>(k: 'read' | 'seal' | 'send', p: Promise<T>): Promise<T> => {
    const t = performance.now()
    const v = await p
    timing[k] += performance.now() - t
    return v
  }
  try {
    await timed('send', job.uploader.push(start.header))
    for (let off = 0; off < job.file.size; off += sliceSize) {
      await job.gate.pass()
      const slice = new Uint8Array(await timed('read', job.file.slice(off, off + sliceSize).arrayBuffer()))
      const sealed = await timed('seal', notary.sealWrite(start.handle, slice))
      await timed('send', job.uploader.push(sealed))
      job.onSealed?.(Math.min(off + sliceSize, job.file.size))
    }
    const { tail, result } = await notary.sealClose(start.handle)
    closed = true
    await job.uploader.push(tail)
    await job.gate.pass()
    const receipt = await timed('send', job.uploader.finalize(result.size))
    checkReceipt(receipt, result)
    timing.total = performance.now() - began
    return { result, receipt, timing }
  } finally {
    if (!closed) await notary.sealAbort(start.handle).catch(() => undefined)
  }
}

/** The receipt must name the envelope this page sealed. */
export function checkReceipt(r: Receipt, sealed: SealResult): void {
  if (r.receipt?.ciphertextDigest !== sealed.digest || r.receipt?.ciphertextSize !== sealed.size) {
    throw new ReceiptMismatch(r.receipt?.ciphertextDigest ?? '', sealed.digest)
  }
}

export class ReceiptMismatch extends Error {
  constructor(readonly got: string, readonly want: string) {
    super(`receipt digest ${got} differs from the sealed ${want}`)
  }
}
