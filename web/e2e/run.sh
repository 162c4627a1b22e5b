#!/usr/bin/env bash
# The browser suite: the real binary ($1, default bin/tenderhall) in sandbox
# mode, Debian's Chromium (installed with apt when missing, never a
# downloaded browser) and a Chinese font so that screenshots show Chinese.
# Screenshots go to test-output/e2e/. ffmpeg films the opening hall (video).
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=$(realpath "${1:-bin/tenderhall}")
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v ffmpeg >/dev/null || missing+=(ffmpeg) # the simulated room camera of e2e/video.test.mjs
fc-list :lang=zh 2>/dev/null | grep -q . || missing+=(fonts-wqy-microhei)
if [ ${#missing[@]} -gt 0 ]; then
  echo "== e2e: apt-get install ${missing[*]}"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
web/build.sh deps
export TENDERHALL_BIN=$BIN E2E_OUTPUT=$PWD/test-output/e2e
rm -rf "$E2E_OUTPUT"
cd web
node --test --test-concurrency=1 --test-timeout=600000 e2e/
