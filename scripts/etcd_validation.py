#!/usr/bin/python3
"""Failover of a real etcd against replisim's, on this machine.

Starts a real etcd cluster (Debian's etcd-server, 3.4) on loopback ports with
its data in memory (/dev/shm), and N times takes its leader away at a random
moment: killed (SIGKILL, then restarted from its data) or frozen (SIGSTOP for
longer than the election timeout and until another member is elected, then
SIGCONT). The time to a new leader is read
from etcd's structured logs (--logger=zap: the `became leader` line of the
member elected, millisecond timestamps) against the moment of the signal.
Then it runs replisim with the same parameters (--replisim-flags) over many
more seeds, with the same fault ([[crash]] or [[pause]] of the node leading,
at a random phase of the heartbeat), and compares the two distributions:
two-sample Kolmogorov-Smirnov test (statistic and asymptotic p-value),
medians with distribution-free confidence intervals, and the shares under
the election timeout and over twice it with Wilson intervals. It prints the
machine it ran on (CPU, cores, memory, kernel, Debian, etcd and Go, the load
before and after).

  /usr/bin/python3 scripts/etcd_validation.py --replisim build/replisim --trials 30
  ... --members 5 --heartbeat-ms 100 --election-ms 500
                  another cluster: the real one and replisim's side alike
                  (--replisim-flags overrides the latter)
  ... --plot cdf.png   both empirical CDFs of each fault on one panel
  ... --check     exits 1 unless the real cluster's data are sane (see check())
  ... --keep-logs DIR   copies the members' logs of a trial that elected no
                  leader into DIR (every other file the script writes goes)
  ... --etcd-csv trials.csv   the real trials of an earlier run's --csv (one or
                  more files, comma-separated), instead of running etcd again:
                  to set other replisim flags against the same real sample

Every process it starts and every file it writes are removed on every exit
path (an exception, SIGINT, SIGTERM, SIGHUP); etcd members also die with it if
it is killed outright (PR_SET_PDEATHSIG), and a later run removes the data
directory such a run left. Exit 77: etcd is not installed (a skip for ctest),
unless REPLISIM_REQUIRE_ETCD=1.
"""
import argparse
import bisect
import concurrent.futures
import csv
import ctypes
import datetime
import glob
import json
import math
import os
import random
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

SHM = "/dev/shm"
PREFIX = "replisim-etcd-"
# One client writing ten times a second (the fault_schedule's ops).
CLIENT_RATE = 10


def replisim_flags(members, heartbeat_ms, election_ms):
    """etcd's raft as its server runs it (--failover etcd), with the real
    cluster's members and timings; loopback's tens of microseconds a message."""
    return (f"--model leader-follower --nodes {members} --rf {members} --failover etcd "
            f"--heartbeat {heartbeat_ms}ms --election-timeout {election_ms}ms --latency 25us")


# etcd's defaults (heartbeat 100 ms, election timeout 1000 ms) on 3 members:
# the --members, --heartbeat-ms and --election-ms defaults.
DEFAULT_REPLISIM_FLAGS = replisim_flags(3, 100, 1000)
BECAME_LEADER = re.compile(r"([0-9a-f]+) became leader at term (\d+)")


class Failure(Exception):
    """The run could not go on: one line, exit 1."""


# ---------------------------------------------------------------- statistics

def quantile(sorted_values, q):
    """The q-quantile, linear between order statistics (numpy's default)."""
    if not sorted_values:
        return math.nan
    pos = q * (len(sorted_values) - 1)
    lo = math.floor(pos)
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (pos - lo)


def ks_two_sample(a, b):
    """The two-sample Kolmogorov-Smirnov statistic D = sup |F_a - F_b| and its
    asymptotic p-value, Q_KS((sqrt(ne) + 0.12 + 0.11 / sqrt(ne)) D) with
    ne = n m / (n + m) (Stephens 1970; Numerical Recipes 3rd ed., 14.3.3)."""
    a, b = sorted(a), sorted(b)
    d = 0.0
    for x in a + b:
        fa = bisect.bisect_right(a, x) / len(a)
        fb = bisect.bisect_right(b, x) / len(b)
        d = max(d, abs(fa - fb))
    ne = len(a) * len(b) / (len(a) + len(b))
    lam = (math.sqrt(ne) + 0.12 + 0.11 / math.sqrt(ne)) * d
    return d, q_ks(lam)


def q_ks(lam):
    """Q_KS(lambda) = 2 sum_{j>=1} (-1)^(j-1) exp(-2 j^2 lambda^2); 1 for small lambda."""
    if lam < 0.2:
        return 1.0
    total, sign = 0.0, 1.0
    for j in range(1, 101):
        term = sign * 2 * math.exp(-2 * j * j * lam * lam)
        total += term
        if abs(term) < 1e-12:
            break
        sign = -sign
    return min(1.0, max(0.0, total))


def median_ci(sorted_values, level=0.95):
    """A distribution-free interval for the median, of confidence at least
    `level`: the order statistics of ranks r and n + 1 - r, r the largest with
    P(Binomial(n, 1/2) < r) <= (1 - level) / 2 (the count of trials below the
    median is binomial whatever the distribution)."""
    n = len(sorted_values)
    tail, cdf, r = (1 - level) / 2, 0.0, 0
    while r < n and cdf + math.comb(n, r) / 2 ** n <= tail:
        cdf += math.comb(n, r) / 2 ** n
        r += 1
    r = max(r, 1)  # too few trials for the level: the whole range
    return sorted_values[r - 1], sorted_values[n - r]


def wilson(k, n, z=1.96):
    """Wilson's score interval for a share k / n."""
    if n == 0:
        return (0.0, 1.0)
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def overlap(a, b):
    return a[0] <= b[1] and b[0] <= a[1]


# ---------------------------------------------------------------- processes and files

class Cleanup:
    """Every process started and every directory made, undone on every exit path."""

    def __init__(self):
        self.procs = []
        self.dirs = []
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, self._on_signal)

    @staticmethod
    def _on_signal(signum, _frame):
        raise SystemExit(128 + signum)  # unwinds through every finally

    def directory(self, prefix):
        path = tempfile.mkdtemp(prefix=prefix, dir=SHM if os.path.isdir(SHM) else None)
        self.dirs.append(path)
        return path

    def popen(self, args, **kw):
        proc = subprocess.Popen(args, preexec_fn=die_with_parent, **kw)
        self.procs.append(proc)
        return proc

    def stop(self, proc):
        if proc.poll() is None:
            try:
                proc.send_signal(signal.SIGCONT)  # a frozen process cannot die of SIGTERM
                proc.kill()
            except ProcessLookupError:
                pass
        proc.wait()

    def close(self):
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, signal.SIG_IGN)  # no second signal halfway through
        for proc in self.procs:
            self.stop(proc)
        for path in self.dirs:
            shutil.rmtree(path, ignore_errors=True)
        left = [p.pid for p in self.procs if p.poll() is None] + [d for d in self.dirs if os.path.exists(d)]
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, signal.SIG_DFL)
        return left


def die_with_parent():
    """In the child: SIGKILL when the script dies, however it dies (prctl PR_SET_PDEATHSIG)."""
    libc = ctypes.CDLL("libc.so.6", use_errno=True)
    libc.prctl(1, signal.SIGKILL)


def running(pid):
    """Whether process `pid` is alive (a zombie, killed but not yet reaped, is not)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def remove_stale_directories():
    """Data directories of earlier runs that were killed outright (their process is gone)."""
    for path in glob.glob(os.path.join(SHM, PREFIX + "*")):
        m = re.match(PREFIX + r"(\d+)-", os.path.basename(path))
        if m and not running(int(m.group(1))):
            shutil.rmtree(path, ignore_errors=True)


def free_ports(count):
    """Ports nobody listens on now (the package's own service may hold 2379 and 2380)."""
    socks, ports = [], []
    for _ in range(count):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        socks.append(s)
        ports.append(s.getsockname()[1])
    for s in socks:
        s.close()
    return ports


def log_time(ts):
    """etcd's zap timestamp ("2026-12-06T00:56:25.327Z", UTC, milliseconds) in epoch seconds."""
    return datetime.datetime.strptime(ts, "%Y-%m-%dT%H:%M:%S.%f%z").timestamp()


# ---------------------------------------------------------------- the real cluster

class Member:
    def __init__(self, name, client_port, peer_port, data_dir):
        self.name, self.client_port, self.peer_port = name, client_port, peer_port
        self.data_dir = os.path.join(data_dir, name)
        self.log = os.path.join(data_dir, name + ".log")
        self.proc = None
        self.offset = 0  # of the log, read so far
        self.id = None   # etcd's member id (hex), from its log


class EtcdCluster:
    def __init__(self, cleanup, members, heartbeat_ms, election_ms, etcd="etcd"):
        self.cleanup, self.heartbeat_ms, self.election_ms, self.etcd = cleanup, heartbeat_ms, election_ms, etcd
        data = cleanup.directory(f"{PREFIX}{os.getpid()}-")
        ports = free_ports(2 * members)
        self.members = [Member(f"m{i}", ports[2 * i], ports[2 * i + 1], data) for i in range(members)]
        self.initial = ",".join(f"{m.name}=http://127.0.0.1:{m.peer_port}" for m in self.members)
        self.elections = []  # (epoch seconds, member, term), in the order read

    def start(self, m):
        args = [self.etcd, "--name", m.name, "--data-dir", m.data_dir,
                "--listen-client-urls", f"http://127.0.0.1:{m.client_port}",
                "--advertise-client-urls", f"http://127.0.0.1:{m.client_port}",
                "--listen-peer-urls", f"http://127.0.0.1:{m.peer_port}",
                "--initial-advertise-peer-urls", f"http://127.0.0.1:{m.peer_port}",
                "--initial-cluster", self.initial, "--initial-cluster-state", "new",
                "--initial-cluster-token", f"replisim-{os.getpid()}",
                "--heartbeat-interval", str(self.heartbeat_ms), "--election-timeout", str(self.election_ms),
                "--logger=zap", f"--log-outputs={m.log}", "--log-level=info"]
        m.proc = self.cleanup.popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL)

    def start_all(self):
        for m in self.members:
            self.start(m)

    def read_logs(self):
        for m in self.members:
            if not os.path.exists(m.log):
                continue
            with open(m.log, "rb") as f:
                f.seek(m.offset)
                chunk = f.read()
            end = chunk.rfind(b"\n") + 1  # a line still being written waits
            m.offset += end
            for line in chunk[:end].decode(errors="replace").splitlines():
                if "became leader" not in line:
                    continue
                entry = json.loads(line)
                hit = BECAME_LEADER.search(entry.get("msg", ""))
                if hit:
                    m.id = hit.group(1)
                    self.elections.append((log_time(entry["ts"]), m, int(hit.group(2))))

    def wait_election(self, after_term, deadline):
        """The first `became leader` at a term above `after_term`, or None by `deadline`."""
        while time.time() < deadline:
            self.read_logs()
            later = [e for e in self.elections if e[2] > after_term]
            if later:
                return min(later, key=lambda e: e[2])
            time.sleep(0.005)
        return None

    def healthy(self, m):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{m.client_port}/health", timeout=1) as r:
                return json.load(r).get("health") == "true"
        except (OSError, ValueError):
            return False

    def wait_healthy(self, timeout_s):
        deadline = time.time() + timeout_s
        while time.time() < deadline:
            if all(m.proc.poll() is None for m in self.members) and all(self.healthy(m) for m in self.members):
                return True
            time.sleep(0.05)
        return False

    def leader(self):
        """The member of the last election, and its term."""
        self.read_logs()
        if not self.elections:
            return None, 0
        when, m, term = max(self.elections, key=lambda e: e[2])
        return m, term


def keep_logs(members, directory, label):
    """Copies of the members' logs (a trial that elected no leader: to see
    why), as DIRECTORY/LABEL-NAME.log; the paths. Only --keep-logs asks for
    them, so they stay, as --csv and --plot do."""
    kept = []
    for m in members:
        if os.path.exists(m.log):
            path = os.path.join(directory, f"{label}-{m.name}.log")
            shutil.copyfile(m.log, path)
            kept.append(path)
    return kept


def real_trials(args, cleanup, fault, trials, rng, progress):
    """Times (ms) from the signal to the next `became leader`, one per trial
    (None: no leader within the deadline)."""
    cluster = EtcdCluster(cleanup, args.members, args.heartbeat_ms, args.election_ms, args.etcd)
    cluster.start_all()
    if not cluster.wait_healthy(30):
        raise Failure("etcd: the cluster did not become healthy within 30 s (see its logs)")
    times = []
    et = args.election_ms / 1e3
    for trial in range(trials):
        begun = time.time()
        leader, term = cluster.leader()
        if leader is None:
            raise Failure("etcd: no `became leader` line in the logs")
        time.sleep(rng.uniform(0.2, 0.5))  # a random moment: any phase of the heartbeat
        sig = signal.SIGKILL if fault == "crash" else signal.SIGSTOP
        t0 = time.time()
        leader.proc.send_signal(sig)
        # Frozen: held until another member is elected (at most 6 election timeouts; none: the trial failed).
        elected = cluster.wait_election(term, t0 + 6 * et)
        times.append(None if elected is None else (elected[0] - t0) * 1e3)
        if elected is None and args.keep_logs:
            kept = keep_logs(cluster.members, args.keep_logs, f"{fault}-{trial + 1}")
            progress(f"etcd {fault} {trial + 1}/{trials}: no leader; the members' logs are in {', '.join(kept)}")
        if fault == "crash":
            leader.proc.wait()
            cluster.start(leader)  # back from its data directory
        else:
            # Frozen for longer than the election timeout, and until another was elected.
            time.sleep(max(0.0, t0 + et + args.heartbeat_ms / 1e3 - time.time()))
            leader.proc.send_signal(signal.SIGCONT)
        if not cluster.wait_healthy(30):
            raise Failure(f"etcd: the cluster did not recover within 30 s after trial {trial + 1}")
        progress(f"etcd {fault} {trial + 1}/{trials}: "
                 + ("no leader" if times[-1] is None else f"{times[-1]:.0f} ms")
                 + f" (trial took {time.time() - begun:.1f} s)")
    return times


# ---------------------------------------------------------------- replisim

def fault_schedule(heartbeat_ms, election_ms):
    """When the replisim side's fault comes and how long its run lasts, in
    seconds: (from, to, resume, ops). The fault comes at a random moment of
    one heartbeat from 3 s, or from 3 et if that is later (the first election
    takes up to 2 et, and the leader must be settled); a pause lasts 6 et, the
    real trials' deadline, past any election; the client writes for 1 s
    more. With etcd's defaults: 3 to 3.1 s, resumed at 9 s, 100 writes."""
    start = max(3.0, 3 * election_ms / 1e3)
    resume = start + 6 * election_ms / 1e3
    return start, start + heartbeat_ms / 1e3, resume, math.ceil((resume + 1) * CLIENT_RATE)


def seconds(value):
    """A time for a fault file: "3s", "3.1s", "1.25s" (no float noise)."""
    return f"{round(value, 6):g}s"


def fault_file(fault, directory, heartbeat_ms, election_ms):
    """The replisim side of a fault: a [[crash]] or [[pause]] of the node
    leading, at the moments of fault_schedule()."""
    start, end, resume, _ = fault_schedule(heartbeat_ms, election_ms)
    path = os.path.join(directory, f"{fault}.toml")
    with open(path, "w") as f:
        if fault == "crash":
            f.write(f'[[crash]]\nnode = "most-leaders"\nat = "{seconds(start)}:{seconds(end)}"\n')
        else:
            f.write(f'[[pause]]\nnode = "most-leaders"\nat = "{seconds(start)}:{seconds(end)}"\n'
                    f'resume = "{seconds(resume)}"\n')
    return path


def run_flags(heartbeat_ms, election_ms):
    """One client writing CLIENT_RATE times a second, for as long as fault_schedule() says."""
    ops = fault_schedule(heartbeat_ms, election_ms)[3]
    return f"--clients 1 --rate {CLIENT_RATE} --ops {ops} --ops-file none"


def replisim_command(args, faults, seed, out):
    flags = shlex.split(args.replisim_flags) + shlex.split(run_flags(args.heartbeat_ms, args.election_ms))
    return [args.replisim, "run", *flags, "--faults", faults, "--seed", str(seed), "--out", out]


def check_replisim_flags(args, cleanup):
    """A dry run of the replisim side before any real trial: its flags' errors
    come first, not after the etcd cluster's minutes."""
    work = cleanup.directory(f"{PREFIX}{os.getpid()}-dry-")
    for fault in args.fault_list:
        faults = fault_file(fault, work, args.heartbeat_ms, args.election_ms)
        cmd = replisim_command(args, faults, 1, os.path.join(work, "out")) + ["--dry-run"]
        r = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                           preexec_fn=die_with_parent)
        if r.returncode != 0:
            lines = r.stderr.strip().splitlines()
            raise Failure(f"replisim: {lines[-1] if lines else f'exit {r.returncode}'}")


def replisim_trials(args, cleanup, fault, seeds):
    """unavailability_max_ms of one run per seed (the time from the fault to a new leader)."""
    work = cleanup.directory(f"{PREFIX}{os.getpid()}-sim-")
    faults = fault_file(fault, work, args.heartbeat_ms, args.election_ms)

    def one(seed):
        out = os.path.join(work, f"{fault}-{seed}")
        cmd = replisim_command(args, faults, seed, out)
        r = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                           preexec_fn=die_with_parent)
        if r.returncode != 0:
            raise Failure(f"replisim (seed {seed}): {r.stderr.strip().splitlines()[-1] if r.stderr.strip() else r.returncode}")
        with open(os.path.join(out, "summary.csv")) as f:
            row = next(csv.DictReader(f))
        shutil.rmtree(out, ignore_errors=True)
        return float(row["unavailability_max_ms"]) if row["outages"] != "0" else None

    pool = concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs)
    try:
        return list(pool.map(one, range(1, seeds + 1)))
    finally:
        pool.shutdown(wait=True, cancel_futures=True)  # on a signal: the runs under way end, no others start


# ---------------------------------------------------------------- report

def describe(times, et_ms):
    elected = sorted(t for t in times if t is not None)
    n = len(elected)
    return {
        "trials": len(times), "elected": n,
        "median": quantile(elected, 0.5), "median_ci": median_ci(elected) if n else (math.nan, math.nan),
        "p90": quantile(elected, 0.9), "min": elected[0] if n else math.nan, "max": elected[-1] if n else math.nan,
        "under_et": sum(t < et_ms for t in elected), "over_2et": sum(t > 2 * et_ms for t in elected),
    }


def report(fault, real, sim, et_ms, out=sys.stdout):
    r, s = describe(real, et_ms), describe(sim, et_ms)
    d, p = ks_two_sample([t for t in real if t is not None], [t for t in sim if t is not None])

    def share(x, key):
        k, n = x[key], x["elected"]
        lo, hi = wilson(k, n)
        return f"{k}/{n} = {k / n:.0%} [{lo:.1%}, {hi:.1%}]" if n else "-"

    print(f"\n{fault}: time from the fault to a new leader (ms)", file=out)
    print(f"  {'':24} {'real etcd':>30} {'replisim':>30}", file=out)
    rows = [("trials (elected)", f"{r['trials']} ({r['elected']})", f"{s['trials']} ({s['elected']})"),
            ("median [95% CI]", f"{r['median']:.0f} [{r['median_ci'][0]:.0f}, {r['median_ci'][1]:.0f}]",
             f"{s['median']:.0f} [{s['median_ci'][0]:.0f}, {s['median_ci'][1]:.0f}]"),
            ("p90", f"{r['p90']:.0f}", f"{s['p90']:.0f}"),
            ("min / max", f"{r['min']:.0f} / {r['max']:.0f}", f"{s['min']:.0f} / {s['max']:.0f}"),
            (f"under et ({et_ms:.0f})", share(r, "under_et"), share(s, "under_et")),
            (f"over 2 et ({2 * et_ms:.0f})", share(r, "over_2et"), share(s, "over_2et"))]
    for name, a, b in rows:
        print(f"  {name:24} {a:>30} {b:>30}", file=out)
    agree = {
        "distributions (KS p >= 0.01)": p >= 0.01,
        "medians (intervals overlap)": overlap(r["median_ci"], s["median_ci"]),
        "share under et": overlap(wilson(r["under_et"], r["elected"]), wilson(s["under_et"], s["elected"])),
        "share over 2 et": overlap(wilson(r["over_2et"], r["elected"]), wilson(s["over_2et"], s["elected"])),
    }
    print(f"  Kolmogorov-Smirnov: D = {d:.3f}, asymptotic p = {p:.3g}", file=out)
    for what, ok in agree.items():
        print(f"  {what}: {'consistent' if ok else 'DIFFER'}", file=out)
    return r, agree


def check(fault, real, et_ms, hb_ms):
    """What holds of a real etcd today: every trial elected a new leader, no
    sooner than a follower can time out and within 4 et. The soonest: the
    last heartbeat left up to a tick before the fault, and a follower counts
    et in whole ticks of its own ticker, the first of which may come at once
    (et - 2 ticks; 5 ms less for the clocks' resolutions). The latest: a split
    vote adds a round of et to 2 et, and a second split is rare. Returns the
    failures, one line each."""
    problems = []
    missing = sum(t is None for t in real)
    if missing:
        problems.append(f"{fault}: {missing} of {len(real)} trials elected no leader within 6 et")
    lo, hi = et_ms - 2 * hb_ms - 5, 4 * et_ms
    out = [t for t in real if t is not None and not lo <= t <= hi]
    if out:
        problems.append(f"{fault}: {len(out)} times outside [{lo:.0f}, {hi:.0f}] ms: "
                        + ", ".join(f"{t:.0f}" for t in out[:5]))
    return problems


def ecdf(times):
    """The empirical CDF of a sample, as steps: the elected trials' times in
    order and, at each, the share of all trials elected by then (a trial that
    elected no leader counts in the total, so the curve then ends below 1)."""
    elected = sorted(t for t in times if t is not None)
    return elected, [(i + 1) / len(times) for i in range(len(elected))]


FAULT_TITLES = {"crash": "leader killed: SIGKILL / [[crash]]", "pause": "leader frozen: SIGSTOP / [[pause]]"}


def plot(path, results, args, machine_line):
    """Both empirical CDFs (the real etcd's trials, replisim's seeds) of each
    fault on one panel, with et and 2 et marked; a PNG at `path`."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise Failure("--plot: no matplotlib (Debian: apt-get install python3-matplotlib)")
    et = args.election_ms
    fig, axes = plt.subplots(1, len(results), figsize=(5.2 * len(results), 4.2), sharey=True, squeeze=False)
    highest = max((t for real, sim in results.values() for t in real + sim if t is not None), default=2 * et)
    right = max(2.2 * et, 1.05 * highest)
    for ax, (fault, (real, sim)) in zip(axes[0], results.items()):
        for times, label, style in ((real, "real etcd", dict(color="black", linewidth=1.6)),
                                    (sim, "replisim " + replisim_label(args.replisim_flags),
                                     dict(color="tab:orange", linewidth=1.4))):
            xs, ys = ecdf(times)
            missing = len(times) - len(xs)
            ax.step([0] + xs + [right], [0] + ys + [ys[-1] if ys else 0], where="post",
                    label=f"{label}, n = {len(times)}" + (f" ({missing} no leader by 6 et)" if missing else ""), **style)
        for x, name in ((et, "et"), (2 * et, "2 et")):
            ax.axvline(x, color="grey", linestyle=":", linewidth=1)
            ax.text(x, 0.03, f" {name}", color="grey", fontsize=8, transform=ax.get_xaxis_transform())
        d, p = ks_two_sample([t for t in real if t is not None], [t for t in sim if t is not None])
        ax.set_title(f"{FAULT_TITLES.get(fault, fault)}\nKolmogorov-Smirnov D = {d:.3f}, p = {p:.2g}", fontsize=9)
        ax.set_xlim(0.5 * et, right)
        ax.set_ylim(0, 1.01)
        ax.set_xlabel("time from the fault to a new leader (ms)")
        ax.grid(True, alpha=0.3)
        ax.legend(loc="center right", fontsize=8)
    axes[0][0].set_ylabel("share of trials with a new leader by then")
    fig.suptitle(f"A real etcd and replisim: {args.members} members, heartbeat {args.heartbeat_ms} ms, election timeout (et) {et} ms, "
                 "loopback", fontsize=10)
    fig.text(0.5, 0.01, machine_line, ha="center", fontsize=7, color="grey")
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    try:
        fig.savefig(path, dpi=90)
    except OSError as e:
        raise Failure(f"--plot: {e}")
    finally:
        plt.close(fig)


def replisim_label(flags):
    """`--failover X` of the replisim side's flags, for a legend."""
    words = shlex.split(flags)
    return f"--failover {words[words.index('--failover') + 1]}" if "--failover" in words[:-1] else flags


# ---------------------------------------------------------------- the machine

def etcd_versions(text):
    """(etcd's version, Go's) from `etcd --version`."""
    etcd = re.search(r"etcd Version: (\S+)", text)
    go = re.search(r"Go Version: go(\S+)", text)
    return (etcd.group(1) if etcd else "?"), (go.group(1) if go else "?")


def memory_gib(meminfo):
    """MemTotal of /proc/meminfo, in GiB."""
    m = re.search(r"^MemTotal:\s+(\d+) kB", meminfo, re.M)
    return int(m.group(1)) / 2 ** 20 if m else math.nan


def read(path):
    try:
        with open(path) as f:
            return f.read()
    except OSError:
        return ""


def machine(etcd):
    """One line: CPU, cores, memory, kernel, Debian, etcd and Go, and the load now."""
    cpu = re.search(r"^model name\s*:\s*(.+)$", read("/proc/cpuinfo"), re.M)
    try:
        version = subprocess.run([etcd, "--version"], capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        version = ""
    etcd_version, go_version = etcd_versions(version)
    debian = read("/etc/debian_version").strip()
    return (f"{cpu.group(1).strip() if cpu else '?'}, {os.cpu_count()} cores, {memory_gib(read('/proc/meminfo')):.1f} GiB, "
            f"Linux {os.uname().release}, Debian {debian or '?'}; etcd {etcd_version}, Go {go_version}")


def load():
    return "load average (1 min) {:.2f}".format(os.getloadavg()[0])


def read_real_trials(paths):
    """{fault: [ms or None]}: the etcd rows of files written by --csv."""
    trials = {}
    for path in paths.split(","):
        try:
            with open(path, newline="") as f:
                for row in csv.DictReader(f):
                    if row["source"] == "etcd":
                        trials.setdefault(row["fault"], []).append(float(row["ms"]) if row["ms"] else None)
        except (OSError, KeyError, ValueError) as e:
            raise Failure(f"--etcd-csv: {path}: {e}")
    return trials


def settings_problem(args):
    """Why the options cannot make a run, or None. etcd refuses an election
    timeout under 5 heartbeats and truncates it to whole heartbeats (its
    ticks), which --failover etcd refuses: so does this script, before any
    trial."""
    if args.members < 3:
        return "--members: at least 3 (a majority must outlive the leader)"
    if args.heartbeat_ms < 1 or args.election_ms < 5 * args.heartbeat_ms:
        return "--election-ms: at least 5 times --heartbeat-ms, as etcd requires"
    if args.election_ms % args.heartbeat_ms:
        return "--election-ms: a whole number of --heartbeat-ms (etcd counts it in heartbeat ticks)"
    if args.keep_logs is not None and not os.path.isdir(args.keep_logs):
        return f"--keep-logs: {args.keep_logs} is not a directory"
    if args.trials < 1 or args.seeds < 1:
        return "--trials and --seeds: at least 1"
    if args.replisim_flags is not None:
        words = shlex.split(args.replisim_flags)
        if "--nodes" in words[:-1] and words[words.index("--nodes") + 1] != str(args.members):
            return f"--replisim-flags: --nodes {words[words.index('--nodes') + 1]}, but --members {args.members}"
    return None


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--replisim", default="build/replisim", help="the replisim binary")
    ap.add_argument("--etcd", default="etcd", help="the etcd binary (Debian's etcd-server)")
    ap.add_argument("--trials", type=int, default=30, help="faults of each kind on the real cluster")
    ap.add_argument("--seeds", type=int, default=300, help="replisim runs of each kind")
    ap.add_argument("--faults", default="crash,pause", help="crash (SIGKILL), pause (SIGSTOP), or both")
    ap.add_argument("--members", type=int, default=3)
    ap.add_argument("--heartbeat-ms", type=int, default=100, help="etcd's --heartbeat-interval")
    ap.add_argument("--election-ms", type=int, default=1000, help="etcd's --election-timeout")
    ap.add_argument("--replisim-flags",
                    help="the replisim side's parameters (default: --failover etcd with --members, --heartbeat-ms "
                         "and --election-ms: " + DEFAULT_REPLISIM_FLAGS + ")")
    ap.add_argument("--jobs", type=int, default=2, help="replisim runs at once")
    ap.add_argument("--seed", type=int, default=1, help="draws the moments of the faults")
    ap.add_argument("--csv", help="write every trial here (source,fault,trial,ms)")
    ap.add_argument("--plot", help="draw both CDFs of each fault on one panel into this PNG")
    ap.add_argument("--keep-logs", metavar="DIR",
                    help="copy the members' logs of a trial that elected no leader into this directory")
    ap.add_argument("--check", action="store_true", help="exit 1 unless the real etcd's data are sane")
    ap.add_argument("--etcd-csv", help="take the real trials from these --csv files (comma-separated) instead of "
                                       "running etcd")
    args = ap.parse_args()
    faults = [f for f in args.faults.split(",") if f]
    if any(f not in ("crash", "pause") for f in faults) or not faults:
        ap.error("--faults: crash, pause or crash,pause")
    args.fault_list = faults
    problem = settings_problem(args)
    if problem:
        ap.error(problem)
    if args.replisim_flags is None:
        args.replisim_flags = replisim_flags(args.members, args.heartbeat_ms, args.election_ms)
    if shutil.which(args.etcd) is None:
        print(f"etcd_validation: no '{args.etcd}' (Debian: apt-get install etcd-server etcd-client)", file=sys.stderr)
        return 1 if os.environ.get("REPLISIM_REQUIRE_ETCD") == "1" else 77

    cleanup = Cleanup()
    status = 0
    try:
        remove_stale_directories()
        rng = random.Random(args.seed)
        progress = (lambda line: print(line, file=sys.stderr, flush=True))
        results = {}
        started = time.time()
        recorded = read_real_trials(args.etcd_csv) if args.etcd_csv else None
        check_replisim_flags(args, cleanup)
        machine_line = machine(args.etcd)
        load_before = load()
        for fault in faults:
            if recorded is not None:
                real = recorded.get(fault, [])
                if not real:
                    raise Failure(f"--etcd-csv: no etcd trial of the {fault} fault in {args.etcd_csv}")
            else:
                real = real_trials(args, cleanup, fault, args.trials, rng, progress)
            for m in list(cleanup.procs):  # a fresh cluster for each kind of fault
                cleanup.stop(m)
            sim = replisim_trials(args, cleanup, fault, args.seeds)
            results[fault] = (real, sim)
        print(f"{args.members} etcd members on loopback, heartbeat {args.heartbeat_ms} ms, election timeout "
              f"{args.election_ms} ms; replisim {args.replisim_flags}; {time.time() - started:.0f} s")
        print(f"machine: {machine_line}; {load_before} at the start, {load()} at the end")
        problems = []
        for fault, (real, sim) in results.items():
            report(fault, real, sim, args.election_ms)
            problems += check(fault, real, args.election_ms, args.heartbeat_ms)
        if args.csv:
            with open(args.csv, "w", newline="") as f:
                w = csv.writer(f)
                w.writerow(["source", "fault", "trial", "ms"])
                for fault, (real, sim) in results.items():
                    for source, times in (("etcd", real), ("replisim", sim)):
                        for i, t in enumerate(times):
                            w.writerow([source, fault, i + 1, "" if t is None else f"{t:.3f}"])
        if args.plot:
            plot(args.plot, results, args, machine_line)
        if args.check and problems:
            for line in problems:
                print(f"etcd_validation: {line}", file=sys.stderr)
            status = 1
    except Failure as e:
        print(f"etcd_validation: {e}", file=sys.stderr)
        status = 1
    finally:
        left = cleanup.close()
        if left:
            print(f"etcd_validation: left behind: {left}", file=sys.stderr)
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
