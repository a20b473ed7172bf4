#!/usr/bin/env bash
# A replisim sweep as a Slurm job array on a real single-node Slurm, against
# the same sweep on one machine.
#
#   tests/slurm/slurm_sweep_test.sh [REPLISIM]      (default build/replisim; run as root)
#
# Installs slurm-wlm and munge if missing (apt-get), starts munged, slurmctld
# and slurmd on this machine (as a single-node Slurm is run without systemd:
# background daemons with pid files), submits
# experiments/sweep/sweep.sbatch as a 3-task array with sbatch --parsable,
# polls squeue, merges the shards, and compares the merged summary.csv with a
# one-machine `replisim sweep` of the same spec: byte-identical but for the
# wall_s column. Stops the daemons it started and restores any slurm.conf it
# replaced. Exit 0: same CSV; 1: not (or Slurm did not run the array).
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$PWD
replisim=$(realpath "${1:-build/replisim}")
started=$(date +%s.%N)

log() { echo "slurm_sweep_test: $*" >&2; }
die() { log "FAIL: $*"; exit 1; }
[ "$(id -u)" -eq 0 ] || die "needs root (it installs and starts Slurm)"
[ -x "$replisim" ] || die "no replisim binary at $replisim (build first, or pass its path)"

# --- install ---------------------------------------------------------------
if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null || ! command -v munged >/dev/null; then
  log "installing slurm-wlm and munge"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq --no-install-recommends slurm-wlm munge >/dev/null ||
    { apt-get update -qq && apt-get install -y -qq --no-install-recommends slurm-wlm munge >/dev/null; }
fi

work=$(mktemp -d /tmp/replisim-slurm-XXXXXX)
node=$(uname -n | cut -d. -f1)
conf=/etc/slurm/slurm.conf
started_munge=0
job=""

alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

stop_daemons() {  # stop_daemons PIDFILE...: SIGTERM all at once, SIGKILL what is left after 10 s
  local pids=() pid i
  for pidfile in "$@"; do [ -f "$pidfile" ] && pids+=("$(cat "$pidfile")"); done
  ((${#pids[@]})) || return 0
  kill -TERM "${pids[@]}" 2>/dev/null || true
  for i in $(seq 100); do
    kill -0 "${pids[@]}" 2>/dev/null || return 0  # true while any is alive
    sleep 0.1
  done
  kill -KILL "${pids[@]}" 2>/dev/null || true
}

cleanup() {
  [ -n "$job" ] && scancel "$job" 2>/dev/null || true
  local daemons=(/run/slurmd.pid /run/slurmctld.pid)
  [ "$started_munge" = 1 ] && daemons+=(/run/munge/munged.pid)
  stop_daemons "${daemons[@]}"
  if [ -f "$work/slurm.conf.before" ]; then cp "$work/slurm.conf.before" "$conf"; else rm -f "$conf"; fi
  rm -rf "$work"
}

if alive /run/slurmctld.pid || alive /run/slurmd.pid; then
  die "a Slurm is already running on this machine; not touching it"
fi
[ -f "$conf" ] && cp "$conf" "$work/slurm.conf.before"
trap cleanup EXIT

# --- munge ------------------------------------------------------------------
if ! munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
  [ -f /etc/munge/munge.key ] || mungekey --create
  chown munge:munge /etc/munge /etc/munge/munge.key
  chmod 0700 /etc/munge
  chmod 0600 /etc/munge/munge.key
  install -d -o munge -g munge -m 0755 /run/munge
  setpriv --reuid=munge --regid=munge --init-groups munged
  started_munge=1
  munge -n | unmunge >/dev/null || die "munged does not answer"
fi

# --- slurm.conf: one node, this machine ------------------------------------
rm -rf /var/spool/slurmctld /var/spool/slurmd
mkdir -p /var/spool/slurmctld /var/spool/slurmd /var/log/slurm /etc/slurm
layout=$(slurmd -C | head -n1 | tr ' ' '\n' | grep -E '^(CPUs|Boards|SocketsPerBoard|CoresPerSocket|ThreadsPerCore)=' | tr '\n' ' ')
memory=$(awk '/MemTotal/ { printf "%d", $2 / 1024 * 0.9 }' /proc/meminfo)
cat > "$conf" <<CONF
ClusterName=replisim-test
SlurmctldHost=$node(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
JobAcctGatherType=jobacct_gather/none
ReturnToService=2
MailProg=/bin/true
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd.pid
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
NodeName=$node NodeAddr=127.0.0.1 $layout RealMemory=$memory State=UNKNOWN
PartitionName=main Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF

# --- daemons ----------------------------------------------------------------
wait_for() {  # wait_for SECONDS WHAT COMMAND...: until COMMAND succeeds
  local seconds=$1 what=$2 i
  shift 2
  for i in $(seq $((seconds * 10))); do "$@" && return 0; sleep 0.1; done
  die "$what did not come up in ${seconds} s"
}
slurmctld -i
wait_for 30 slurmctld bash -c 'scontrol ping 2>/dev/null | grep -q UP'
slurmd
wait_for 30 slurmd bash -c "[ \"\$(sinfo -h -n $node -o %T 2>/dev/null)\" = idle ]"
log "slurm up on $node ($layout)"

# --- the sweep: 2 models x 3 node counts x 2 seeds = 12 jobs, 3 shards ------
cat > "$work/spec.toml" <<'SPEC'
[sweep]
name = "slurm-test"
seeds = [1, 2]

[fixed]
ops = 500
clients = 2
latency = "2ms"

[axes]
model = ["leader-follower", "partitioned"]
nodes = [3, 6, 9]
SPEC

job=$(sbatch --parsable --array=1-3 --cpus-per-task=1 -o "$work/task-%A_%a.out" --chdir="$work" \
  "$repo/experiments/sweep/sweep.sbatch" "$work/spec.toml" "$work/shards" "$replisim")
job=${job%%;*}
log "submitted array job $job"

"$replisim" sweep "$work/spec.toml" --out "$work/one" --jobs 2 2>/dev/null || die "the one-machine sweep failed"

deadline=$(($(date +%s) + 300))
while :; do
  if pending=$(squeue -h -j "$job" -t PD,CF,R,CG,S 2>/dev/null); then
    [ -z "$pending" ] && break
  fi
  [ "$(date +%s)" -lt "$deadline" ] || die "the array did not finish in 300 s"
  sleep 0.5
done
states=$(scontrol -o show job "$job" | grep -o 'JobState=[A-Z_]*' | sort | uniq -c | tr -s ' ')
log "array tasks:$states"
if echo "$states" | grep -v -q 'JobState=COMPLETED'; then
  cat "$work"/task-*.out >&2 || true
  die "not every array task COMPLETED"
fi

"$replisim" merge "$work"/shards/shard-* --out "$work/merged.csv" || die "merge failed"

# summary.csv without its wall_s column (the one that differs between runs).
without_wall() {
  awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "wall_s") w = i }
           { if (w) $w = ""; print }' OFS=, "$1"
}
if ! diff <(without_wall "$work/one/summary.csv") <(without_wall "$work/merged.csv") >&2; then
  die "the merged shards differ from the one-machine sweep"
fi
rows=$(($(wc -l < "$work/merged.csv") - 1))
[ "$rows" -eq 12 ] || die "expected 12 rows, got $rows"
log "PASS: 3 Slurm array tasks merged to the one-machine summary.csv ($rows rows) in $(awk -v a="$started" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s"
