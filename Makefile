# TenderHall — the two commands a fresh clone needs:
#   make run    run the platform on its embedded default (SQLite, local disk, in-process jobs)
#   make test   run the tests (no servers needed; real-server suites skip)
# and for developers:
#   make integration   start MariaDB, Redis and MinIO on loopback and run the real-server suites
#   make web           build the web app (npm ci, WebAssembly notary, vite) into web/dist/app
#   make e2e           the browser suite in Debian's Chromium against the real binary
#   make readme        run the README's walk-through as written on a fresh clone of HEAD
#   make sandbox       a sandbox (测试环境) with demo data in ./data-sandbox, whose clock an administrator moves

GO ?= go
BIN := bin/tenderhall
VERSION := $(shell git describe --always --dirty 2>/dev/null || echo dev)
# Packages whose suites run against the real servers.
INTEGRATION_PKGS := ./approval/... ./supervision/... ./storage/... ./internal/jobs/... ./accounts/... ./eventlog/... ./notary/... ./calendar/... ./bidding/... ./experts/... ./sandbox/... ./evaluation/... ./api/... ./cmd/... ./video/...

# The web app is rebuilt only when one of its sources changed: its own
# files, the WebAssembly sealer's Go code (web/wasm, notary) and the
# committed OpenAPI document. Without Node.js web/build.sh says so and the
# binary serves a page explaining how to build the app.
WEB_STAMP := web/dist/app/index.html
WEB_SOURCES := $(shell find web/src web/public web/wasm notary internal/apperr -type f \
	-not -name schema.d.ts -not -name notary.wasm -not -name wasm_exec.js -not -name '*_test.go' 2>/dev/null) \
	web/index.html web/package.json web/package-lock.json web/vite.config.ts web/tsconfig.json web/build.sh

.PHONY: run sandbox build web test web-test e2e integration readme vet fuzz bench clean

run: build
	./$(BIN) serve $(ARGS)

# A sandbox needs a database of its own: a data directory is claimed for
# live trading or for a sandbox the first time it is served.
sandbox: build
	./$(BIN) serve --sandbox --demo --data ./data-sandbox $(ARGS)

build: web
	$(GO) build -ldflags "-X main.version=$(VERSION)" -o $(BIN) ./cmd/tenderhall

web: $(WEB_STAMP)

$(WEB_STAMP): $(WEB_SOURCES)
	web/build.sh

test:
	@command -v ffmpeg >/dev/null 2>&1 || deploy/apt-install.sh ffmpeg || echo "== ffmpeg could not be installed: the real-encoder video tests skip"
	$(GO) vet ./...
	deploy/gotest-summary.sh -count=1 ./...
	web/build.sh unit

e2e: build
	web/e2e/run.sh $(BIN)

readme:
	deploy/readme-walk.sh

integration:
	deploy/integration.sh $(INTEGRATION_PKGS)

fuzz:
	deploy/fuzz.sh 10s

bench:
	$(GO) test -run '^$$' -bench . -benchtime 3x ./storage/...

clean:
	rm -rf bin web/dist/app
