#!/usr/bin/env python3
"""The reference runs: a fixed set of small runs and sweeps covering every
model, faults, elections, costs and the library example, whose CSV files
(wall-clock columns left out) must hash to the values committed beside this
script. A change that only moves or renames code keeps every hash; one that
means to change results says so and re-blesses them (--bless), and its
commit says why.

  reference_runs.py REPLISIM [--embed EMBED] [--bless] [--only NAME]

Inputs (platforms, fault files, specs) are copied into a scratch folder under
fixed names, so outputs that echo an input's path do not change when the
input moves in the repository. The scratch folder is removed on every exit.
"""
import argparse
import csv
import hashlib
import io
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
EXPECTED = HERE / "expected.sha256"

# Columns that measure the machine, not the simulation.
WALL_CLOCK = {"wall_s", "wall_ms", "started_at", "finished_at"}

FAULTS = {
    "crash-node1.toml": '[[crash]]\nnode = 1\nat = "1s"\nrecover = "3s"\n',
    "crash-leader.toml": '[[crash]]\nnode = 0\nat = "2s:2.15s"\n',
    "crash-most-leaders.toml": '[[crash]]\nnode = "most-leaders"\nat = "2s"\nrecover = "8s"\n',
    "partition-zones.toml": ('[[partition]]\nsides = [["us-east"], ["us-west", "eu-west"]]\n'
                             'from = "1s"\nuntil = "3s"\n'),
    "pause-leader.toml": '[[pause]]\nnode = "most-leaders"\nat = "3s:3.1s"\nresume = "9s"\n',
    "crash-and-link.toml": ('[[crash]]\nnode = 2\nat = "1s"\nrecover = "2.5s"\n'
                            '[[link]]\nlink = "node4-link"\ndown = "1.5s"\nup = "2s"\n'),
}

SWEEP = """[sweep]
name = "reference"
combine = "product"
seeds = [1, 2]
[fixed]
nodes = 6
rf = 3
units = 12
ops = 400
latency = "1ms"
read-ratio = 0.2
[axes]
model = ["leader-follower", "partitioned", "leaderless", "multi-leader", "chain"]
"""

STAR = ["--latency", "1ms", "--ops", "1500", "--seed", "7"]
WAN = ["--platform", "three_dc_wan.xml"]
COSTS = ["--service", "client=exp:0.5ms write=exp:0.2ms ack=exp:0.05ms read=exp:0.2ms response=exp:0.05ms",
         "--threads", "2", "--sync-writes"]

# name -> the arguments of `replisim`; run outputs go to OUT.
RUNS = {
    "lf-majority": ["run", "--model", "leader-follower", "--nodes", "9", "--rf", "3", "--write-concern",
                    "majority", "--read-ratio", "0.3", "--read-from", "nearest", *STAR],
    "lf-wan": ["run", "--model", "leader-follower", *WAN, "--rf", "3", "--ops", "1000", "--clients", "3",
               "--concurrency", "2", "--read-ratio", "0.2", "--read-from", "secondary", "--key-dist", "zipfian"],
    "partitioned": ["run", "--model", "partitioned", "--nodes", "6", "--units", "12", "--rf", "3", "--acks", "all",
                    "--min-insync", "2", "--read-ratio", "0.3", "--read-from", "follower", *STAR],
    "partitioned-wan": ["run", "--model", "partitioned", *WAN, "--units", "9", "--rf", "3", "--acks", "1",
                        "--ops", "1000"],
    "leaderless-delays": ["run", "--model", "leaderless", "--nodes", "6", "--rf", "3", "--consistency", "ONE",
                          "--read-consistency", "ONE", "--read-ratio", "0.5", "--delay", "write=exp:2ms",
                          "--delay", "ack=pareto:0.2ms:3", "--read-path", "all", "--read-repair",
                          *STAR],
    "leaderless-wan": ["run", "--model", "leaderless", *WAN, "--strategy", "network-topology", "--rf", "2",
                       "--consistency", "LOCAL_QUORUM", "--read-consistency", "EACH_QUORUM", "--coordinator",
                       "local", "--read-ratio", "0.3", "--ops", "1000"],
    "multi-leader-wan": ["run", "--model", "multi-leader", *WAN, "--ops", "1500", "--keys", "20",
                         "--read-ratio", "0.2", "--replication-interval", "10ms"],
    "chain-craq": ["run", "--model", "chain", "--nodes", "6", "--units", "6", "--rf", "3", "--chain-reads",
                   "craq", "--read-ratio", "0.5", *STAR],
    "costs-lf": ["run", "--model", "leader-follower", "--nodes", "6", "--rf", "3", "--rate", "300", *COSTS, *STAR],
    "costs-leaderless": ["run", "--model", "leaderless", "--nodes", "6", "--rf", "3", "--consistency", "QUORUM",
                         "--read-consistency", "QUORUM", "--read-ratio", "0.2", "--rate", "300", *COSTS, *STAR],
    "raft-crash": ["run", "--model", "leader-follower", "--nodes", "5", "--rf", "5", "--failover", "raft",
                   "--faults", "crash-leader.toml", "--election-timeout", "150ms:300ms", "--latency", "1ms",
                   "--clients", "1", "--rate", "50", "--ops", "250", "--check-invariants", "--retries", "3",
                   "--seed", "3"],
    "mongodb-crash": ["run", "--model", "leader-follower", "--nodes", "3", "--rf", "3", "--failover", "mongodb",
                      "--faults", "crash-leader.toml", "--latency", "5ms", "--clients", "1", "--rate", "40",
                      "--ops", "800", "--write-concern", "1", "--check-invariants", "--retries", "5"],
    # Seed 14: the lease of etcd's CheckQuorum splits the survivors' votes twice.
    "etcd-pause": ["run", "--model", "leader-follower", "--nodes", "3", "--rf", "3", "--failover", "etcd",
                   "--faults", "pause-leader.toml", "--latency", "25us", "--clients", "1", "--rate", "10",
                   "--ops", "100", "--check-invariants", "--seed", "14"],
    "kafka-crash": ["run", "--model", "partitioned", "--nodes", "6", "--units", "24", "--rf", "3",
                    "--failover", "kafka", "--acks", "all", "--min-insync", "2", "--faults",
                    "crash-most-leaders.toml", "--latency", "1ms", "--clients", "2", "--rate", "100",
                    "--ops", "2400", "--retries", "5", "--timeline-step", "500ms", "--check-invariants"],
    "lf-crash-none": ["run", "--model", "leader-follower", "--nodes", "6", "--rf", "3", "--write-concern", "1",
                      "--faults", "crash-and-link.toml", "--rate", "200", *STAR],
    "leaderless-hints": ["run", "--model", "leaderless", "--nodes", "6", "--rf", "3", "--consistency", "ONE",
                         "--read-ratio", "0.4", "--hinted-handoff", "--faults", "crash-node1.toml", "--rate", "200",
                         *STAR],
    "chain-crash": ["run", "--model", "chain", "--nodes", "6", "--units", "6", "--rf", "3", "--faults",
                    "crash-node1.toml", "--read-ratio", "0.3", "--rate", "200", "--retries", "3", *STAR],
    "multi-leader-partition": ["run", "--model", "multi-leader", *WAN, "--faults", "partition-zones.toml",
                               "--rate", "100", "--ops", "1200", "--keys", "30", "--read-ratio", "0.2"],
    "sweep": ["sweep", "sweep.toml", "--jobs", "2"],
}


def read_csv_without_wall_clock(path):
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    if not rows:
        return b""
    keep = [i for i, name in enumerate(rows[0]) if name not in WALL_CLOCK]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for row in rows:
        writer.writerow([row[i] for i in keep if i < len(row)])
    return out.getvalue().encode()


def digest_outputs(out_dir):
    """(relative file name, sha256) of every CSV under out_dir, sorted."""
    digests = []
    for path in sorted(out_dir.rglob("*.csv")):
        rel = path.relative_to(out_dir).as_posix()
        if rel.startswith("jobs/"):  # the sweep's per-job scratch, if any
            continue
        digests.append((rel, hashlib.sha256(read_csv_without_wall_clock(path)).hexdigest()))
    return digests


def prepare_inputs(scratch):
    shutil.copy(ROOT / "platforms" / "three_dc_wan.xml", scratch / "three_dc_wan.xml")
    for name, text in FAULTS.items():
        (scratch / name).write_text(text)
    (scratch / "sweep.toml").write_text(SWEEP)


def run_case(binary, name, args, scratch):
    out = scratch / "out" / name
    cmd = [binary, *args, "--out", str(out)]
    done = subprocess.run(cmd, cwd=scratch, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if done.returncode != 0:
        raise SystemExit(f"reference run {name} failed ({done.returncode}): {done.stderr.strip()}")
    return [(f"{name}/{rel}", h) for rel, h in digest_outputs(out)]


def run_embed(embed, scratch):
    done = subprocess.run([embed, str(ROOT / "examples" / "embed" / "platform.xml")], cwd=scratch,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if done.returncode != 0:
        raise SystemExit(f"reference run embed failed ({done.returncode}): {done.stderr.strip()}")
    return [("embed/stdout", hashlib.sha256(done.stdout.encode()).hexdigest())]


def load_expected():
    expected = {}
    for line in EXPECTED.read_text().splitlines():
        if line and not line.startswith("#"):
            name, digest = line.split()
            expected[name] = digest
    return expected


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("replisim")
    parser.add_argument("--embed", help="the examples/embed program, built against the library")
    parser.add_argument("--bless", action="store_true", help="write the hashes found as the expected ones")
    parser.add_argument("--only", action="append", help="run only this case (repeatable)")
    args = parser.parse_args()

    found = []
    with tempfile.TemporaryDirectory(prefix="replisim-reference-") as tmp:
        scratch = Path(tmp)
        prepare_inputs(scratch)
        for name, run_args in RUNS.items():
            if args.only and name not in args.only:
                continue
            found += run_case(str(Path(args.replisim).resolve()), name, run_args, scratch)
        if args.embed and (not args.only or "embed" in args.only):
            found += run_embed(str(Path(args.embed).resolve()), scratch)

    if args.bless:
        header = "# sha256 of each reference output, wall-clock columns left out (tests/reference/reference_runs.py)\n"
        EXPECTED.write_text(header + "".join(f"{n} {d}\n" for n, d in found))
        print(f"blessed {len(found)} outputs")
        return 0

    expected = load_expected()
    differ = [n for n, d in found if expected.get(n) != d]
    ran = {n.split("/")[0] for n, _ in found}
    missing = [n for n in expected if n.split("/")[0] in ran and n not in dict(found)]
    for n in differ:
        print(f"DIFFERS {n}" + ("" if n in expected else " (not in the expected hashes)"))
    for n in missing:
        print(f"MISSING {n}")
    print(f"{len(found) - len(differ)} passed, {len(differ) + len(missing)} failed")
    return 1 if differ or missing else 0


if __name__ == "__main__":
    sys.exit(main())
