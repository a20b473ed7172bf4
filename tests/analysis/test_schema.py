"""analysis/schema.csv against the binary: small runs of every model, with and without faults
and failover, a sweep and a bench, and every CSV header they write must be the schema's columns
for that file, in order."""
import csv
import re
import subprocess
import tempfile
from pathlib import Path

import pytest

import common
import schema

FAULTS = '[[crash]]\nnode = 0\nat = "200ms"\nrecover = "500ms"\n'
SPEC = """[sweep]
name = "schema"
combine = "product"
seeds = [1]
[fixed]
nodes = 6
rf = 3
ops = 40
faults = "{faults}"
[axes]
model = ["chain", "leaderless"]
"""
SPEC_COLUMNS = ["model", "nodes", "rf", "ops", "faults"]  # the spec's columns, axes first
RUN_FILES = ["summary.csv", "roles.csv", "ops.csv", "visibility.csv"]
FAULT_FILES = RUN_FILES + ["outages.csv", "roles_timeline.csv"]


def header(path):
    with open(path, newline="") as f:
        return next(csv.reader(f))


def models(replisim):
    """The models `replisim run --help` lists under --model."""
    text = subprocess.run([replisim, "run", "--help"], capture_output=True, text=True, check=True).stdout
    line = next(l for l in text.splitlines() if "--model" in l)
    found = re.findall(r"(?:: |; )([a-z][a-z-]*) \(", line)
    assert found, f"no model names in: {line}"
    return found


@pytest.fixture(scope="module")
def outputs(replisim):
    """{name: directory} of small runs of every model, plain and with a crash (leader-follower
    and partitioned with Raft failover), a sweep and a bench, in a temporary directory."""
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        (tmp / "faults.toml").write_text(FAULTS)
        dirs = {}
        for model in models(replisim):
            base = [replisim, "run", "--model", model, "--nodes", "6", "--rf", "3", "--read-ratio", "0.2"]
            failover = ["--failover", "raft"] if model in ("leader-follower", "partitioned") else []
            for name, extra in ((model, ["--ops", "60"]),
                                (f"{model}+faults", ["--ops", "120", "--faults", str(tmp / "faults.toml")]
                                 + failover)):
                subprocess.run(base + extra + ["--out", str(tmp / name)], check=True, capture_output=True)
                dirs[name] = tmp / name
        (tmp / "spec.toml").write_text(SPEC.format(faults=tmp / "faults.toml"))
        subprocess.run([replisim, "sweep", str(tmp / "spec.toml"), "--out", str(tmp / "sweep")], check=True,
                       capture_output=True)
        subprocess.run([replisim, "bench", "--models", "chain", "--nodes-list", "10", "--messages", "300",
                        "--csv", str(tmp / "bench.csv")], check=True, capture_output=True)
        dirs["sweep"], dirs["bench"] = tmp / "sweep", tmp
        yield dirs


def test_every_model_has_a_style(replisim):
    assert set(models(replisim)) <= set(common.MODEL_STYLES)


def test_run_headers_are_the_schema(outputs):
    checked = 0
    for name, d in outputs.items():
        if name in ("sweep", "bench"):
            continue
        expected = FAULT_FILES if name.endswith("+faults") else RUN_FILES
        assert sorted(p.name for p in d.glob("*.csv")) == sorted(expected), name
        for file in expected:
            assert header(d / file) == schema.columns(file), f"{name}/{file}"
            checked += 1
    assert checked == 5 * len(RUN_FILES) + 5 * len(FAULT_FILES)


def test_sweep_header_is_the_schema(outputs):
    head = SPEC_COLUMNS + ["seed"]
    expected = head + schema.columns(schema.SWEEP) + [c for c in schema.columns("summary.csv") if c not in head]
    assert header(outputs["sweep"] / "summary.csv") == expected


def test_bench_header_is_the_schema(outputs):
    assert header(outputs["bench"] / "bench.csv") == schema.columns("bench.csv")


def test_summary_params_come_first():
    kinds = [schema.kind("summary.csv", c) for c in schema.columns("summary.csv")]
    first_metric = kinds.index("metric")
    assert set(kinds[:first_metric]) == {"param"}
    # After the metrics: the engine settings (a parameter), the wall clock, the seed and the versions.
    assert schema.columns("summary.csv")[-5:] == ["sim_time_s", "wall_s", "seed", "replisim_version", "schema_version"]
    assert schema.kind("summary.csv", "wall_s") == "wallclock"


def test_run_params_are_the_schema_params():
    params = schema.columns("summary.csv", "param")
    assert common.RUN_PARAMS == [c for c in params if c != "start_index"]
    assert "latency_ms" in common.RUN_PARAMS and "failover" in common.RUN_PARAMS


def test_named_columns_are_in_the_schema():
    summary = set(schema.columns("summary.csv"))
    assert {k for k, _ in common.TITLE_PARAMS} <= summary
    labelled = summary | set(schema.columns("roles.csv")) | set(schema.columns("ops.csv"))
    assert set(common.COLUMN_LABELS) <= labelled


def test_known_refuses_an_unknown_column():
    assert schema.known("roles.csv", "node", "busy_fraction") == ["node", "busy_fraction"]
    with pytest.raises(KeyError, match="no_such_column"):
        schema.known("roles.csv", "node", "no_such_column")
    assert schema.known("summary.csv", "status") == ["status"]  # a sweep's


def test_fixtures_are_as_the_binary_writes(fixtures):
    """The committed fixtures have the schema's columns (regenerate them with
    fixtures/make_fixtures.py when it changes)."""
    for run in ("run", "leaderless"):
        for path in (fixtures / run).glob("*.csv"):
            assert header(path) == schema.columns(path.name), path
    for name in ("scaling", "capacity", "failover", "tradeoff", "roles"):
        cols = header(fixtures / f"{name}.csv")
        i = cols.index("seed")
        assert cols[i:i + 3] == ["seed"] + schema.columns(schema.SWEEP)
        assert cols[i + 3:] == [c for c in schema.columns("summary.csv") if c not in cols[:i + 1]], name
    assert header(fixtures / "bench.csv") == schema.columns("bench.csv")
