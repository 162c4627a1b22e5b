#!/usr/bin/env bash
# Runs the given packages' suites against real MariaDB, Redis and MinIO.
# Uses the servers named by TENDERHALL_TEST_* when they are set; otherwise
# starts its own on loopback (deploy/services.sh) and stops them afterwards.
# Under this script a suite that skips for want of a server is a failure.
set -euo pipefail
cd "$(dirname "$0")/.."
started=""
if [ -z "${TENDERHALL_TEST_MYSQL_DSN:-}" ] || [ -z "${TENDERHALL_TEST_REDIS:-}" ] || [ -z "${TENDERHALL_TEST_MINIO:-}" ]; then
  started=$(mktemp -d /tmp/tenderhall-services.XXXXXX)
  trap 'deploy/services.sh stop "$started"; rm -rf "$started"' EXIT
  deploy/services.sh start "$started"
  # shellcheck disable=SC1091
  . "$started/env"
fi
export CI=true
deploy/gotest-summary.sh --no-skips -count=1 -p 2 "$@"
