#!/usr/bin/env bash
# Runs `go test -v` with the given arguments and prints, per package, how
# many tests (subtests included) passed, failed and were skipped, then one
# closing "N passed, N failed, N skipped" line. With --no-skips (the
# real-server suites in CI) a skipped test fails the run.
set -uo pipefail
noskips=0
if [ "${1:-}" = "--no-skips" ]; then noskips=1; shift; fi
out=$(mktemp)
go test -v "$@" 2>&1 | tee "$out" | grep -E '^(--- FAIL|FAIL|ok|panic:|\s+--- FAIL)' ; status=${PIPESTATUS[0]}
pass=$(grep -cE '^\s*--- PASS' "$out" || true)
fail=$(grep -cE '^\s*--- FAIL' "$out" || true)
skip=$(grep -cE '^\s*--- SKIP' "$out" || true)
if [ "$skip" -gt 0 ]; then
  echo "skipped:"; grep -E '^\s*--- SKIP' "$out" | sed 's/^\s*/  /'
  grep -A1 -E '^\s*--- SKIP' "$out" | grep -vE '^\s*--- SKIP|^--$' | sed 's/^\s*/    /' | sort -u | head -20
fi
echo "tests: $pass passed, $fail failed, $skip skipped"
rm -f "$out"
if [ "$noskips" = 1 ] && [ "$skip" -gt 0 ]; then
  echo "FAIL: a real-server suite skipped under CI" >&2
  exit 1
fi
exit "$status"
