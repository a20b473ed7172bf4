#!/usr/bin/env bash
# Sweep speed-up: the same 40-point sweep with --jobs 1 and --jobs N (default
# 2), in fresh directories; prints both wall times and the speed-up. Not a
# test: the figure depends on the machine and on what else runs on it.
#   experiments/bench/bench_sweep.sh [REPLISIM] [JOBS]     (REPLISIM: build/replisim)
# OPS (default 10000) sets the operations per point.
set -euo pipefail
replisim=${1:-build/replisim}
jobs=${2:-2}
ops=${OPS:-10000}
work=$(mktemp -d "${TMPDIR:-/tmp}/replisim-bench-sweep-XXXXXX")
trap 'rm -rf "$work"' EXIT

# 2 models x 20 node counts = 40 points, one seed each.
cat > "$work/bench.toml" <<SPEC
[sweep]
name = "bench-sweep"
seeds = [1]

[fixed]
ops = $ops
clients = 3
rf = 3

[axes]
model = ["leader-follower", "partitioned"]
nodes = [$(seq -s ', ' 3 22)]
SPEC

run() {  # run JOBS: prints the wall seconds of one sweep
  local start end
  start=$(date +%s.%N)
  "$replisim" sweep "$work/bench.toml" --out "$work/jobs-$1" --jobs "$1" 2>/dev/null
  end=$(date +%s.%N)
  awk -v a="$start" -v b="$end" 'BEGIN { print b - a }'
}

one=$(run 1)
many=$(run "$jobs")
printf 'sweep of 40 points, %s ops each, on %s cores\n' "$ops" "$(nproc)"
printf '  --jobs 1   %7.2f s\n' "$one"
printf '  --jobs %-3s %7.2f s\n' "$jobs" "$many"
printf '  speed-up   %7.2f\n' "$(awk -v a="$one" -v b="$many" 'BEGIN { print a / b }')"
