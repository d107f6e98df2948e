#!/usr/bin/env bash
# Browser tests drive Debian's Chromium through playwright-core (which never downloads a browser).
# Installs it when missing and we are root; otherwise says what to do.
set -euo pipefail
CHROMIUM="${CRACKCAM_CHROMIUM:-/usr/bin/chromium}"
if [ -x "$CHROMIUM" ]; then exit 0; fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
  echo "installing Debian chromium for the browser tests..." >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq chromium >/dev/null
  exit 0
fi
echo "Chromium not found at $CHROMIUM: install it (sudo apt-get install chromium) or set CRACKCAM_CHROMIUM" >&2
exit 1
