#!/usr/bin/env python3
"""Throws generated bad or extreme command lines, platform files and sweep
specs at the built replisim and checks the bad-input promise for each: exit
status 0 or 2 (a sweep may also exit 1, its documented status when some job
failed), never a signal, never a hang (a per-case time limit counts as a
failure); on exit 2 exactly one line on stderr, `replisim: error: ...`, and
nothing left where the case's output would have gone.

Seeded and deterministic: the same seed gives the same cases. Scratch files
live under one temporary directory, removed at the end.

usage: fuzz_bad_input.py REPLISIM DATA_DIR PLATFORMS_DIR [--seed N] [--cases N] [--jobs N]
"""
import argparse
import concurrent.futures
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time

CASE_SECONDS = 20

# Flags with a valid value each; the base of every command-line mutation.
RUN_FLAGS = {
    "--nodes": "3", "--clients": "1", "--ops": "20", "--keys": "50", "--value-bytes": "100", "--seed": "7",
    "--read-ratio": "0.3", "--rate": "0", "--concurrency": "2", "--latency": "2ms", "--bandwidth": "1Gbps",
    "--timeout": "2000ms", "--latency-scale": "1", "--threads": "1", "--cores": "1", "--host-speed": "1Gf",
    "--disk-read-bw": "500MBps", "--disk-write-bw": "200MBps", "--rf": "3", "--key-dist": "uniform",
    "--model": "leader-follower", "--write-concern": "majority", "--retries": "1", "--retry-backoff": "10ms",
    "--failover": "raft", "--election-timeout": "150ms:300ms", "--heartbeat": "50ms",
}
MODEL_FLAGS = {
    "partitioned": {"--units": "3", "--min-insync": "1", "--start-index": "0", "--acks": "all"},
    "leaderless": {"--vnodes": "4", "--consistency": "QUORUM", "--read-consistency": "ONE", "--strategy": "simple",
                   "--hint-window": "3h", "--speculative-retry": "99p", "--read-request-timeout": "5s"},
    "multi-leader": {"--leaders": "1", "--replication-interval": "1ms", "--leader-choice": "random"},
    "chain": {"--units": "3", "--chain-reads": "craq"},
}
EXTREMES = ["-1", "-0", "0", "nan", "-nan", "inf", "-inf", "1e400", "-1e400", "99999999999999999999",
            "18446744073709551616", "abc", "", "1e3", "0x10", " 5", "1.5", "2147483648", "-2147483649",
            "1e-300", "5e9", "NaN", "Infinity"]
DURATIONS = ["-5ms", "nanms", "infs", "1e400s", "5xs", "ms", "", "0", "86401s", "-0ms", "1e-400s", "2d", "100000h"]
QUANTITIES = ["0Gbps", "-1Gbps", "nanGbps", "infBps", "1e400Tbps", "1Gb", "Gbps", "0.0001bps", "1e300Tf", "0f"]
LAWS = ["all=const:1e300s", "all=exp:-1ms", "write=pareto:1ms:0", "ack=uniform:5ms:1ms", "all=mix:0.5*const:1ms",
        "all=lognormal:1000:1", "nope=const:1ms", "all=", "=const:1ms", "client=const:2d"]
ENGINE = ["--cfg=foo:bar", "--cfg=network/model:XX", "--log=foo", "--log=root.thres:blah", "--cfg=contexts/factory:x",
          "--cfg=contexts/stack-size:abc", "--cfg=network/crosstraffic:maybe", "--cfg=", "--log=", "--cfg=::",
          "--cfg=network/model:LV08", "--log=root.thres:critical"]


def mutate_value(rng, flag, value):
    if flag in ("--latency", "--timeout", "--replication-interval", "--retry-backoff", "--heartbeat",
                "--hint-window", "--read-request-timeout"):
        return rng.choice(DURATIONS)
    if flag == "--election-timeout":
        return rng.choice(DURATIONS + ["300ms:150ms", "0ms:1ms", "1ms:", ":5ms", "1ms:2ms:3ms", "5ms:86401s"])
    if flag in ("--bandwidth", "--host-speed", "--disk-read-bw", "--disk-write-bw"):
        return rng.choice(QUANTITIES)
    if rng.random() < 0.15 and value:
        return value[: rng.randrange(len(value))]  # truncated
    return rng.choice(EXTREMES)


def command_line_case(rng):
    flags = dict(RUN_FLAGS)
    model = rng.choice(["leader-follower"] + list(MODEL_FLAGS))
    flags["--model"] = model
    flags.update(MODEL_FLAGS.get(model, {}))
    for flag in rng.sample(sorted(flags), rng.choice([1, 1, 1, 2])):
        flags[flag] = mutate_value(rng, flag, flags[flag])
    args = [rng.choice(["run", "run", "run", "placement"])]
    for flag, value in flags.items():
        args.append(f"{flag}={value}")
    if rng.random() < 0.1:
        args.append("--delay=" + rng.choice(LAWS))
    if rng.random() < 0.1:
        args.append("--service=" + rng.choice(LAWS))
    return args


def mutate_platform(rng, text):
    lines = text.split("\n")
    kind = rng.choice(["drop", "dup", "truncate", "attr", "attr", "version", "routing", "swap"])
    if kind == "drop":
        del lines[rng.randrange(len(lines))]
    elif kind == "dup":  # duplicated ids, routes, links
        i = rng.randrange(len(lines))
        lines.insert(i, lines[i])
    elif kind == "truncate":
        return text[: rng.randrange(len(text))]
    elif kind == "swap":
        i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
        lines[i], lines[j] = lines[j], lines[i]
    else:
        attr = {"attr": rng.choice(["bandwidth", "latency", "speed", "core"]), "version": "version",
                "routing": "routing"}[kind]
        candidates = [i for i, line in enumerate(lines) if f'{attr}="' in line]
        if candidates:
            i = rng.choice(candidates)
            head, rest = lines[i].split(f'{attr}="', 1)
            value = rest.split('"', 1)[1]
            new = rng.choice({
                "bandwidth": ["0Bps", "-1Bps", "infBps", "nanBps", "abc", "", "1e400Bps"],
                "latency": ["-1ms", "infs", "nans", "2000000s", "x", ""],
                "speed": ["0f", "-1Gf", "inff", "abc", ""],
                "core": ["0", "-1", "abc", "99999999999"],
                "version": ["5.0", "3.0", "abc", "", "4.2", "4", "1e400"],
                "routing": ["Full", "Bogus", "Dijkstra", "None", "Cluster", ""],
            }[attr])
            lines[i] = f'{head}{attr}="{new}"{value}'
    return "\n".join(lines)


def platform_case(rng, scratch, n, platforms):
    name, text = rng.choice(platforms)
    path = write_input(scratch, f"platform-{n}.xml", mutate_platform(rng, text))
    model = rng.choice(["leader-follower", "leaderless", "multi-leader", "partitioned", "chain"])
    return ["run", f"--platform={path}", f"--model={model}", "--ops=20", "--rf=2", "--write-concern=1", "--clients=2"]


SPEC = """[sweep]
seeds = [1, 2]

[fixed]
ops = 20
nodes = 3
rf = 3
write-concern = "majority"

[axes]
model = ["leader-follower", "partitioned"]
latency = ["1ms", "2ms"]
"""


def mutated_toml(rng, text, kinds, values):
    """`text` with one mutation of a kind drawn from `kinds`: a line repeated ("dup") or dropped
    ("drop"), the text cut short ("truncate"), a key's value replaced by one of `values` ("value")
    or by a table ("type")."""
    lines = text.split("\n")
    kind = rng.choice(kinds)
    if kind == "dup":
        i = rng.randrange(len(lines))
        lines.insert(i, lines[i])
    elif kind == "drop":
        del lines[rng.randrange(len(lines))]
    elif kind == "truncate":
        lines = text[: rng.randrange(len(text))].split("\n")
    else:
        i = rng.choice([i for i, line in enumerate(lines) if " = " in line])
        key = lines[i].split(" = ")[0]
        lines[i] = key + " = " + ("{ a = 1 }" if kind == "type" else rng.choice(values))
    return "\n".join(lines)


def write_input(scratch, name, text):
    path = os.path.join(scratch, "inputs", name)
    with open(path, "w") as f:
        f.write(text)
    return path


def spec_case(rng, scratch, n):
    text = mutated_toml(rng, SPEC, ["dup", "drop", "truncate", "value", "value", "type"],
                        ["-1", "nan", "inf", '"abc"', "[]", "[-5]", "1e400", '""', "[nan]"])
    return ["sweep", write_input(scratch, f"spec-{n}.toml", text), "--jobs=1"]


FAULTS = """[[crash]]
node = "most-leaders"
at = "5ms:10ms"
recover = "20ms"

[[link]]
link = "node1-link"
down = "5ms"
up = "8ms"

[[partition]]
sides = [["node0"], ["node1", "node2"]]
from = "2ms"
until = "9ms"
"""


def faults_case(rng, scratch, n):
    text = mutated_toml(rng, FAULTS, ["dup", "drop", "truncate", "value", "value", "value"],
                        ['"-5ms"', '"10ms:5ms"', '"5ms:"', '"1e400s"', "-1", "nan", '"abc"', "[]",
                         '[["mars"], ["node0"]]', '"node99"', "99", '"2d"', "{ a = 1 }", '"5ms:5ms"', '""'])
    path = write_input(scratch, f"faults-{n}.toml", text)
    model = rng.choice(["leader-follower", "leaderless", "multi-leader", "partitioned", "chain"])
    return ["run", f"--faults={path}", f"--model={model}", "--ops=20", "--nodes=3", "--clients=1",
            "--failover=raft" if model in ("leader-follower", "partitioned") else "--rf=3"]


def output_case(rng, scratch, n):
    blocker = os.path.join(scratch, "inputs", f"file-{n}")
    with open(blocker, "w") as f:
        f.write("mine")
    bad = rng.choice([
        ["--out", blocker], ["--out", blocker + "/sub"], ["--out", "/proc/replisim-fuzz/x"],
        ["--roles-dot", os.path.join(scratch, "inputs")], ["--roles-dot", "/proc/replisim-fuzz.dot"],
        ["--roles-dot", blocker + "/x.dot"], ["--out", "/sys/replisim-fuzz"],
    ])
    return ["run", "--ops=20", "--nodes=3", "--clients=1"] + bad


def engine_case(rng):
    return ["run", "--ops=20", "--nodes=3", "--clients=1", rng.choice(ENGINE)] + \
        ([rng.choice(ENGINE)] if rng.random() < 0.3 else [])


def make_cases(seed, count, scratch, data, platforms_dir):
    rng = random.Random(seed)
    platforms = []
    for path in [os.path.join(data, "known_latencies.xml"), os.path.join(platforms_dir, "three_dc_wan.xml"),
                 os.path.join(platforms_dir, "single_cluster.xml")]:
        with open(path) as f:
            platforms.append((os.path.basename(path), f.read()))
    cases = [["run", f"--platform={data}"], ["run", "--platform=/nonexistent/x.xml"]]  # a directory, a missing file
    while len(cases) < count:
        n = len(cases)
        kind = rng.choices(["cli", "platform", "spec", "output", "engine", "faults"], [40, 27, 8, 9, 8, 8])[0]
        if kind == "cli":
            cases.append(command_line_case(rng))
        elif kind == "platform":
            cases.append(platform_case(rng, scratch, n, platforms))
        elif kind == "spec":
            cases.append(spec_case(rng, scratch, n))
        elif kind == "output":
            cases.append(output_case(rng, scratch, n))
        elif kind == "faults":
            cases.append(faults_case(rng, scratch, n))
        else:
            cases.append(engine_case(rng))
    return cases


def run_case(binary, scratch, n, args):
    case_dir = os.path.join(scratch, f"case-{n}")
    os.mkdir(case_dir)
    out = os.path.join(case_dir, "out")
    full = [os.path.abspath(binary)] + args
    if not any(a == "--out" or a.startswith("--out=") for a in args):
        full += ["--out", out] if args[0] != "placement" else []
    try:
        p = subprocess.run(full, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=CASE_SECONDS,
                           cwd=case_dir, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        return f"timed out after {CASE_SECONDS} s"
    err = p.stderr.decode(errors="replace")
    problems = []
    allowed = (0, 1, 2) if args[0] == "sweep" else (0, 2)
    if p.returncode < 0:
        problems.append(f"killed by signal {-p.returncode}")
    elif p.returncode not in allowed:
        problems.append(f"exit status {p.returncode}")
    if p.returncode == 2:
        if err.count("\n") != 1 or not err.startswith("replisim: error: "):
            problems.append(f"stderr is not one 'replisim: error:' line")
        left = sorted(os.listdir(case_dir))
        if left:
            problems.append(f"left {left}")
    shutil.rmtree(case_dir, ignore_errors=True)
    return "; ".join(problems) + (f"\n      stderr: {err[:400]!r}" if problems else "")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("binary")
    parser.add_argument("data")
    parser.add_argument("platforms")
    parser.add_argument("--seed", type=int, default=20240601)
    parser.add_argument("--cases", type=int, default=240)
    parser.add_argument("--jobs", type=int, default=2)
    options = parser.parse_args()
    start = time.monotonic()
    scratch = tempfile.mkdtemp(prefix="replisim-fuzz-")
    try:
        os.mkdir(os.path.join(scratch, "inputs"))
        cases = make_cases(options.seed, options.cases, scratch, options.data, options.platforms)
        with concurrent.futures.ThreadPoolExecutor(options.jobs) as pool:
            results = list(pool.map(lambda nc: run_case(options.binary, scratch, nc[0], nc[1]), enumerate(cases)))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    failed = [(n, cases[n], r) for n, r in enumerate(results) if r]
    for n, args, problem in failed:
        print(f"case {n}: replisim {' '.join(args)}\n    {problem}")
    print(f"fuzz: {len(cases)} cases (seed {options.seed}) in {time.monotonic() - start:.1f} s")
    print(f"{len(cases) - len(failed)} passed, {len(failed)} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
