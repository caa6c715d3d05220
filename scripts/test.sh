#!/usr/bin/env bash
# Every test: formatting and lints (cargo fmt --check, cargo clippy with warnings as errors), the Rust
# test suite, then the Slurm check (a single-node Slurm cluster runs the
# bundled scenarios as a job array of shards; their merge must equal the unsharded run).
# CI runs exactly this, via .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo fmt --all -- --check
cargo clippy --all-targets -- -D warnings
cargo test --release
bash scripts/slurm_check.sh
