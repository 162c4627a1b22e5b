#!/usr/bin/env bash
# Builds the web app into web/dist/app, which package web embeds.
#   web/build.sh deps   npm ci when node_modules is missing or older than package-lock.json
#   web/build.sh wasm   the WebAssembly notary (GOOS=js GOARCH=wasm) and the matching wasm_exec.js
#   web/build.sh app    generate the API types from src/api/openapi.json, type-check, vite build
#   web/build.sh unit   the component and unit tests (vitest; no browser)
# With no argument it does all three. Without Node.js it says so and exits 0,
# so that `make run` still serves the API on a Go-only machine.
set -euo pipefail
cd "$(dirname "$0")"
GO=${GO:-go}

need_node() {
  if ! command -v npm >/dev/null 2>&1; then
    echo "web: npm not found; the web app is not built (install Node.js 20+ to build it)" >&2
    exit 0
  fi
}

deps() {
  need_node
  if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    echo "== web: npm ci"
    npm ci --no-audit --no-fund --loglevel=error
  fi
}

wasm() {
  mkdir -p src/wasm
  echo "== web: GOOS=js GOARCH=wasm go build ./web/wasm"
  (cd .. && GOOS=js GOARCH=wasm $GO build -trimpath -ldflags=-s -o web/src/wasm/notary.wasm ./web/wasm)
  cp "$($GO env GOROOT)/lib/wasm/wasm_exec.js" src/wasm/wasm_exec.js
}

app() {
  need_node
  echo "== web: openapi-typescript, vue-tsc, vite build"
  npx openapi-typescript src/api/openapi.json -o src/api/schema.d.ts >/dev/null
  npx vue-tsc --noEmit -p tsconfig.json
  npx vite build --logLevel warn
}

unit() {
  need_node
  deps
  wasm # the components import the sealer's module (not run: it needs a browser)
  echo "== web: vitest"
  npx vitest run
}

if [ $# -eq 0 ]; then set -- deps wasm app; fi
for step in "$@"; do "$step"; done
