#!/bin/sh
# Renders a run folder's report.html with headless Chromium into a PNG (a visual check of the
# page: tables, charts, fonts). Not part of the tests or CI: needs chromium. The PNG is written
# outside the run folder, whose manifest lists its files.
#   scripts/screenshot.sh output/qls4131_escalation [OUT.png] [WIDTHxHEIGHT]
set -eu
dir=${1:?usage: scripts/screenshot.sh RUN_FOLDER [OUT.png] [WIDTHxHEIGHT]}
out=${2:-$(basename "$dir")-report.png}
size=${3:-1280x6000}
page="$dir/report.html"
[ -f "$page" ] || { echo "no $page: run trialsim first" >&2; exit 1; }
browser=""
for b in chromium chromium-browser google-chrome google-chrome-stable headless_shell; do
    if command -v "$b" >/dev/null 2>&1; then browser=$b; break; fi
done
[ -n "$browser" ] || { echo "chromium is not installed: skipped" >&2; exit 0; }
abs=$(cd "$dir" && pwd)
"$browser" --headless --disable-gpu --no-sandbox --hide-scrollbars \
    --window-size="$(echo "$size" | tr x ,)" \
    --screenshot="$(cd "$(dirname "$out")" && pwd)/$(basename "$out")" "file://$abs/report.html" >/dev/null 2>&1
echo "wrote $out"
