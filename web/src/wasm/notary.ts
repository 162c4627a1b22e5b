// The notary package compiled to WebAssembly (web/wasm): the same Go code as
// the CLI makes and opens keys, signs challenges, unwraps data keys and
// seals bids, inside this page. It is loaded on first use (7 MB).
import wasmUrl from './notary.wasm?url'
import { currentLocale } from '../i18n'

export interface KeyInfo {
  handle: number
  keyId: string
  publicPem: string
  privatePem?: string
}

export interface SealRequest {
  recipients: string[]
  project: string
  section: string
  bidder: string
  chunkSize: number
  sealedAtMs: number
  fingerprint: { Name: string; Value: string }[]
}

export interface SealResult {
  digest: string
  size: number
  plaintext: number
  chunks: number
}

interface WireError {
  code: string
  zh: string
  en: string
}
type Result<T> = { ok: T; error?: undefined } | { ok?: undefined; error: WireError }

interface Module {
  generateKey(password: string): Result<KeyInfo>
  openKey(pem: Uint8Array, password: string): Result<KeyInfo>
  closeKey(handle: number): Result<boolean>
  publicKey(pem: string): Result<KeyInfo>
  sign(handle: number, msg: Uint8Array): Result<Uint8Array>
  unwrapDEK(handle: number, header: Uint8Array): Result<Uint8Array>
  sealStart(handle: number, req: SealRequest): Result<{ handle: number; header: Uint8Array }>
  sealWrite(handle: number, plaintext: Uint8Array): Result<Uint8Array>
  sealClose(handle: number): Result<{ tail: Uint8Array; result: SealResult }>
  sealAbort(handle: number): Result<boolean>
}

/** An error from the sealer: its code and the message in the UI language. */
export class NotaryError extends Error {
  constructor(readonly code: string, readonly zh: string, readonly en: string) {
    super(currentLocale() === 'en' ? en : zh)
  }
}

let loading: Promise<Module> | undefined

async function load(): Promise<Module> {
  await import('./wasm_exec.js')
  const Go = (globalThis as unknown as { Go: new () => { importObject: WebAssembly.Imports; run(i: WebAssembly.Instance): Promise<void> } }).Go
  const go = new Go()
  const { instance } = await WebAssembly.instantiateStreaming(fetch(wasmUrl), go.importObject)
  void go.run(instance) // main publishes tenderhallNotary, then waits for calls
  return (globalThis as unknown as { tenderhallNotary: Module }).tenderhallNotary
}

function unwrap<T>(r: Result<T>): T {
  if (r.error) throw new NotaryError(r.error.code, r.error.zh, r.error.en)
  return r.ok as T
}

/** The sealer's functions, throwing NotaryError instead of returning it. */
export const notary = {
  ready: (): Promise<Module> => (loading ??= load()),
  async generateKey(password: string): Promise<KeyInfo> {
    return unwrap((await notary.ready()).generateKey(password))
  },
  async openKey(pem: Uint8Array, password: string): Promise<KeyInfo> {
    return unwrap((await notary.ready()).openKey(pem, password))
  },
  async closeKey(handle: number): Promise<void> {
    unwrap((await notary.ready()).closeKey(handle))
  },
  async publicKey(pem: string): Promise<KeyInfo> {
    return unwrap((await notary.ready()).publicKey(pem))
  },
  async sign(handle: number, msg: Uint8Array): Promise<Uint8Array> {
    return unwrap((await notary.ready()).sign(handle, msg))
  },
  async unwrapDEK(handle: number, header: Uint8Array): Promise<Uint8Array> {
    return unwrap((await notary.ready()).unwrapDEK(handle, header))
  },
  async sealStart(handle: number, req: SealRequest): Promise<{ handle: number; header: Uint8Array }> {
    return unwrap((await notary.ready()).sealStart(handle, req))
  },
  async sealWrite(handle: number, plaintext: Uint8Array): Promise<Uint8Array> {
    return unwrap((await notary.ready()).sealWrite(handle, plaintext))
  },
  async sealClose(handle: number): Promise<{ tail: Uint8Array; result: SealResult }> {
    return unwrap((await notary.ready()).sealClose(handle))
  },
  async sealAbort(handle: number): Promise<void> {
    unwrap((await notary.ready()).sealAbort(handle))
  },
}
