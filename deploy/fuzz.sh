#!/usr/bin/env bash
# Runs every Fuzz target of the module for a short time each (default 10s).
# Crashers found are written by go test under the package's testdata/fuzz/.
set -euo pipefail
cd "$(dirname "$0")/.."
dur=${1:-10s}
n=0
for pkg in $(go list ./...); do
  dir=$(go list -f '{{.Dir}}' "$pkg")
  for target in $(grep -hoE '^func (Fuzz[A-Za-z0-9_]+)\(' "$dir"/*_test.go 2>/dev/null | sed -E 's/^func (Fuzz[A-Za-z0-9_]+)\(/\1/' | sort -u); do
    echo "fuzz $pkg $target for $dur"
    go test -run '^$' -fuzz "^${target}\$" -fuzztime "$dur" "$pkg"
    n=$((n+1))
  done
done
echo "fuzz: all $n targets ran without a failure"
