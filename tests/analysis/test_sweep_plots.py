"""The plots of sweeps (plot_capacity, plot_scaling, plot_imbalance, plot_failover, plot_tradeoff,
plot_sweep) and of a bench (plot_bench) on the committed summaries: each draws a PNG, and the figures
they compute are those worked out by hand from the CSV files."""
import math
import re
import shutil

import pandas as pd
import pytest

import plot_bench
import plot_capacity
import plot_failover
import plot_imbalance
import plot_scaling
import plot_sweep
import plot_tradeoff


def test_capacity(fixtures, draw):
    draw("plot_capacity", fixtures / "capacity.csv")
    data = plot_capacity.load(str(fixtures / "capacity.csv"))
    agg = plot_capacity.aggregate(data["rows"]).set_index(["model", "rate"])
    # leader-follower at 800 writes/s a client: seeds 1 and 2 completed 1937.018424 and 2092.339433.
    assert agg.loc[("leader-follower", 800), "x"] == pytest.approx((1937.018424 + 2092.339433) / 2)
    assert agg.loc[("leader-follower", 800), "yhi"] == 13.702192
    sat = {m: plot_capacity.saturation(agg.loc[m].reset_index())
           for m in ("leader-follower", "partitioned", "chain")}
    # Each saturates at its highest rate, the only point within 3% of its largest mean throughput.
    assert sat["leader-follower"] == pytest.approx(((3086.978221 + 2998.559450) / 2, 76.243987))
    assert sat["partitioned"] == pytest.approx(((4521.028399 + 4682.485377) / 2, 41.381973))
    assert sat["chain"] == pytest.approx(((4290.483835 + 5015.027154) / 2, 38.406721))
    assert plot_capacity.three_digits(sat["leader-follower"][0]) == "3,040"
    assert data["labels"] == {"leader-follower": "leader-follower\n(2 primaries take every write)",
                              "partitioned": "partitioned\n(12 partitions: every node leads 2)",
                              "chain": "chain\n(12 chains: every node leads 2)"}
    assert plot_capacity.offered_text(data["rows"]) == \
        "300 → 9,000 ops/s offered\n(100 → 3,000 per client × 3 clients)"
    assert data["warnings"] == [] and data["mixed"] == []


def test_capacity_leaves_out_closed_loop_and_failed_rows(fixtures, tmp_path, draw):
    rows = pd.read_csv(fixtures / "capacity.csv", dtype=str, keep_default_na=False)
    rows.loc[0, "rate"] = "0"
    rows.loc[1, ["status", "error"]] = ["failed", "killed"]
    rows.to_csv(tmp_path / "summary.csv", index=False)
    _, _, err = draw("plot_capacity", tmp_path / "summary.csv")
    assert "1 row with status not ok left out (first error: killed)" in err
    data = plot_capacity.load(str(tmp_path / "summary.csv"))
    assert len(data["rows"]) == 16
    assert "1 ok row left out: closed loop (rate 0): no offered load" in data["notes"]


def test_scaling(fixtures, draw):
    draw("plot_scaling", fixtures / "scaling.csv")
    data = plot_scaling.load(str(fixtures / "scaling.csv"))
    assert (data["low"], data["high"]) == (200, 20000)
    assert data["pair"] == ("partitioned", "leader-follower")  # every node leads / some nodes lead none
    cap = plot_scaling.per_point(data["cap"], plot_scaling.THR).set_index(["model", "nodes"])["y"]
    # At 6 nodes, the largest both have: 4957.740131 against 2984.031449 writes/s.
    assert cap[("partitioned", 6)] / cap[("leader-follower", 6)] == pytest.approx(1.661424, abs=1e-6)
    assert data["labels"] == {
        "leader-follower": "leader-follower\n(the primaries, one node in 3, take every write)",
        "partitioned": "partitioned\n(6 partitions, leaders spread over the nodes)",
        "leaderless": "leaderless\n(any node coordinates a write)"}
    assert plot_scaling.offered(data["lat"], 200) == "600 ops/s offered (200 per client × 3 clients)"
    assert plot_scaling.offered(data["cap"], 20000) == "60,000 ops/s offered (20,000 per client × 3 clients)"


def test_scaling_needs_two_rates(fixtures, tmp_path, capsys):
    rows = pd.read_csv(fixtures / "scaling.csv", dtype=str, keep_default_na=False)
    rows[rows["rate"] == "200"].to_csv(tmp_path / "summary.csv", index=False)
    with pytest.raises(plot_scaling.common.InputError, match="needs two offered rates"):
        plot_scaling.load(str(tmp_path / "summary.csv"))


def test_imbalance(fixtures, draw):
    draw("plot_imbalance", fixtures / "roles.csv")
    assert plot_imbalance.best_possible(12, 9) == 1.5  # ⌈12/9⌉ = 2 units on some node, mean 12/9
    assert plot_imbalance.best_possible(12, 3) == 1.0
    assert plot_imbalance.best_possible(1, 3) == 3.0
    assert math.isnan(plot_imbalance.best_possible(0, 3))
    data = plot_imbalance.load(str(fixtures / "roles.csv"))
    runs = data["runs"]
    assert len(runs) == 8 and data["collapsed"] == [] and data["warnings"] == []
    notes = {m: plot_imbalance.units_note(g) for m, g in runs.groupby("model")}
    assert notes == {"leader-follower": "units = nodes / rf", "partitioned": "12 units"}
    imb = runs.set_index(["model", "nodes"])["leader_imbalance"].groupby(level=[0, 1]).mean()
    assert imb[("partitioned", 9)] == 1.5 and imb[("leader-follower", 9)] == 3.0


def test_imbalance_counts_a_placement_once(fixtures, draw):
    """scaling.csv runs every placement at two rates, with the same roles: each counts once, and
    leaderless runs (no leader imbalance) are left out."""
    _, _, err = draw("plot_imbalance", fixtures / "scaling.csv")
    data = plot_imbalance.load(str(fixtures / "scaling.csv"))
    assert data["collapsed"] == ["rate"]
    assert len(data["runs"]) == 4 and len(data["skipped"]) == 4
    assert err == ""


def test_failover(fixtures, draw):
    _, out, _ = draw("plot_failover", fixtures / "failover.csv")
    data = plot_failover.load(str(fixtures / "failover.csv"))
    rows = data["rows"]
    by = {k: plot_failover.stats(g) for k, g in rows.groupby(["lo", "hi"])}
    # 150 ms, no randomness: split votes until the end in every trial, so every figure is a lower
    # bound. Sorted: 2806.729181, 3017.325009, 3033.916489, 3290.466558.
    s = by[(150.0, 150.0)]
    assert (s["trials"], s["elected"]) == (4, 0)
    assert s["median"] == (3017.325009, True) and s["p99"] == (3290.466558, True)
    assert s["mean"] == (pytest.approx((2806.729181 + 3017.325009 + 3033.916489 + 3290.466558) / 4), True)
    # 150-300 ms: 149.383595, 159.312628, 164.382508, 209.215849, every trial elected.
    s = by[(150.0, 300.0)]
    assert (s["elected"], s["median"], s["p99"], s["max"]) == (4, (159.312628, False), (209.215849, False),
                                                               (209.215849, False))
    assert by[(75.0, 150.0)]["median"] == (79.268695, False)
    cells = [re.split(r"\s{2,}", line.strip()) for line in out.split("\n")[:4]]
    assert cells == [
        ["election timeout", "trials", "elected", "median", "p99", "max", "mean", "Raft paper (§9.3)"],
        ["150–150 ms (no randomness)", "4", "0%", "≥ 3.02 s", "≥ 3.29 s", "≥ 3.29 s", "≥ 3.04 s",
         "always > 10 s (split votes)"],
        ["150–300 ms", "4", "100%", "159 ms", "209 ms", "209 ms", "171 ms"],
        ["75–150 ms", "4", "100%", "79.3 ms", "89.3 ms", "89.3 ms", "80.9 ms"]]
    assert plot_failover.timeout_range("150ms:300ms", "raft") == (150.0, 300.0)
    assert plot_failover.timeout_range("", "raft") == (150.0, 300.0)  # the preset's
    assert plot_failover.timeout_range("0.15s", "") == (150.0, 150.0)


def test_tradeoff(fixtures, draw):
    draw("plot_tradeoff", fixtures / "tradeoff.csv")
    data = plot_tradeoff.load(str(fixtures / "tradeoff.csv"))
    points = {p["label"]: p for p in data["points"]}
    assert list(points) == ["W=ONE R=ONE", "W=QUORUM R=QUORUM", "W=LOCAL_QUORUM R=LOCAL_QUORUM"]
    one = points["W=ONE R=ONE"]
    assert (one["n"], one["x_lo"], one["x_hi"]) == (2, 0.477273, 0.509615)
    assert one["x"] == pytest.approx((0.477273 + 0.509615) / 2)
    assert (one["y"], one["t"], one["overlap"]) == (0.400365, 0.400365, "never")
    assert points["W=QUORUM R=QUORUM"]["overlap"] == "always"
    assert points["W=QUORUM R=QUORUM"]["t"] == 80.404542
    assert points["W=LOCAL_QUORUM R=LOCAL_QUORUM"]["overlap"] == "local"
    assert data["replicas"] == "rf 1 in each datacenter"
    # Latencies from 0.400365 to 80.404542 ms: more than 30×, so a log axis.
    assert plot_tradeoff.pick_yscale(data["points"], "auto", data["latency"], data["tail"]) == "log"
    draw("plot_tradeoff", fixtures / "tradeoff.csv", "--label", "consistency", "--tail", "none",
         "--yscale", "linear", out="linear.png")


def test_sweep(fixtures, draw):
    _, _, err = draw("plot_sweep", fixtures / "capacity.csv", "--x", "rate", "--y", "throughput_writes_per_s",
                     "--hue", "model", "--logx")
    assert err == ""
    draw("plot_sweep", fixtures / "scaling.csv", "--x", "nodes", "--y", "write_p99_ms", "--hue", "model",
         "--facet", "rate", "--logy", out="facets.png")
    draw("plot_sweep", fixtures / "tradeoff.csv", "--x", "consistency", "--y", "stale_read_fraction",
         out="categories.png")
    _, _, err = draw("plot_sweep", fixtures / "capacity.csv", "--x", "model", "--y", "busiest_node_utilization",
                     out="mixed.png")
    assert err.endswith("warning: points average over runs with different rate\n")
    data = plot_sweep.load(str(fixtures / "capacity.csv"), "rate", "throughput_writes_per_s", "model")
    layout = plot_sweep.plan(data)
    assert layout["xs"] == [100.0, 800.0, 3000.0] and layout["hues"] == ["leader-follower", "partitioned", "chain"]
    assert (layout["n_min"], layout["n_max"], layout["spread"]) == (2, 2, "minmax")
    g = data["rows"][(data["rows"]["model"] == "chain") & (data["rows"]["rate"] == 3000)]
    assert plot_sweep.aggregate(g, "throughput_writes_per_s", "minmax") == \
        (2, pytest.approx((4290.483835 + 5015.027154) / 2), 4290.483835, 5015.027154)


def test_sweep_interval_by_hand():
    g = pd.DataFrame({"y": [1.0, 2.0, 3.0]})
    n, mean, lo, hi = plot_sweep.aggregate(g, "y", "ci95")
    half = 4.303 * 1.0 / math.sqrt(3)  # t(2 degrees of freedom) × sd 1 / √3
    assert (n, mean) == (3, 2.0) and (lo, hi) == pytest.approx((2 - half, 2 + half))
    assert plot_sweep.t975(1) == 12.706 and plot_sweep.t975(100) == pytest.approx(1.95996 + 0.023722)
    col = pd.Series([3.0, float("nan"), 1.0, 3.0])
    assert plot_sweep.ordered(col)[:2] == [1.0, 3.0] and math.isnan(plot_sweep.ordered(col)[2])
    assert plot_sweep.ordered(pd.Series(["b", "", "a", "b"])) == ["b", "a", ""]


def test_bench(fixtures, draw):
    _, out, _ = draw("plot_bench", fixtures / "bench.csv")
    # Ratios at or above 0.8: leader-follower at 20 nodes (1.39873, 1.79358), partitioned at 20 nodes
    # (1.29554, 3.20371) and at 10 with costs (3.48617); not the other three.
    assert out.split("\n")[0] == "5 of 8 cases meet their ratio target"
    data = plot_bench.load(str(fixtures / "bench.csv"))
    assert data["title"] == "replisim against a bare SimGrid loop on the same star (one run each)"


def test_default_output_names(fixtures, tmp_path, capsys, png):
    """Without -o a figure goes beside its input, under the script's name for it."""
    shutil.copy(fixtures / "scaling.csv", tmp_path / "summary.csv")
    plot_sweep.main([str(tmp_path / "summary.csv"), "--x", "nodes", "--y", "write_p50_ms", "--hue", "model"])
    plot_scaling.main([str(tmp_path / "summary.csv")])
    assert capsys.readouterr().out.split() == [str(tmp_path / "write_p50_ms_vs_nodes.png"),
                                              str(tmp_path / "scaling.png")]
    png(tmp_path / "scaling.png")
