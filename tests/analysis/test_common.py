"""The helpers every script shares: percentiles, durations, titles, model notes from columns."""
import pandas as pd
import pytest

import common


def test_nearest_rank_is_the_ceil_q_n_over_100_th_smallest():
    values = [5.0, 1.0, 4.0, 2.0, 3.0]
    assert common.nearest_rank(values, 50) == 3.0  # ⌈2.5⌉ = 3rd smallest
    assert common.nearest_rank(values, 20) == 1.0  # ⌈1.0⌉ = 1st
    assert common.nearest_rank(values, 21) == 2.0  # ⌈1.05⌉ = 2nd
    assert common.nearest_rank(values, 99) == 5.0
    assert common.nearest_rank(values, 100) == 5.0


def test_nearest_rank_matches_the_summary(fixtures):
    """ops.csv's ok writes and reads give summary.csv's percentiles (counted by hand: 27 writes,
    p50 the 14th smallest, p99 the 27th; 33 reads, p50 the 17th, p99 the 33rd)."""
    ops = pd.read_csv(fixtures / "leaderless/ops.csv")
    ok = ops[ops["outcome"] == "ok"]
    writes = ok.loc[ok["kind"] == "write", "latency_ms"]
    reads = ok.loc[ok["kind"] == "read", "latency_ms"]
    assert (len(writes), len(reads)) == (27, 33)
    assert common.nearest_rank(writes, 50) == 46.720806
    assert common.nearest_rank(writes, 99) == 77.547493
    assert common.nearest_rank(reads, 50) == 20.004066
    assert common.nearest_rank(reads, 99) == 40.010090
    summary = pd.read_csv(fixtures / "leaderless/summary.csv").iloc[0]
    assert (summary["write_p50_ms"], summary["write_p99_ms"]) == (46.720806, 77.547493)
    assert (summary["read_p50_ms"], summary["read_p99_ms"]) == (20.004066, 40.010090)


@pytest.mark.parametrize("text, seconds", [("150ms", 0.15), ("2.5s", 2.5), ("1min", 60.0), ("12", 0.012),
                                           ("250us", 0.00025), ("0s", 0.0), (" 3s ", 3.0)])
def test_duration_s(text, seconds):
    assert common.duration_s(text) == pytest.approx(seconds, rel=1e-12)


@pytest.mark.parametrize("text", ["", "ms", "fast", "3 parsecs", "-1s", "inf"])
def test_duration_s_refuses(text):
    with pytest.raises(ValueError, match="not a duration"):
        common.duration_s(text)


@pytest.mark.parametrize("ms, text", [(287, "287 ms"), (40.0057, "40 ms"), (999.4, "999 ms"), (999.6, "1 s"),
                                      (1350, "1.35 s"), (13_900, "13.9 s"), (1_234_567, "1,235 s")])
def test_ms_text(ms, text):
    assert common.ms_text(ms) == text


def test_units_and_labels_of_columns():
    assert common.column_unit("throughput_writes_per_s") == "/s"
    assert common.column_unit("sim_time_s") == "s"
    assert common.column_unit("stale_read_fraction") == "%"
    assert common.axis_label("write_p99_ms") == "write latency, p99 (ms)"
    assert "read_p95_ms" not in common.COLUMN_LABELS  # summary.csv has no read p95
    assert common.format_value("stale_read_fraction", 0.125) == "12.5%"
    assert common.format_value("latency_ms", 5.0) == "5 ms"
    assert common.format_value("model", "") == "(empty)"


def test_run_title_and_service_text():
    summary = {"model": "leader-follower", "platform": "star", "nodes": "9", "clients": "1", "rf": "3",
               "write_concern": "majority", "latency": "1ms", "read_ratio": "0", "rate": "0", "threads": "2",
               "service": ""}
    assert common.run_title(summary, "?") == \
        "leader-follower — star, 9 nodes, 1 client, rf 3, w=majority, latency 1ms"
    assert common.service_text("client=exp:0.5ms write=exp:0.2ms") == \
        "cost per message (exp. mean): client request 0.5 · write 0.2 ms"
    assert common.run_title(None, "fallback") == "fallback"


def summaries(path):
    """The rows of a summary.csv as dicts of strings, as shared_params gives them."""
    return pd.read_csv(path, dtype=str, keep_default_na=False).to_dict("records")


def test_model_note_from_the_columns_of_every_model(fixtures):
    notes = {(f, r["model"], r["nodes"]): common.model_note(r["model"], r)
             for f in ("scaling", "capacity", "roles") for r in summaries(fixtures / f"{f}.csv")}
    # leader-follower: nodes / rf units, each led by one node (max_leader_units 1, min 0).
    assert notes[("scaling", "leader-follower", "3")] == "one primary takes every write"
    assert notes[("scaling", "leader-follower", "6")] == "2 primaries take every write"
    assert notes[("roles", "leader-follower", "9")] == "3 primaries take every write"
    # partitioned: min = max leader units (6 on 6 nodes, 12 on 6 or 3); 12 on 9 nodes: 1 to 2.
    assert notes[("scaling", "partitioned", "6")] == "6 partitions: every node leads 1"
    assert notes[("capacity", "partitioned", "6")] == "12 partitions: every node leads 2"
    assert notes[("roles", "partitioned", "3")] == "12 partitions: every node leads 4"
    assert notes[("roles", "partitioned", "9")] == "12 partitions, leaders spread over the nodes"
    assert notes[("capacity", "chain", "6")] == "12 chains: every node leads 2"
    assert notes[("scaling", "leaderless", "3")] == "any node coordinates a write"  # leaders_per_unit 0
    multi = {"leaders_per_unit": "3", "leaders_per_zone": "3", "platform": "star", "unit_count": "1"}
    assert common.model_note("multi-leader", multi) == "3 leaders take the writes"
    assert common.model_note("multi-leader", dict(multi, leaders_per_zone="1", platform="wan.xml")) == \
        "1 leader per zone takes the writes"


def test_model_note_across_node_counts(fixtures):
    """Over runs of several sizes only what they share is known: scaling.csv's leader-follower runs
    (3 and 6 nodes) share leader_imbalance 3, its partitioned runs unit_count 6."""
    df = pd.read_csv(fixtures / "scaling.csv", dtype=str, keep_default_na=False)
    shared = {m: common.shared_params(g, skip=("nodes",)) for m, g in df.groupby("model")}
    assert common.model_note("leader-follower", shared["leader-follower"]) == \
        "the primaries, one node in 3, take every write"
    assert common.model_note("partitioned", shared["partitioned"]) == "6 partitions, leaders spread over the nodes"
    assert common.model_note("some-model", {}) == ""
    even = {"leaders_per_unit": "1", "min_leader_units": "2", "max_leader_units": "2", "unit_count": "8"}
    assert common.model_note("some-model", even) == "8 units: every node leads 2"


def test_leadership(fixtures):
    kinds = {(r["model"], r["nodes"]): common.leadership(r) for r in summaries(fixtures / "scaling.csv")}
    assert kinds[("partitioned", "6")] == "every node"
    assert kinds[("leader-follower", "6")] == "some nodes"
    assert kinds[("leaderless", "6")] is None


def test_every_model_has_its_own_style():
    styles = common.model_styles(["chain", "leader-follower", "new-model"])
    assert styles["chain"] == ("C4", "v")
    assert styles["new-model"] not in common.MODEL_STYLES.values()
    assert common.model_order(["new-model", "chain", "partitioned"]) == ["partitioned", "chain", "new-model"]


def test_drop_not_ok_and_mixed_params():
    df = pd.DataFrame({"model": ["a", "a", "b"], "rate": ["1", "2", "1"], "status": ["ok", "failed", "ok"],
                       "error": ["", "it broke", ""]})
    kept, n, note, warning = common.drop_not_ok(df)
    assert (len(kept), n, note) == (2, 1, "1 row left out: status failed")
    assert warning == "1 row with status not ok left out (first error: it broke)"
    assert common.mixed_params(df, ["model"]) == ["rate"]
    assert common.mixed_params(df, ["model"], skip=("rate",)) == []


def test_read_csv_names_missing_columns(fixtures):
    with pytest.raises(common.InputError, match=r"missing column\(s\) no_such, nor_this"):
        common.read_csv(fixtures / "run/roles.csv", ["node", "no_such", "nor_this"])
    df = common.read_csv(fixtures / "run/roles.csv", ["node"], optional=["busy_fraction", "not_there"])
    assert list(df.columns) == ["node", "busy_fraction", "not_there"] and df["not_there"].isna().all()
    with pytest.raises(common.InputError, match="file not found"):
        common.read_table(fixtures / "nothing.csv", [])
