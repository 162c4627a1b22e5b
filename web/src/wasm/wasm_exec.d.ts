// wasm_exec.js is copied from $(go env GOROOT)/lib/wasm by web/build.sh (it
// must match the Go that compiled notary.wasm); it defines globalThis.Go.
export {}
