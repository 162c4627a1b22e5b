#!/usr/bin/env bash
# Runs `tenderhall demo play` (issue 7): the whole procurement against an
# embedded sandbox on the default (SQLite, local disk, in-process jobs),
# then, when the real servers of deploy/services.sh are up (DIR/env
# sourced), on MariaDB, Redis (asynq) and MinIO. Each run must exit 0.
#
#   deploy/demo-play.sh BIN [SERVICES_DIR]
set -euo pipefail
bin=${1:?usage: $0 BIN [SERVICES_DIR]}
svc=${2:-}

echo "== demo play on the embedded default"
"$bin" demo play | tail -n 4

if [ -z "$svc" ]; then exit 0; fi
# shellcheck disable=SC1091
. "$svc/env"
db="th_play_$$"
mariadb -uroot --socket="$svc/mysql.sock" -e "CREATE DATABASE $db CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"
trap 'mariadb -uroot --socket="$svc/mysql.sock" -e "DROP DATABASE IF EXISTS $db" || true' EXIT
redis_addr=$TENDERHALL_TEST_REDIS
redis-cli -h "${redis_addr%:*}" -p "${redis_addr##*:}" -n 5 flushdb >/dev/null
minio=${TENDERHALL_TEST_MINIO#http://}
creds=${minio%@*}
echo "== demo play on MariaDB, Redis and MinIO"
TENDERHALL_DATABASE_DSN="mysql:${TENDERHALL_TEST_MYSQL_DSN%/}/$db" \
TENDERHALL_DATABASE_AUTO_MIGRATE=true \
TENDERHALL_SECURITY_FIELD_KEY=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n') \
TENDERHALL_BLOBS_KIND=minio TENDERHALL_MINIO_ENDPOINT=${minio#*@} \
TENDERHALL_MINIO_ACCESS_KEY=${creds%%:*} TENDERHALL_MINIO_SECRET_KEY=${creds#*:} TENDERHALL_MINIO_BUCKET="th-play-$$" \
TENDERHALL_JOBS_KIND=asynq TENDERHALL_REDIS_ADDR=$redis_addr TENDERHALL_REDIS_DB=5 \
  "$bin" demo play | tail -n 4
