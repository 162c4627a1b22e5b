# TenderHall — the two commands a fresh clone needs:
#   make run    run the platform on its embedded default (SQLite, local disk, in-process jobs)
#   make test   run the tests (no servers needed; real-server suites skip)
# and for developers:
#   make integration   start MariaDB, Redis and MinIO on loopback and run the real-server suites

GO ?= go
BIN := bin/tenderhall
VERSION := $(shell git describe --always --dirty 2>/dev/null || echo dev)
# Packages whose suites run against the real servers.
INTEGRATION_PKGS := ./storage/... ./internal/jobs/... ./accounts/... ./eventlog/... ./notary/... ./calendar/... ./bidding/... ./experts/... ./sandbox/... ./evaluation/... ./api/... ./cmd/...

.PHONY: run build test integration vet fuzz bench clean

run: build
	./$(BIN) serve $(ARGS)

build:
	$(GO) build -ldflags "-X main.version=$(VERSION)" -o $(BIN) ./cmd/tenderhall

test:
	$(GO) vet ./...
	deploy/gotest-summary.sh -count=1 ./...

integration:
	deploy/integration.sh $(INTEGRATION_PKGS)

fuzz:
	deploy/fuzz.sh 10s

bench:
	$(GO) test -run '^$$' -bench . -benchtime 3x ./storage/...

clean:
	rm -rf bin
