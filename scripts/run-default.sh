#!/usr/bin/env bash
# Sets replisim up and runs the default experiment: the sweep in
# experiments/specs/default.toml (leader-follower, partitioned and leaderless on
# stars of 3 to 24 nodes whose nodes pay a processing cost per message, each at
# two open-loop loads: 1,500 ops/s offered, and 120,000 ops/s, far more than any
# of these clusters takes; two seeds) on every core, then plots it. Writes
# DIR/summary.csv, DIR/scaling.png (write p99 at the low load and capacity at
# the high one, against node count) and DIR/leader_imbalance.png (roles do not
# depend on the load: each placement counts once) (DIR: out/default).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
out=${1:-out/default}
build/replisim sweep experiments/specs/default.toml --out "$out"
/usr/bin/python3 analysis/plot_scaling.py "$out/summary.csv" -o "$out/scaling.png"
/usr/bin/python3 analysis/plot_imbalance.py "$out/summary.csv" -o "$out/leader_imbalance.png"
