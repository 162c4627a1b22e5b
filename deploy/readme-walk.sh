#!/usr/bin/env bash
# Runs the README's walk-through as written, on a fresh clone of HEAD:
# the block tagged `sh walk-through:server` (make run ARGS=--demo) in the
# background, then the block tagged `sh walk-through` in a shell that stops
# at the first failing command, then `make sandbox` on the same clone (the
# README's second server must start after the first). It fails when a
# README command breaks. Only the steps the README leaves to the reader are
# done here: saving the printed passwords and putting two documents in walk/.
#
#   deploy/readme-walk.sh            # uses 127.0.0.1:8080, as the README does
#
# The web app already built in this checkout (web/dist/app) is copied into
# the clone, when there is one, so that make run does not rebuild it.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
log() { printf '[readme-walk] %s\n' "$*" >&2; }

need_tools() {
  local pkgs=()
  command -v jq >/dev/null 2>&1 || pkgs+=(jq)
  command -v openssl >/dev/null 2>&1 || pkgs+=(openssl)
  command -v curl >/dev/null 2>&1 || pkgs+=(curl)
  if [ ${#pkgs[@]} -gt 0 ]; then
    log "installing ${pkgs[*]} with apt (the walk-through uses them)"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${pkgs[@]}" >/dev/null
  fi
}

# block TAG prints the README's fenced block opened by "```sh TAG".
block() {
  awk -v open="\`\`\`sh $1" '$0 == open {on = 1; next} on && /^```/ {exit} on {print}' "$clone/README.md"
}

tmp=$(mktemp -d /tmp/tenderhall-readme.XXXXXX)
clone="$tmp/clone"
server_pid=""

stop_server() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -- "-$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  server_pid=""
}
cleanup() { stop_server; rm -rf "$tmp"; }
trap cleanup EXIT

# serve CMD LOG starts CMD in its own process group in the clone and waits
# until /readyz answers 200, failing if the server exits first.
serve() {
  local cmd=$1 out=$2
  (cd "$clone" && exec setsid bash -c "$cmd") >"$out" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 600); do
    if curl -sf http://127.0.0.1:8080/readyz >/dev/null 2>&1; then return 0; fi
    if ! kill -0 "$server_pid" 2>/dev/null; then
      log "\`$cmd\` exited before it was ready:"; tail_log "$out"; return 1
    fi
    sleep 0.5
  done
  log "\`$cmd\` not ready after 5 minutes:"; tail_log "$out"; return 1
}

# tail_log FILE shows the end of a server's output without the demo
# logins it printed (passwords do not belong in a CI log).
tail_log() { grep -v '^  \[' "$1" | tail -n 30 >&2; }

# password USER prints the password the demo printed for USER.
password() {
  awk -v u="$1" '$2 == u {print $3; exit}' "$tmp/server.log"
}

need_tools
if curl -s -o /dev/null http://127.0.0.1:8080/ 2>/dev/null; then
  log "127.0.0.1:8080 is taken: the README's server needs it; stop what listens there"; exit 1
fi
if [ -n "$(git -C "$repo" status --porcelain --untracked-files=no)" ]; then
  log "note: uncommitted changes are not walked; this clones HEAD"
fi
git clone -q "$repo" "$clone"
if [ -f "$repo/web/dist/app/index.html" ]; then
  mkdir -p "$clone/web/dist"; cp -r "$repo/web/dist/app" "$clone/web/dist/app"
fi
export XDG_CONFIG_HOME="$tmp/config"  # the walk's login and log state, not the user's
unset TENDERHALL_TOKEN TENDERHALL_LOGIN_FILE TENDERHALL_PASSWORD

server_cmd=$(block walk-through:server)
walk_cmds=$(block walk-through)
[ -n "$server_cmd" ] || { log "README.md has no \`\`\`sh walk-through:server block"; exit 1; }
[ -n "$walk_cmds" ] || { log "README.md has no \`\`\`sh walk-through block"; exit 1; }

log "server: $server_cmd"
serve "$server_cmd" "$tmp/server.log"
mkdir -p "$clone/walk"
for u in demo-bidder1:bidder-pw.txt demo-supervisor:supervisor-pw.txt; do
  pw=$(password "${u%%:*}")
  [ -n "$pw" ] || { log "the server printed no password for ${u%%:*}"; exit 1; }
  printf '%s\n' "$pw" >"$clone/walk/${u#*:}"
done
head -c 300000 /dev/urandom >"$clone/walk/技术标.pdf"
head -c 20000 /dev/urandom >"$clone/walk/商务标.pdf"

log "walk-through: $(printf '%s\n' "$walk_cmds" | grep -cv '^\s*#') lines"
if ! (cd "$clone" && bash -euo pipefail -x -c "$walk_cmds"); then
  log "a README walk-through command failed (above); the server's last lines:"
  tail_log "$tmp/server.log"
  exit 1
fi
stop_server

log "then make sandbox, on the same clone"
serve "make sandbox" "$tmp/sandbox.log"
if ! curl -sfi http://127.0.0.1:8080/api/v1/time | grep -qi '^X-TenderHall-Sandbox: true'; then
  log "make sandbox serves, but not as a sandbox"; exit 1
fi
stop_server
log "OK: every README walk-through command worked as written"
