"""The plots of one run (plot_run, plot_latency, plot_roles, plot_load, plot_timeline) on the committed
runs: each draws a PNG, and the figures they compute are those counted by hand from the CSV files."""
import gzip
import shutil

import numpy as np
import pandas as pd
import pytest

import common
import plot_latency
import plot_load
import plot_roles
import plot_timeline

CRASH = '[[crash]]\nnode = 0\nat = "200ms"\nrecover = "400ms"\n'  # the fault file of fixtures/run


def test_plot_run_draws_every_figure_of_a_run(fixtures, tmp_path, capsys, png):
    run = tmp_path / "run"
    shutil.copytree(fixtures / "run", run)
    import plot_run
    plot_run.main([str(run)])
    names = ["latency_cdf.png", "roles.png", "load.png", "roles_timeline.png"]
    assert capsys.readouterr().out.split() == [str(run / n) for n in names]
    for n in names:
        png(run / n)


def test_plot_run_reads_ops_csv_gz_and_writes_elsewhere(fixtures, tmp_path, capsys, png):
    run, out = tmp_path / "run", tmp_path / "figures"
    shutil.copytree(fixtures / "leaderless", run)
    out.mkdir()
    with open(run / "ops.csv", "rb") as f, gzip.open(run / "ops.csv.gz", "wb") as g:
        g.write(f.read())
    (run / "ops.csv").unlink()
    import plot_run
    plot_run.main([str(run), "-o", str(out)])
    # No processing cost: no load.png; no faults: no roles_timeline.png.
    assert capsys.readouterr().out.split() == [str(out / "latency_cdf.png"), str(out / "roles.png")]
    png(out / "latency_cdf.png")


def test_latency(fixtures, draw):
    _, out, _ = draw("plot_latency", fixtures / "leaderless/ops.csv", "--xscale", "log")
    assert out.strip().endswith("figure.png")
    data = plot_latency.load(str(fixtures / "leaderless/ops.csv"))
    ops = data["ops"]
    reads = ops[(ops["kind"] == "read") & (ops["outcome"] == "ok")]
    # 33 ok reads, 2 stale (6.06%); nearest rank: p50 the 17th smallest, p99 the 33rd.
    assert plot_latency.read_label(reads) == "reads ok (n=33, 6.1% stale; p50 20 ms, p99 40 ms)"
    assert data["summary"]["model"] == "leaderless"  # summary.csv beside ops.csv, for the title
    lat = ops["latency_ms"].to_numpy(float)
    assert plot_latency.pick_scale(lat, "auto") == "linear"  # p99.9 / p1 well under 30
    assert plot_latency.pick_scale(np.array([1.0] * 50 + [100.0] * 50), "auto") == "log"


def test_roles(fixtures, draw):
    draw("plot_roles", fixtures / "run/roles.csv", "--title", "a title")
    r = plot_roles.load(str(fixtures / "run/roles.csv"))["roles"]
    # Nodes 1-5 are primary for some units and replica for others; node 0 (crashed) only replica.
    assert plot_roles.role_subtitle(r) == \
        "many-to-many: 5 of 6 nodes are primary for some units and replica for others"
    assert plot_roles.tick_labels(r, "\n")[:2] == ["0\nnode0", "1\nnode1"]  # one zone: not shown
    leaderless = plot_roles.load(str(fixtures / "leaderless/roles.csv"))["roles"]
    assert plot_roles.role_subtitle(leaderless).endswith("leader units ≠ primary units on 5 node(s)")


def test_load(fixtures, draw):
    _, out, _ = draw("plot_load", fixtures / "run/roles.csv", fixtures / "run/roles.csv")
    data = plot_load.load([str(fixtures / "run/roles.csv")])
    assert list(data["panels"][0]["role"]) == ["replica/follower only"] + \
        ["mixed: leads some units, follows others"] * 5
    # summary.csv: 33.933837 writes/s, write p99 2361.230433 ms.
    assert data["panels"][0]["outcome"] == "34 writes/s acknowledged, write p99 2.36 s"
    assert plot_load.has_load(str(fixtures / "run/roles.csv"))
    assert not plot_load.has_load(str(fixtures / "leaderless/roles.csv"))  # no --service: never busy
    # Leaderless: no node leads a unit, and each of the 5 is the primary of 16 ranges.
    leaderless = common.read_csv(str(fixtures / "leaderless/roles.csv"), plot_load.COLUMNS, optional=["zone"])
    assert list(plot_load.node_roles(leaderless)) == \
        ["primary of some range(s)\n(leaderless: no unit has a leader)"] * 5


def test_timeline(fixtures, tmp_path, draw):
    faults = tmp_path / "crash.toml"
    faults.write_text(CRASH)
    draw("plot_timeline", fixtures / "run/roles_timeline.csv", "--faults", faults, "--mark", "1s")
    data = plot_timeline.load(str(fixtures / "run/roles_timeline.csv"))
    led = data["led"]
    assert led.shape == (27, 6)  # every 100 ms from 0 to 2.6 s, 6 nodes
    assert led.sum(axis=1).tolist()[:4] == [12, 12, 10, 10]  # node 0's 2 units without a leader
    assert plot_timeline.returns(led) == []  # node 0 never leads again
    assert plot_timeline.story(data["summary"], led) == [
        "2 outages, the longest 198 ms without a leader",
        "leader imbalance (max / mean) 1.00 before the first fault, 2.00 once every unit had a leader again",
        "node 0 led 2 units at the start and leads none at the end",
        "sampled every 100 ms: a shorter outage falls between samples or fills one"]
    assert plot_timeline.fault_times(str(faults)) == [(0.2, 0.2, "node 0 crashes"), (0.4, 0.4, "node 0 comes back")]
    pause = tmp_path / "pause.toml"
    pause.write_text('[[pause]]\nnode = "most-leaders"\nat = "1s:1.1s"\nresume = "3s"\n')
    assert plot_timeline.fault_times(str(pause)) == [(1.0, 1.1, "the node leading the most units pauses"),
                                                     (3.0, 3.0, "the paused node resumes")]


def test_timeline_windows(fixtures, draw):
    draw("plot_timeline", fixtures / "run/roles_timeline.csv", "--window", "0s:1s", "--window", "2s:")
    assert plot_timeline.parse_windows(["0s:1s", "2s:"]) == [(0.0, 1.0), (2.0, float("inf"))]
    assert plot_timeline.parse_windows([":500ms"]) == [(0.0, 0.5)]
    led = plot_timeline.load(str(fixtures / "run/roles_timeline.csv"))["led"]
    assert plot_timeline.clip_windows([(0.0, 1.0), (2.0, float("inf"))], led) == [(0.0, 1.0), (2.0, 2.6)]
    assert plot_timeline.clip_windows([], led) == [(0.0, 2.6)]
    for bad, said in ((["1s:0s"], "the end is not after the start"), (["0s:2s", "1s:3s"], "in time order"),
                      (["5s"], "is not a range")):
        with pytest.raises(plot_timeline.common.InputError, match=said):
            plot_timeline.parse_windows(bad)


def test_timeline_writes(fixtures, tmp_path, draw):
    faults = tmp_path / "crash.toml"
    faults.write_text(CRASH)
    draw("plot_timeline", fixtures / "run/roles_timeline.csv", "--writes", "--faults", faults,
         "--window", "0s:1s", "--window", "2s:")
    data = plot_timeline.load(str(fixtures / "run/roles_timeline.csv"), faults=str(faults), writes=True)
    w = data["cost"]["writes"]
    # 5 writes were sent to units 10 and 4 while they had no leader (0.2 s to 0.378 s and 0.398 s,
    # outages.csv), all ok after a retry: 2140.8, 2142.1, 2360.4, 2361.1, 2361.2 ms.
    assert int(w["leaderless"].sum()) == 5
    assert plot_timeline.cost_story(data["cost"], data["faults"], 2.65222, 0.1) == [
        "sent while their unit had no leader: 5 writes; ok ones p50 2.36 s, p99 2.36 s",
        "sent between the first fault and the last (0.2–0.4 s): p50 41.7 ms, p99 2.36 s; "
        "before and after: p50 40.8 ms, p99 2.14 s",
        "in all 90 writes, 9 retried, 0 timed out (may have committed), 0 refused; "
        "lines: p50 and p99 of the ok writes sent in each 100 ms"]
    outages = data["cost"]["outages"]
    assert plot_timeline.union(outages, 10.0) == [[0.2, 0.397749]]


def test_timeline_writes_without_outages(fixtures, tmp_path, draw):
    """An outages.csv with a header only (a run with faults and no outage) is no outage at all."""
    run = tmp_path / "run"
    shutil.copytree(fixtures / "run", run)
    header = (run / "outages.csv").read_text().split("\n")[0]
    (run / "outages.csv").write_text(header + "\n")
    draw("plot_timeline", run / "roles_timeline.csv", "--writes")
    cost = plot_timeline.load(str(run / "roles_timeline.csv"), writes=True)["cost"]
    assert cost["outages"].empty and not cost["writes"]["leaderless"].any()


def test_bin_percentiles_by_hand():
    w = {"t": np.array([0.05, 0.15, 0.12, 0.18, 0.31, 0.11]),
         "latency_ms": np.array([4.0, 10.0, 30.0, 20.0, 7.0, 99.0]),
         "outcome": np.array(["ok", "ok", "ok", "ok", "ok", "timeout"])}
    edges, p50, p99 = plot_timeline.bin_percentiles(w, 0.0, 0.4, 0.1)
    assert np.allclose(edges, [0.0, 0.1, 0.2, 0.3, 0.4])
    # Bin 0.1-0.2 holds 10, 30, 20 (the timeout is left out): p50 the 2nd smallest, p99 the 3rd.
    assert np.array_equal(p50, [4.0, 20.0, np.nan, 7.0], equal_nan=True)
    assert np.array_equal(p99, [4.0, 30.0, np.nan, 7.0], equal_nan=True)


def test_sent_leaderless_by_hand():
    writes = {"t": np.array([0.1, 0.25, 0.25, 0.5, 0.9]), "unit": np.array([1, 1, 2, 1, 1])}
    outages = pd.DataFrame({"unit": [1, 1], "from_s": [0.2, 0.8], "until_s": [0.3, float("inf")]})
    assert plot_timeline.sent_leaderless(writes, outages).tolist() == [False, True, False, False, True]
    assert plot_timeline.sent_leaderless(writes, None).tolist() == [False] * 5
