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


def test_the_replisim_side_takes_the_real_clusters_members_and_timings():
    flags = ev.replisim_flags(5, 100, 500).split()
    assert flags[flags.index("--nodes") + 1] == "5" and flags[flags.index("--rf") + 1] == "5"
    assert flags[flags.index("--heartbeat") + 1] == "100ms"
    assert flags[flags.index("--election-timeout") + 1] == "500ms"
    assert ev.replisim_flags(3, 100, 1000) == ev.DEFAULT_REPLISIM_FLAGS


def test_fault_schedule_keeps_etcds_defaults_and_scales_with_the_timeout():
    # etcd's defaults: at 3 to 3.1 s, resumed at 9 s, 100 writes (10 s at 10 a second).
    assert ev.fault_schedule(100, 1000) == (3.0, 3.1, 9.0, 100)
    # A shorter timeout: the same start, a pause of 6 et, one second more of writes.
    assert ev.fault_schedule(100, 500) == (3.0, 3.1, 6.0, 70)
    # A longer one waits for the first leader (up to 2 et): from 3 et.
    start, end, resume, ops = ev.fault_schedule(200, 2000)
    assert (start, end, resume, ops) == (6.0, 6.2, 18.0, 190)


def test_fault_files_name_the_leader_at_the_schedules_moments(tmp_path):
    crash = ev.fault_file("crash", str(tmp_path), 100, 1000)
    assert open(crash).read() == '[[crash]]\nnode = "most-leaders"\nat = "3s:3.1s"\n'
    pause = ev.fault_file("pause", str(tmp_path), 50, 500)
    assert open(pause).read() == '[[pause]]\nnode = "most-leaders"\nat = "3s:3.05s"\nresume = "6s"\n'
    assert ev.run_flags(100, 500) == "--clients 1 --rate 10 --ops 70 --ops-file none"


class Options:
    def __init__(self, **kw):
        self.members, self.heartbeat_ms, self.election_ms = 3, 100, 1000
        self.trials, self.seeds, self.replisim_flags, self.keep_logs = 30, 300, None, None
        self.__dict__.update(kw)


def test_settings_etcd_or_replisim_would_refuse_are_refused_before_any_trial():
    assert ev.settings_problem(Options()) is None
    assert ev.settings_problem(Options(members=5, election_ms=500)) is None
    assert "--members" in ev.settings_problem(Options(members=2))
    assert "5 times" in ev.settings_problem(Options(election_ms=400))
    assert "whole number" in ev.settings_problem(Options(election_ms=1050))
    assert "--nodes 3, but --members 5" in ev.settings_problem(Options(members=5, replisim_flags="--nodes 3"))
    assert ev.settings_problem(Options(replisim_flags="--failover raft --election-timeout 1000ms:2000ms")) is None
    assert "--keep-logs: /nonexistent is not a directory" == ev.settings_problem(Options(keep_logs="/nonexistent"))


def test_ecdf_counts_trials_without_a_leader_in_the_total():
    assert ev.ecdf([300, 100, 200, 200]) == ([100, 200, 200, 300], [0.25, 0.5, 0.75, 1.0])
    xs, ys = ev.ecdf([100, None, 300, None])
    assert xs == [100, 300] and ys == [0.25, 0.5]  # half elected no leader: the curve ends at 0.5
    assert ev.ecdf([]) == ([], [])


def test_machine_description_parses_etcds_version_and_meminfo():
    text = "etcd Version: 3.4.23\nGit SHA: Not provided\nGo Version: go1.19.8\nGo OS/Arch: linux/amd64\n"
    assert ev.etcd_versions(text) == ("3.4.23", "1.19.8")
    assert ev.etcd_versions("") == ("?", "?")
    assert ev.memory_gib("MemTotal:       24641536 kB\nMemFree: 1 kB\n") == 23.5
    assert math.isnan(ev.memory_gib(""))


def test_plot_draws_a_png_of_both_cdfs(tmp_path):
    path = tmp_path / "cdf.png"
    results = {"crash": ([950.0, 1200.0, None], [900.0, 1000.0, 2100.0]), "pause": ([980.0], [1010.0])}
    ev.plot(str(path), results, Options(replisim_flags=ev.DEFAULT_REPLISIM_FLAGS), "a machine")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    try:
        ev.plot(str(tmp_path / "missing" / "cdf.png"), results, Options(replisim_flags="--failover etcd"), "")
        assert False, "an unwritable --plot is a Failure"
    except ev.Failure as e:
        assert "--plot" in str(e)
    assert ev.replisim_label("--nodes 3 --failover raft --heartbeat 100ms") == "--failover raft"


def test_keep_logs_copies_each_members_log_under_the_trials_name(tmp_path):
    data, kept = tmp_path / "data", tmp_path / "kept"
    data.mkdir()
    kept.mkdir()
    members = [ev.Member(f"m{i}", 0, 0, str(data)) for i in range(3)]
    for m in members[:2]:  # m2 has written no log yet
        with open(m.log, "w") as f:
            f.write(f'{{"msg": "{m.name} line"}}\n')
    paths = ev.keep_logs(members, str(kept), "crash-68")
    assert paths == [str(kept / "crash-68-m0.log"), str(kept / "crash-68-m1.log")]
    assert (kept / "crash-68-m1.log").read_text() == '{"msg": "m1 line"}\n'
    assert os.path.exists(members[0].log)  # a copy: the member goes on writing its own
