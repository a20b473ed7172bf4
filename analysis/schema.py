"""The columns of the CSV files replisim writes, read from schema.csv beside this file: one row
per column (file, column, kind, meaning), in the order the binary writes them. The scripts take
their column lists from here; tests/analysis/test_schema.py checks every header the binary
writes against it, so the two cannot drift apart.

A column's kind is one of
  param      a setting of the run: given, a default, or drawn from the seed
  metric     a result of the simulation: the same for the same inputs and seed
  wallclock  a measure of the machine (time, memory), not of the simulation
  id         names or labels a row: a node, an operation, a time bin, a seed, a job's status

The file "summary.csv (sweep)" lists the columns a sweep's summary.csv adds to a run's: a sweep
writes its own parameter columns first (the spec's axes and fixed flags), then seed, status and
error, then the rest of a run's summary.csv in its order."""
import csv
import os

PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "schema.csv")
KINDS = ("param", "metric", "wallclock", "id")
SWEEP = "summary.csv (sweep)"


def _load(path=PATH):
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    seen = set()
    for r in rows:
        if r["kind"] not in KINDS:
            raise ValueError(f"{path}: {r['file']} {r['column']}: kind {r['kind']!r} is none of {KINDS}")
        if (r["file"], r["column"]) in seen:
            raise ValueError(f"{path}: {r['file']} {r['column']} listed twice")
        seen.add((r["file"], r["column"]))
    return rows


ROWS = _load()


def files():
    """The files schema.csv describes, in its order."""
    return list(dict.fromkeys(r["file"] for r in ROWS))


def columns(file, kind=None):
    """The columns of `file` (of one kind, if given) in the order the binary writes them."""
    if file not in files():
        raise KeyError(f"schema.csv describes no file {file!r}")
    return [r["column"] for r in ROWS if r["file"] == file and kind in (None, r["kind"])]


def kind(file, column):
    return next(r["kind"] for r in ROWS if r["file"] == file and r["column"] == column)


def meaning(file, column):
    return next(r["meaning"] for r in ROWS if r["file"] == file and r["column"] == column)


def known(file, *names):
    """`names` as a list, once each is checked to be a column of `file` (a summary.csv column
    may also be one a sweep adds): a script's column list cannot name a column the binary does
    not write."""
    have = set(columns(file)) | (set(columns(SWEEP)) if file == "summary.csv" else set())
    unknown = [n for n in names if n not in have]
    if unknown:
        raise KeyError(f"not columns of {file} in schema.csv: {', '.join(unknown)}")
    return list(names)
