#!/usr/bin/env bash
# Make sure Debian's headless Chromium (and CJK fonts, so screenshots show Chinese) are here
# for the real-browser tests. Installs them with apt when run as root; otherwise explains.
set -euo pipefail
need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
fc-list 2>/dev/null | grep -qi "noto.*cjk" || need+=(fonts-noto-cjk)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
  echo "Installing ${need[*]} for the browser tests..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq "${need[@]}" >/dev/null
else
  echo "Browser tests need: ${need[*]} (e.g. sudo apt-get install ${need[*]})." >&2
  echo "Without Chromium they are skipped locally; CI (RONGMEI_REQUIRE_BROWSER=1) fails." >&2
fi
