#!/usr/bin/env bash
# Installs Debian packages that are missing, quietly: deploy/apt-install.sh ffmpeg …
set -euo pipefail
echo "== apt-get install $*"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
