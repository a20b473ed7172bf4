#!/usr/bin/env bash
# Sets replisim up (Debian packages, Release build with tests) and runs every
# test through ctest. Extra arguments go to ctest (e.g. -R Cli).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
ctest --test-dir "${BUILD_DIR:-build}" --output-on-failure -j "$(nproc)" "$@"
