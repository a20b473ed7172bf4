"""The statistics of scripts/etcd_validation.py against values worked out by
hand or from their definitions (no etcd needed)."""
import math
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "scripts"))
import etcd_validation as ev  # noqa: E402


def test_ks_statistic_is_the_largest_gap_between_the_two_cdfs():
    d, p = ev.ks_two_sample([1, 2, 3], [2.5, 3.5, 4.5, 5.5])
    assert d == 0.75  # at 3: F_a = 1, F_b = 1/4
    assert 0 < p < 1
    assert ev.ks_two_sample([1, 2, 3], [1, 2, 3])[0] == 0


def test_ks_p_value_is_q_ks_of_the_corrected_lambda():
    # Q_KS(1.36) ~ 0.049 and Q_KS(1.63) ~ 0.010: the tabulated 5 % and 1 % points.
    assert abs(ev.q_ks(1.358) - 0.05) < 0.001
    assert abs(ev.q_ks(1.628) - 0.01) < 0.001
    assert ev.q_ks(0.1) == 1.0


def test_median_interval_has_the_binomial_ranks():
    # n = 30: ranks 10 and 21 (P(Bin(30, 1/2) < 10) = 0.0214 <= 0.025 < P(< 11) = 0.0494).
    assert ev.median_ci(list(range(1, 31))) == (10, 21)
    assert ev.median_ci([1, 2, 3]) == (1, 3)  # too few for 95 %: the whole range


def test_wilson_interval():
    lo, hi = ev.wilson(0, 300)
    assert lo == 0 and abs(hi - 0.01264) < 1e-4
    lo, hi = ev.wilson(8, 30)
    assert abs(lo - 0.1418) < 1e-3 and abs(hi - 0.4445) < 1e-3


def test_quantile_interpolates_between_order_statistics():
    assert ev.quantile([1, 2, 3, 4], 0.5) == 2.5
    assert ev.quantile([1, 2, 3, 4], 0.9) == 3.7
    assert math.isnan(ev.quantile([], 0.5))


def test_zap_timestamps_are_utc_milliseconds():
    assert ev.log_time("1970-01-01T00:00:01.250Z") == 1.25


def test_default_replisim_flags_are_the_etcd_preset_with_etcds_defaults():
    flags = ev.DEFAULT_REPLISIM_FLAGS.split()
    assert flags[flags.index("--failover") + 1] == "etcd"
    assert flags[flags.index("--heartbeat") + 1] == "100ms"
    assert flags[flags.index("--election-timeout") + 1] == "1000ms"


def test_etcd_csv_gives_back_the_real_trials_of_each_fault(tmp_path):
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    first.write_text("source,fault,trial,ms\netcd,crash,1,1203.5\nreplisim,crash,1,999\netcd,pause,1,\n")
    second.write_text("source,fault,trial,ms\netcd,crash,1,2400\n")
    trials = ev.read_real_trials(f"{first},{second}")
    assert trials == {"crash": [1203.5, 2400.0], "pause": [None]}
    try:
        ev.read_real_trials(str(tmp_path / "missing.csv"))
        assert False, "a missing file is a Failure"
    except ev.Failure as e:
        assert "missing.csv" in str(e)
