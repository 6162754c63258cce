#!/usr/bin/env bash
# Make sure the Debian packages the tests and features need are here:
#   chromium + fonts-noto-cjk  real-browser tests (and Chinese in screenshots and PDFs)
#   ffmpeg                     video transcoding (newsroom video uploads)
#   libpangoft2-1.0-0          PDF rendering of 问政 documents (WeasyPrint)
#   nginx + libnginx-mod-rtmp  the production front door (micro-cache bench) and live ingest
#   wrk                        the compiled load generator of `rongmei bench --via-nginx`
# Installs them with apt when run as root; otherwise explains what is missing.
set -euo pipefail
need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
fc-list 2>/dev/null | grep -qi "noto.*cjk" || need+=(fonts-noto-cjk)
command -v ffmpeg >/dev/null || need+=(ffmpeg)
ldconfig -p 2>/dev/null | grep -q libpangoft2-1.0 || need+=(libpangoft2-1.0-0)
[ -x /usr/sbin/nginx ] || need+=(nginx)
[ -e /usr/lib/nginx/modules/ngx_rtmp_module.so ] || need+=(libnginx-mod-rtmp)
command -v wrk >/dev/null || need+=(wrk)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
  echo "Installing ${need[*]}..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
else
  echo "Missing system packages: ${need[*]} (e.g. sudo apt-get install ${need[*]})." >&2
  echo "Without them the tests that need them are skipped locally; CI (RONGMEI_REQUIRE_BROWSER=1) fails." >&2
fi
