"""Every script's command line goes through common.plot_main: a bad input is one line on stderr and
exit status 2 with nothing written, and a figure is written whole or not at all."""
import importlib
import os

import matplotlib.figure
import pytest

import common

SCRIPTS = ["plot_bench", "plot_capacity", "plot_failover", "plot_imbalance", "plot_latency", "plot_load",
           "plot_roles", "plot_run", "plot_scaling", "plot_sweep", "plot_timeline", "plot_tradeoff"]
EXTRA = {"plot_sweep": ["--x", "nodes", "--y", "write_p99_ms"]}


def fails(script, argv, capsys):
    """Runs `script` expecting exit status 2; returns its one line of stderr."""
    with pytest.raises(SystemExit) as e:
        importlib.import_module(script).main([str(a) for a in argv])
    assert e.value.code == 2
    captured = capsys.readouterr()
    lines = captured.err.strip().split("\n")
    assert len(lines) == 1 and ": error: " in lines[0], captured.err
    assert captured.out == ""
    return lines[0]


@pytest.mark.parametrize("script", SCRIPTS)
def test_missing_input(script, tmp_path, capsys):
    out = tmp_path / "out.png"
    missing = tmp_path / ("no_dir" if script == "plot_run" else "missing.csv")
    argv = [missing] + EXTRA.get(script, []) + (["-o", out] if script != "plot_run" else [])
    line = fails(script, argv, capsys)
    assert ("directory not found" if script == "plot_run" else "file not found") in line
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("script, columns", [
    ("plot_scaling", "model, nodes, rate, write_p99_ms, throughput_writes_per_s"),
    ("plot_capacity", "model, rate, throughput_writes_per_s, write_p99_ms"),
    ("plot_failover", "election_timeout, unavailability_max_ms, outages, leader_imbalance_after_fault"),
    ("plot_bench", "costs, msgs_per_s, bare_msgs_per_s, ratio, ratio_target"),
    ("plot_latency", "kind, outcome, latency_ms"),
])
def test_missing_columns(script, columns, fixtures, tmp_path, capsys):
    wrong = fixtures / ("run/roles.csv" if script != "plot_bench" else "run/summary.csv")
    line = fails(script, [wrong, "-o", tmp_path / "out.png"], capsys)
    assert line.endswith(f"missing column(s) {columns}")
    assert os.listdir(tmp_path) == []


def test_header_only_and_unparsable_inputs(fixtures, tmp_path, capsys):
    empty = tmp_path / "empty.csv"
    empty.write_text((fixtures / "capacity.csv").read_text().split("\n")[0] + "\n")
    assert "no rows (header only)" in fails("plot_capacity", [empty, "-o", tmp_path / "o.png"], capsys)
    binary = tmp_path / "binary.csv"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\xff\xfe" * 50)
    assert "cannot parse" in fails("plot_roles", [binary, "-o", tmp_path / "o.png"], capsys)
    assert sorted(os.listdir(tmp_path)) == ["binary.csv", "empty.csv"]


def test_bad_output(fixtures, tmp_path, capsys):
    roles = fixtures / "run/roles.csv"
    assert "output directory not found" in fails("plot_roles", [roles, "-o", tmp_path / "no/x.png"], capsys)
    assert "cannot write a .xyz file" in fails("plot_roles", [roles, "-o", tmp_path / "x.xyz"], capsys)
    assert os.listdir(tmp_path) == []


def test_output_without_extension_is_a_png(fixtures, tmp_path, capsys, png):
    importlib.import_module("plot_roles").main([str(fixtures / "run/roles.csv"), "-o", str(tmp_path / "fig")])
    assert capsys.readouterr().out.strip() == str(tmp_path / "fig.png")
    png(tmp_path / "fig.png")


def test_a_failed_save_leaves_no_file(fixtures, tmp_path, capsys, monkeypatch):
    """A figure whose writing fails half-way leaves neither a half-written output nor a temporary
    file, and an older output stays as it was."""
    out = tmp_path / "roles.png"
    out.write_bytes(b"the older figure")

    def half_written(self, fname, **kw):
        with open(fname, "wb") as f:
            f.write(b"\x89PNG half")
        raise OSError("disk full")
    monkeypatch.setattr(matplotlib.figure.Figure, "savefig", half_written)
    with pytest.raises(OSError, match="disk full"):
        importlib.import_module("plot_roles").main([str(fixtures / "run/roles.csv"), "-o", str(out)])
    assert os.listdir(tmp_path) == ["roles.png"]
    assert out.read_bytes() == b"the older figure"


def test_a_bad_flag_value_is_one_line(fixtures, tmp_path, capsys):
    line = fails("plot_timeline", [fixtures / "run/roles_timeline.csv", "--window", "5s:9s",
                                   "-o", tmp_path / "t.png"], capsys)
    assert line.endswith("--window 5–9 s: outside the run (0–2.6 s)")
    line = fails("plot_imbalance", [fixtures / "roles.csv", "--x", "model", "--hue", "model",
                                    "-o", tmp_path / "i.png"], capsys)
    assert line.endswith("--x and --hue are both model")
    assert os.listdir(tmp_path) == []


def test_output_path():
    assert common.output_path("fig.svg") == "fig.svg"
    with pytest.raises(common.InputError, match="output directory not found"):
        common.output_path("/nonexistent-dir-of-the-analysis-tests/fig.png")
