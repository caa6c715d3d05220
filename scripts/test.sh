#!/usr/bin/env bash
# Every test: the Rust test suite, then the Slurm check (a single-node Slurm cluster runs the
# bundled scenarios as a job array of shards; their merge must equal the unsharded run).
# CI runs exactly this, via .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo test --release
bash scripts/slurm_check.sh
