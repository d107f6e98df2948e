#!/usr/bin/env bash
# What `npm test` needs beyond npm: Debian's Chromium for the browser tests (playwright-core never
# downloads a browser) and poppler-utils (pdftotext, pdfinfo, pdftoppm) for the report tests.
# Installs what is missing when we are root on a Debian/Ubuntu machine; otherwise says what to do.
set -euo pipefail
CHROMIUM="${CRACKCAM_CHROMIUM:-/usr/bin/chromium}"
missing=()
[ -x "$CHROMIUM" ] || missing+=(chromium)
for tool in pdftotext pdfinfo pdftoppm; do
  if ! command -v "$tool" >/dev/null; then
    missing+=(poppler-utils)
    break
  fi
done
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
  echo "installing ${missing[*]} for the tests..." >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" >/dev/null
  exit 0
fi
echo "missing for the tests: ${missing[*]}: install (sudo apt-get install ${missing[*]})" \
  "or, for Chromium elsewhere, set CRACKCAM_CHROMIUM" >&2
exit 1
