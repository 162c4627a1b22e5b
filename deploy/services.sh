#!/usr/bin/env bash
# Starts or stops the real servers the integration suites run against —
# MariaDB, Redis and MinIO — on 127.0.0.1 with data under one temporary
# directory. Installs what is missing (apt for MariaDB and Redis, go install
# for MinIO, cached in $GOBIN or ~/go/bin).
#
#   deploy/services.sh start DIR   # starts all three, writes DIR/env
#   deploy/services.sh stop DIR    # stops what start started, by PID
#
# DIR/env holds the TENDERHALL_TEST_* variables the suites read.
set -euo pipefail

MINIO_VERSION=v0.0.0-20260212201848-7aac2a2c5b7c
MYSQL_PORT=${TH_MYSQL_PORT:-33306}
REDIS_PORT=${TH_REDIS_PORT:-36379}
MINIO_PORT=${TH_MINIO_PORT:-39000}

log() { printf '[services] %s\n' "$*" >&2; }

install_missing() {
  local pkgs=()
  command -v mariadbd >/dev/null 2>&1 || [ -x /usr/sbin/mariadbd ] || pkgs+=(mariadb-server)
  command -v redis-server >/dev/null 2>&1 || pkgs+=(redis-server)
  command -v ffmpeg >/dev/null 2>&1 || pkgs+=(ffmpeg) # the cameras of the video suites
  if [ ${#pkgs[@]} -gt 0 ]; then
    log "installing ${pkgs[*]} with apt"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${pkgs[@]}" >/dev/null
  fi
}

minio_bin() {
  local gobin; gobin=$(go env GOBIN); [ -n "$gobin" ] || gobin="$(go env GOPATH)/bin"
  if [ ! -x "$gobin/minio" ]; then
    log "building MinIO $MINIO_VERSION with go install (a few minutes, cached afterwards)"
    go install "github.com/minio/minio@$MINIO_VERSION"
  fi
  echo "$gobin/minio"
}

wait_for() { # name, command...
  local name=$1; shift
  for _ in $(seq 1 120); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.5
  done
  log "$name did not come up"; return 1
}

start() {
  local dir=$1
  mkdir -p "$dir"
  install_missing
  local minio; minio=$(minio_bin)

  log "starting MariaDB on 127.0.0.1:$MYSQL_PORT"
  mariadb-install-db --user=root --datadir="$dir/mysql" --auth-root-authentication-method=normal >"$dir/mariadb-install.log" 2>&1
  mariadbd --user=root --datadir="$dir/mysql" --socket="$dir/mysql.sock" --port="$MYSQL_PORT" \
    --bind-address=127.0.0.1 --skip-name-resolve --innodb-buffer-pool-size=128M >"$dir/mariadb.log" 2>&1 &
  echo $! >"$dir/mariadb.pid"
  wait_for MariaDB mariadb -uroot --socket="$dir/mysql.sock" -e 'SELECT 1'
  mariadb -uroot --socket="$dir/mysql.sock" -e "CREATE USER IF NOT EXISTS 'tenderhall'@'127.0.0.1' IDENTIFIED BY 'th-test-pw'; GRANT ALL ON *.* TO 'tenderhall'@'127.0.0.1';"

  log "starting Redis on 127.0.0.1:$REDIS_PORT"
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --dir "$dir" >"$dir/redis.log" 2>&1 &
  echo $! >"$dir/redis.pid"
  wait_for Redis redis-cli -p "$REDIS_PORT" ping

  log "starting MinIO on 127.0.0.1:$MINIO_PORT"
  MINIO_ROOT_USER=thminio MINIO_ROOT_PASSWORD=thminio-secret-123 MINIO_BROWSER=off \
    "$minio" server "$dir/minio-data" --address "127.0.0.1:$MINIO_PORT" --quiet >"$dir/minio.log" 2>&1 &
  echo $! >"$dir/minio.pid"
  wait_for MinIO curl -sf "http://127.0.0.1:$MINIO_PORT/minio/health/ready"

  cat >"$dir/env" <<ENV
export TENDERHALL_TEST_MYSQL_DSN='tenderhall:th-test-pw@tcp(127.0.0.1:$MYSQL_PORT)/'
export TENDERHALL_TEST_REDIS='127.0.0.1:$REDIS_PORT'
export TENDERHALL_TEST_MINIO='http://thminio:thminio-secret-123@127.0.0.1:$MINIO_PORT'
ENV
  log "servers up; variables in $dir/env"
}

stop() {
  local dir=$1
  for name in minio redis mariadb; do
    local pidfile="$dir/$name.pid"
    [ -f "$pidfile" ] || continue
    local pid; pid=$(cat "$pidfile")
    if kill "$pid" 2>/dev/null; then
      for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
      kill -9 "$pid" 2>/dev/null || true
      log "stopped $name (pid $pid)"
    fi
    rm -f "$pidfile"
  done
}

case "${1:-}" in
  start) start "${2:?usage: $0 start DIR}" ;;
  stop) stop "${2:?usage: $0 stop DIR}" ;;
  *) echo "usage: $0 start|stop DIR" >&2; exit 2 ;;
esac
