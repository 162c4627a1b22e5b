#!/usr/bin/env bash
# Runs `go test -v` with the given arguments and prints, per package, how
# many tests (subtests included) passed, failed and were skipped, and how
# many ran on each real backend (subtests named mysql, minio, asynq), the
# latter only for the servers named by TENDERHALL_TEST_* (without one, no
# test can have run on it, whatever its name); then one closing
# "N passed, N failed, N skipped" line. With --no-skips (the real-server
# suites in CI) a skipped test fails the run.
set -uo pipefail
noskips=0
if [ "${1:-}" = "--no-skips" ]; then noskips=1; shift; fi
out=$(mktemp)
go test -v "$@" >"$out" 2>&1
status=$?
# On failure, the failing tests and their messages, so the log shows why.
if [ "$status" -ne 0 ]; then
  grep -E '^\s*--- FAIL|^\s+\S+_test\.go:[0-9]+:|^panic:|^FAIL' "$out" | head -200
fi
awk -v has_my="${TENDERHALL_TEST_MYSQL_DSN:+1}" -v has_mi="${TENDERHALL_TEST_MINIO:+1}" -v has_rq="${TENDERHALL_TEST_REDIS:+1}" '
  function reset() { p = 0; f = 0; s = 0; my = 0; mi = 0; aq = 0 }
  BEGIN { reset() }
  /^[ \t]*--- PASS/ {
    p++; tp++
    if (has_my && $3 ~ /\/(mysql|MySQL)(\/|$)/) my++
    if (has_mi && ($3 ~ /\/(minio|MinIO)(\/|$)/ || $3 ~ /MinIO/)) mi++
    if (has_rq && ($3 ~ /\/(asynq|redis)(\/|$)/ || $3 ~ /Asynq/)) aq++
  }
  /^[ \t]*--- FAIL/ { f++; tf++ }
  /^[ \t]*--- SKIP/ { s++; ts++; skipped[ts] = $3 }
  /^(ok|FAIL)[ \t]+github.com/ {
    pkg = $2; sub(/^github.com\/tenderhall\/tenderhall\/?/, "./", pkg)
    line = sprintf("%-28s %4d passed, %d failed, %d skipped", pkg, p, f, s)
    if (my + mi + aq > 0) line = line sprintf("   [on MariaDB: %d, MinIO: %d, Redis/asynq: %d]", my, mi, aq)
    print line; reset()
  }
  END {
    for (i = 1; i <= ts; i++) print "  skipped: " skipped[i]
    printf "tests: %d passed, %d failed, %d skipped\n", tp, tf, ts
    exit (ts > 0 ? 3 : 0)
  }' "$out"
skips=$?
rm -f "$out"
if [ "$noskips" = 1 ] && [ "$skips" = 3 ]; then
  echo "FAIL: a real-server suite skipped under CI" >&2
  exit 1
fi
exit "$status"
