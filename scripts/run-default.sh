#!/usr/bin/env bash
# Sets replisim up and runs the default experiment: the sweep in
# experiments/default.toml (every model, stars of 3 to 12 nodes, 1 and 5 ms
# links, two seeds) on every core, then plots it. Writes DIR/summary.csv,
# DIR/latency_vs_nodes.png and DIR/leader_imbalance.png (DIR: out/default).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
out=${1:-out/default}
build/replisim sweep experiments/default.toml --out "$out"
/usr/bin/python3 analysis/plot_sweep.py "$out/summary.csv" --x nodes --y write_p99_ms --hue model \
  --facet latency_ms -o "$out/latency_vs_nodes.png"
/usr/bin/python3 analysis/plot_imbalance.py "$out/summary.csv" -o "$out/leader_imbalance.png"
