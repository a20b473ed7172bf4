#!/usr/bin/env python3
"""Throws generated bad or extreme command lines, platform files and sweep
specs at the built replisim and checks the bad-input promise for each: exit
status 0 or 2 (a sweep may also exit 1, its documented status when some job
failed), never a signal, never a hang (a per-case time limit counts as a
failure); on exit 2 exactly one line on stderr, `replisim: error: ...`, and
nothing left where the case's output would have gone.

Seeded and deterministic: the same seed gives the same cases. Scratch files
live under one temporary directory, removed at the end.

Cases cover command lines, platform files, sweep specs, output paths, SimGrid
options, fault files, state/speed/bandwidth/latency profiles, deployment
files, the failover and retry flags, bench and merge. Each runs under a time
limit (--case-seconds, 5 s) and an address-space cap of 4 GB (off with
--no-memory-cap, for the sanitized build). CI runs a fixed sample of 150;
tests/fuzz/full_corpus.sh runs 700 with 20 s each.

usage: fuzz_bad_input.py REPLISIM DATA_DIR PLATFORMS_DIR [--seed N] [--cases N] [--jobs N]
                         [--case-seconds S] [--no-memory-cap]
"""
import argparse
import concurrent.futures
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True  # importing fuzz_cases leaves no __pycache__ in the checkout
from fuzz_cases import make_cases  # noqa: E402

CASE_SECONDS = 5        # per case (--case-seconds), in the Release build
MEMORY_CAP = 4 << 30   # resident memory per case, as ulimit -v (--no-memory-cap under the sanitizers)


def run_case(binary, scratch, n, args, seconds, memory_cap):
    case_dir = os.path.join(scratch, f"case-{n}")
    os.mkdir(case_dir)
    out = os.path.join(case_dir, "out")
    full = [os.path.abspath(binary)] + args
    if not any(a == "--out" or a.startswith("--out=") for a in args):
        full += ["--out", out] if args[0] not in ("placement", "bench") else []

    def cap():
        if memory_cap:
            resource.setrlimit(resource.RLIMIT_AS, (memory_cap, memory_cap))

    try:
        p = subprocess.run(full, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=seconds,
                           cwd=case_dir, stdin=subprocess.DEVNULL, preexec_fn=cap)
    except subprocess.TimeoutExpired:
        shutil.rmtree(case_dir, ignore_errors=True)
        return f"timed out after {seconds} s"
    err = p.stderr.decode(errors="replace")
    problems = []
    allowed = (0, 1, 2) if args[0] == "sweep" else (0, 2)
    if memory_cap and ("bad_alloc" in err or "Failed to allocate" in err or "std::length_error" in err):
        problems.append("ran out of memory under the cap")
    if p.returncode < 0:
        problems.append(f"killed by signal {-p.returncode}")
    elif p.returncode not in allowed:
        problems.append(f"exit status {p.returncode}")
    if p.returncode == 2:
        if err.count("\n") != 1 or not err.startswith("replisim: error: "):
            problems.append("stderr is not one 'replisim: error:' line")
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
    parser.add_argument("--cases", type=int, default=150)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--case-seconds", type=float, default=CASE_SECONDS)
    parser.add_argument("--no-memory-cap", action="store_true",
                        help="no address-space cap (the sanitizers reserve terabytes of address space)")
    options = parser.parse_args()
    memory_cap = 0 if options.no_memory_cap else MEMORY_CAP
    start = time.monotonic()
    scratch = tempfile.mkdtemp(prefix="replisim-fuzz-")
    try:
        os.mkdir(os.path.join(scratch, "inputs"))
        cases = make_cases(options.seed, options.cases, scratch, options.data, options.platforms)
        with concurrent.futures.ThreadPoolExecutor(options.jobs) as pool:
            results = list(pool.map(
                lambda nc: run_case(options.binary, scratch, nc[0], nc[1], options.case_seconds, memory_cap),
                enumerate(cases)))
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
