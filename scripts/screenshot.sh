#!/bin/sh
# Renders a run folder's report.html with headless Chromium into a PNG (a visual check of the
# page: tables, charts, fonts). Not part of the tests or CI: needs Chromium (found on PATH, or
# named by CHROMIUM=...); without it the script fails, saying so. The PNG is written outside the
# run folder, whose manifest lists its files.
#   scripts/screenshot.sh output/qls4131_escalation [OUT.png] [WIDTHxHEIGHT]
set -eu
dir=${1:?usage: scripts/screenshot.sh RUN_FOLDER [OUT.png] [WIDTHxHEIGHT]}
out=${2:-$(basename "$dir")-report.png}
size=${3:-1280x6000}
page="$dir/report.html"
[ -f "$page" ] || { echo "no $page: run trialsim first" >&2; exit 1; }
searched="chromium chromium-browser google-chrome google-chrome-stable headless_shell"
if [ -n "${CHROMIUM:-}" ]; then
    browser=$CHROMIUM
    command -v "$browser" >/dev/null 2>&1 || {
        echo "screenshot.sh: CHROMIUM=$browser is not an executable: no screenshot taken" >&2
        exit 1
    }
else
    browser=""
    for b in $searched; do
        if command -v "$b" >/dev/null 2>&1; then browser=$b; break; fi
    done
fi
[ -n "$browser" ] || {
    echo "screenshot.sh: headless Chromium is needed and none was found on PATH (looked for: $searched): no screenshot taken. Install one (e.g. apt-get install chromium) or set CHROMIUM=/path/to/chrome." >&2
    exit 1
}
abs=$(cd "$dir" && pwd)
"$browser" --headless --disable-gpu --no-sandbox --hide-scrollbars \
    --window-size="$(echo "$size" | tr x ,)" \
    --screenshot="$(cd "$(dirname "$out")" && pwd)/$(basename "$out")" "file://$abs/report.html" >/dev/null 2>&1
echo "wrote $out"
