// The same WebAssembly notary the page uses, loaded in Node for the
// experts the suite drives through the API (their keys and signatures).
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const dir = fileURLToPath(new URL('../src/wasm/', import.meta.url))
let mod

export async function nodeNotary() {
  if (mod) return mod
  await import(dir + 'wasm_exec.js')
  const go = new globalThis.Go()
  const { instance } = await WebAssembly.instantiate(readFileSync(dir + 'notary.wasm'), go.importObject)
  go.run(instance)
  const n = globalThis.tenderhallNotary
  const ok = (r) => {
    if (r.error) throw new Error(`${r.error.code}: ${r.error.en}`)
    return r.ok
  }
  mod = {
    generateKey: (pw) => ok(n.generateKey(pw)),
    sign: (handle, text) => Buffer.from(ok(n.sign(handle, new TextEncoder().encode(text)))).toString('base64'),
  }
  return mod
}
