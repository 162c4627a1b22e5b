// The resumable sealed-bid upload, as `tenderhall bid submit` does it: the
// server keeps the offset; each PUT appends at ?offset=; after any failure
// the page asks where to resume (GET /uploads/:id) and sends again from
// there. Ciphertext is pushed as the sealer produces it and sent in parts of
// partSize while the next part fills (one part in flight), and a part is
// kept until the server has acknowledged it, so a dropped connection loses
// nothing. Parts go out as Blobs: Chromium keeps a typed-array request body
// in the tab until a garbage collection, which let a 200 MiB upload grow the
// tab by 300 MiB (web/BENCHMARKS.md); a Blob's bytes go to the browser's
// blob store at once.
import { ApiError, call, type Schemas } from '../api/client'
import type { Receipt } from './receipt'

export type UploadView = Schemas['UploadView']

/** Retryable: a network failure, a server error, a busy upload, or a wrong offset (we ask again). */
function retryable(e: unknown): boolean {
  return e instanceof ApiError && (e.network || e.status >= 500 || e.code === 'wrong_offset' || e.code === 'upload_busy')
}

export interface UploaderEvents {
  /** Bytes the server has confirmed. */
  onAcked?(offset: number): void
  /** A transient failure: retrying after delayMs (attempt counts from 1), or recovered (null). */
  onRetry?(err: ApiError | null, attempt: number, delayMs: number): void
}

export class BidUploader {
  uploadId = ''
  acked = 0 // bytes the server holds
  private buf: Uint8Array<ArrayBuffer>
  private fill = 0
  private stopped = false
  private inflight: Promise<void> = Promise.resolve()

  constructor(
    readonly sectionId: number,
    private readonly events: UploaderEvents = {},
    readonly partSize = 8 << 20,
    private readonly maxAttempts = 12,
    private readonly wait: (ms: number) => Promise<void> = waitOrOnline,
  ) {
    this.buf = new Uint8Array(partSize)
  }

  async open(): Promise<void> {
    const u = await call('post', '/api/v1/sections/{id}/uploads', { path: { id: this.sectionId } })
    this.uploadId = u.uploadId ?? ''
    this.acked = u.offset ?? 0
  }

  /** Takes ciphertext; sends a part whenever one is full. */
  async push(data: Uint8Array): Promise<void> {
    let off = 0
    while (off < data.length) {
      const n = Math.min(this.buf.length - this.fill, data.length - off)
      this.buf.set(data.subarray(off, off + n), this.fill)
      this.fill += n
      off += n
      if (this.fill === this.buf.length) await this.flush()
    }
  }

  /** Starts sending what is buffered once the part before it has been acknowledged. */
  async flush(): Promise<void> {
    await this.inflight
    if (this.fill === 0) return
    const part = new Blob([this.buf.subarray(0, this.fill)])
    this.fill = 0
    this.inflight = this.sendPart(part)
    this.inflight.catch(() => undefined) // observed by the next flush or by finalize
  }

  /** Ends the upload: the server verifies the envelope and signs the receipt. */
  async finalize(size: number): Promise<Receipt> {
    await this.flush()
    await this.inflight
    return this.retrying(() =>
      call('post', '/api/v1/uploads/{id}/finalize', { path: { id: this.uploadId }, query: { size } }) as Promise<unknown> as Promise<Receipt>,
    )
  }

  /** Stops retrying (the page gave up or the bidder cancelled). */
  stop(): void {
    this.stopped = true
  }

  private async sendPart(part: Blob): Promise<void> {
    const start = this.acked
    await this.retrying(async () => {
      // Where is the server? A previous attempt may have landed although its answer was lost.
      const done = this.acked - start
      if (done >= part.size) return
      if (done < 0) throw new Error(`upload offset went back from ${start} to ${this.acked}`)
      const body = done > 0 ? part.slice(done) : part
      const u = await call('put', '/api/v1/uploads/{id}', { path: { id: this.uploadId }, query: { offset: this.acked }, raw: body })
      this.acked = u.offset ?? this.acked + body.size
      this.events.onAcked?.(this.acked)
    })
  }

  /** Runs fn, and after a retryable failure asks the server for the offset and runs it again. */
  private async retrying<T>(fn: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        const v = await fn()
        if (attempt > 1) this.events.onRetry?.(null, attempt, 0)
        return v
      } catch (e) {
        if (!retryable(e) || this.stopped || attempt >= this.maxAttempts) throw e
        const delay = Math.min(1000 * 2 ** (attempt - 1), 15000)
        this.events.onRetry?.(e as ApiError, attempt, delay)
        await this.wait(delay)
        await this.resync()
      }
    }
  }

  private async resync(): Promise<void> {
    try {
      const u = await call('get', '/api/v1/uploads/{id}', { path: { id: this.uploadId } })
      this.acked = u.offset ?? this.acked
      this.events.onAcked?.(this.acked)
    } catch (e) {
      if (!retryable(e)) throw e // e.g. the upload ended at the deadline
    }
  }
}

/** Waits ms, or less when the browser comes back online. */
export function waitOrOnline(ms: number): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(t)
      window.removeEventListener('online', done)
      resolve()
    }
    const t = setTimeout(done, ms)
    window.addEventListener('online', done)
  })
}
