#!/usr/bin/env bash
# Reruns every parity comparison of tests/fixtures/parity/ (trialsim against the reference numbers
# stored there; R is not needed) and replaces the README's parity table, between the markers
# <!-- parity:begin --> and <!-- parity:end -->, with the table the test writes.
# Usage: scripts/parity.sh   (from anywhere in the repository; leaves README.md unchanged if a
# comparison fails)
set -euo pipefail
cd "$(dirname "$0")/.."
readme=README.md
grep -q '^<!-- parity:begin -->$' "$readme" && grep -q '^<!-- parity:end -->$' "$readme" || {
    echo "parity.sh: $readme lacks the <!-- parity:begin --> / <!-- parity:end --> markers" >&2
    exit 1
}
table=$(mktemp)
trap 'rm -f "$table" "$readme.parity.tmp"' EXIT
PARITY_TABLE="$table" cargo test --release --test integration parity_with_reference_software -- --nocapture
[ -s "$table" ] || { echo "parity.sh: the test wrote no table" >&2; exit 1; }
awk -v table="$table" '
    /^<!-- parity:begin -->$/ { print; while ((getline line < table) > 0) print line; skip = 1; next }
    /^<!-- parity:end -->$/ { skip = 0 }
    !skip { print }
' "$readme" > "$readme.parity.tmp"
mv "$readme.parity.tmp" "$readme"
echo "parity.sh: $readme's parity table updated ($(grep -c '^| ' "$table") lines)"
