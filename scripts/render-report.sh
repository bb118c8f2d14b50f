#!/usr/bin/env bash
# Renders the HTML report of examples/ to PNG screenshots with headless Chromium (Debian's
# `chromium` package, with `fonts-noto-cjk` for the Chinese text), so a person can look at it.
# Usage: scripts/render-report.sh [OUTDIR] [LANG]   (default: /tmp/check-report, zh)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-/tmp/check-report}
lang=${2:-zh}
mkdir -p "$out"

if ! command -v chromium >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null
    else
        echo "render-report: needs chromium and fonts-noto-cjk (apt-get install chromium fonts-noto-cjk)" >&2
        exit 2
    fi
fi

swift build >/dev/null
set +e
.build/debug/check --format html --lang "$lang" --output "$out/report.html" examples/
set -e
for size in 1280x2200 1280x9000; do
    chromium --headless=new --no-sandbox --disable-gpu --hide-scrollbars --force-device-scale-factor=1 \
        --window-size="${size/x/,}" --screenshot="$out/report-$size.png" "file://$out/report.html" 2>/dev/null
done
chromium --headless=new --no-sandbox --disable-gpu --no-pdf-header-footer --print-to-pdf="$out/report.pdf" "file://$out/report.html" 2>/dev/null
ls -l "$out"
