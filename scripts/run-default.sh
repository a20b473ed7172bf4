#!/usr/bin/env bash
# Sets replisim up and runs the default experiment: MongoDB-style
# leader-follower on the shipped three-datacenter WAN (9 nodes in 3 replica
# sets, one per datacenter; a client in each), w:majority, 20% reads from the
# nearest replica. Writes DIR/{ops,roles,summary}.csv and DIR/{latency_cdf,roles}.png
# (DIR defaults to out/default).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
out=${1:-out/default}
build/replisim run --model leader-follower --platform platforms/three_dc_wan.xml --rf 3 \
  --write-concern majority --ops 10000 --clients 3 --concurrency 2 --read-ratio 0.2 --read-from nearest \
  --out "$out"
/usr/bin/python3 analysis/plot_run.py "$out"
