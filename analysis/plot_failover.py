#!/usr/bin/python3
"""How long a replica set goes without a leader after its leader crashes, per range of election
timeouts, in the style of Figure 16 of the Raft paper (Ongaro and Ousterhout, USENIX ATC 2014,
§9.3), from a sweep over election-timeout (experiments/specs/failover.toml). Top: ranges whose shortest
timeout is 150 ms, with more and more randomness. Bottom: ranges from T to 2T for shorter and
shorter T. 150ms:300ms is in both. Each curve is the share of trials that had a leader again
within a time; a run still without one when it ended is counted as at least that long and marked.
Also prints, per range, the trials, how many elected a leader, and the median, p99, max and mean
time without one, beside the figures the paper reports."""
import math
import sys
import textwrap

import common  # sets the Agg backend before pyplot is imported
import schema
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter

DEFAULT_NAME = "failover_fig16.png"
DOWN, RANGE = schema.known("summary.csv", "unavailability_max_ms", "election_timeout")
# Empty, once a fault happened, when some unit never had a leader again (experiments/leadership.hpp).
AFTER, = schema.known("summary.csv", "leader_imbalance_after_fault")
REQUIRED = schema.known("summary.csv", RANGE, DOWN, "outages", AFTER)
SKIP = schema.known("summary.csv", "seed", "status", "error", RANGE)
ELECTIONS = {"raft": "Raft", "mongodb": "MongoDB"}
PLAIN = FuncFormatter(lambda v, _: f"{v:,.10g}")  # 1,000 ms, not 10³
# What the paper reports in the text of §9.3, by range in ms.
PAPER = {(150, 150): "always > 10 s (split votes)",
         (150, 155): "median 287 ms",
         (150, 200): "max 513 ms (1,000 trials)",
         (12, 24): "mean 35 ms, max 152 ms"}


def timeout_range(text, failover):
    """(shortest, longest) election timeout in ms from the election_timeout column, rounded to
    the ns so that 0.15s and 150000us are 150 ms as 150ms is."""
    if text == "":  # the preset's, which summary.csv leaves empty
        text = common.ELECTION_TIMEOUTS.get(failover, "")
    lo, _, hi = text.partition(":")
    lo_ms = round(common.duration_s(lo) * 1e3, 6)
    return lo_ms, (round(common.duration_s(hi) * 1e3, 6) if hi else lo_ms)


def load(path, title=None):
    df = common.read_table(path, REQUIRED)
    df, notes, warnings = common.ok_rows(df, path)
    text = df.copy()  # the cells as written, for the title
    df = common.numeric_columns(df, [DOWN, "outages"], path)
    df = common.drop_rows(df, ~(df["outages"] > 0), "no outage (the leader never went)", notes,
                          warnings)
    if df.empty:
        raise common.InputError(f"{path}: no ok row has an outage to plot ({'; '.join(notes)})")
    failover = df["failover"] if "failover" in df else [""] * len(df)
    ranges = {}
    for cell, how in dict.fromkeys(zip(df[RANGE], failover)):
        try:
            ranges[cell] = timeout_range(cell, how)
        except ValueError as e:
            raise common.InputError(f"{path}: column {RANGE}: {e}") from None
    df["lo"] = [ranges[c][0] for c in df[RANGE]]
    df["hi"] = [ranges[c][1] for c in df[RANGE]]
    df["open"] = df[AFTER] == ""  # no leader again before the run ended: a lower bound
    top = df["lo"] == 150
    bottom = np.isclose(df["hi"], 2 * df["lo"])
    df = common.drop_rows(df, ~(top | bottom), "timeout range neither starts at 150 ms nor is T to 2T",
                          notes, warnings)
    if df.empty:
        raise common.InputError(f"{path}: no range starts at 150 ms or runs from T to 2T "
                                f"({'; '.join(notes)})")
    mixed = common.mixed_params(df, [df[RANGE]], skip=SKIP)
    if mixed:
        notes.append("caution: a range's trials also differ in " + ", ".join(mixed))
        warnings.append("trials of one range differ in " + ", ".join(mixed))
    if title is None:
        title = subtitle(common.shared_params(text.loc[df.index], skip=SKIP))
    return {"rows": df, "title": title, "notes": notes, "warnings": warnings}


def subtitle(shared):
    """'5 nodes, rf 5, latency 1 ms, Raft elections, heartbeats every half the shortest timeout, ...'"""
    parts = common.title_parts(shared, skip=("clients", "rate"))
    if shared.get("failover"):
        parts.append(f"{ELECTIONS.get(shared['failover'], shared['failover'])} elections")
    parts.append(f"heartbeat {shared['heartbeat']}" if shared.get("heartbeat")
                 else "heartbeats every half the shortest timeout")
    if shared.get("delay"):
        parts.append(f"delay {shared['delay']}")
    if shared.get("clients") and shared.get("rate"):
        c = shared["clients"]
        parts.append((common.plural(int(c), "client") if c.isdigit() else f"{c} clients")
                     + f" × {shared['rate']} writes/s")
    return common.wrap_parts([shared.get("model", "replisim")] + parts, 100)


def stats(rows):
    """Per range: trials, leaders elected, and median, p99, max, mean of the time without a
    leader (nearest rank), each with whether it is only a lower bound (it counts a run that
    ended still without a leader)."""
    t = np.sort(rows[DOWN].to_numpy(float))
    open_min = rows.loc[rows["open"], DOWN].min() if rows["open"].any() else math.inf
    out = {"trials": len(t), "elected": int((~rows["open"]).sum())}
    for name, q in (("median", 50), ("p99", 99)):
        v = common.nearest_rank(t, q)
        out[name] = (v, v >= open_min)
    out["max"] = (float(t[-1]), rows["open"].any())
    out["mean"] = (float(t.mean()), rows["open"].any())
    return out


def label(lo, hi):
    return f"{lo:g}–{hi:g} ms" + (" (no randomness)" if lo == hi else "")


def shown(value):
    v, bound = value
    return ("≥ " if bound else "") + common.ms_text(v)


def table(data):
    """The per-range figures, aligned, for a terminal or a README."""
    rows = data["rows"]
    head = ["election timeout", "trials", "elected", "median", "p99", "max", "mean", "Raft paper (§9.3)"]
    lines = []
    # The figure's order: the top panel's ranges, then the bottom one's.
    for (lo, hi), g in sorted(rows.groupby(["lo", "hi"]), key=lambda kv: (kv[0][0] != 150, kv[0])):
        s = stats(g)
        lines.append([label(lo, hi), str(s["trials"]), f"{s['elected'] / s['trials']:.0%}",
                      shown(s["median"]), shown(s["p99"]), shown(s["max"]), shown(s["mean"]),
                      PAPER.get((lo, hi), "")])
    widths = [max(len(r[i]) for r in [head] + lines) for i in range(len(head))]
    fmt = lambda r: "  ".join(c.ljust(w) if i in (0, 7) else c.rjust(w)  # noqa: E731
                              for i, (c, w) in enumerate(zip(r, widths))).rstrip()
    return "\n".join([fmt(head)] + [fmt(r) for r in lines])


def curve(ax, g, color, lo, hi):
    """The CDF of one range's trials, in % of all its trials; a run that ended without a leader
    again shows as a ▶ at the height the curve stops, where its time without one is a lower bound."""
    s = stats(g)
    n = s["trials"]
    done = np.sort(g.loc[~g["open"], DOWN].to_numpy(float))
    y = 100 * np.arange(1, len(done) + 1) / n
    med = shown(s["median"])
    text = f"{label(lo, hi)}: median {med}"
    if len(done):
        ax.step(np.r_[done[0], done], np.r_[0, y], where="post", color=color, lw=1.8)
    if s["elected"] < n:
        never = g.loc[g["open"], DOWN]
        top = y[-1] if len(y) else 0
        if len(done):
            ax.plot([done[-1], never.min()], [top, top], color=color, lw=1, ls=":")
        ax.plot([never.min()], [top], marker=">", ms=9, color=color, ls="none", clip_on=False)
        if not len(done):  # no curve at all: say which range the lone ▶ stands for
            ax.annotate(f"{label(lo, hi)}:\nno leader in any run", (never.min(), top), xytext=(0, 14),
                        textcoords="offset points", ha="center", fontsize=8.5, color=color,
                        bbox=dict(boxstyle="round,pad=0.2", fc="white", ec="none", alpha=0.8))
        text += (f"\n{n - s['elected']} of {n} never elected: still without\n"
                 f"a leader ≥ {common.ms_text(never.min())} after the crash, when the run ended")
    return Line2D([], [], color=color, lw=1.8, label=text)


def render(data, out):
    rows = data["rows"]
    ranges = rows[["lo", "hi"]].drop_duplicates()
    panels = [("shortest timeout 150 ms, more and more randomness",
               ranges[ranges["lo"] == 150].sort_values("hi")),
              ("timeouts from T to 2T, shorter and shorter T",
               ranges[np.isclose(ranges["hi"], 2 * ranges["lo"])].sort_values("lo"))]
    panels = [(t, r) for t, r in panels if not r.empty]
    # One colour per range, the same in both panels (150–300 ms is in each).
    keys = list(dict.fromkeys(map(tuple, ranges.sort_values(["lo", "hi"]).to_numpy())))
    cmap = plt.get_cmap("tab10")
    colors = {k: cmap(i % 10) for i, k in enumerate(keys)}
    fig, axes = plt.subplots(len(panels), 1, sharex=True, figsize=(12, 4.3 * len(panels) + 1.2),
                             squeeze=False)
    trials = rows.groupby(["lo", "hi"]).size()
    n = f"{trials.min()}" if trials.min() == trials.max() else f"{trials.min()}–{trials.max()}"
    notes = [f"{n} trials per range: runs whose leader crashed\nat a random phase of its "
             "heartbeat interval"] + [textwrap.fill(t, 50) for t in data["notes"]]
    for ax, (what, rs) in zip(axes[:, 0], panels):
        range_panel(ax, what, rows, rs, colors, notes if ax is axes[-1, 0] else [])
    time_axis(axes[-1, 0], rows[DOWN].to_numpy(float))
    fig.suptitle("Time without a leader after the leader crashes (after Raft's Figure 16)\n"
                 + data["title"], fontsize=11)
    return common.save_figure(fig, out, bbox_inches="tight")


def range_panel(ax, what, rows, rs, colors, notes):
    """One panel: the CDF of each range in `rs`, with its legend (and `notes` below it)."""
    handles, any_open = [], False
    for lo, hi in rs.to_numpy():
        g = rows[(rows["lo"] == lo) & (rows["hi"] == hi)]
        handles.append(curve(ax, g, colors[(lo, hi)], lo, hi))
        any_open |= bool(g["open"].any())
    if any_open:
        handles.append(Line2D([], [], color="0.3", marker=">", ls="none",
                              label="▶ runs still without a leader when they ended:\n"
                                    "their time is at least this"))
    if notes:
        handles += [Line2D([], [], ls="none", label=t) for t in [""] + notes]
    ax.legend(handles=handles, title="election timeouts", loc="upper left",
              bbox_to_anchor=(1.01, 1), fontsize=8.5, title_fontsize=9, frameon=False,
              alignment="left")
    ax.set_title(what, fontsize=10)
    ax.set_ylim(0, 102)
    ax.set_ylabel("cumulative % of trials")
    ax.grid(True, which="major", alpha=0.3)
    ax.grid(True, which="minor", axis="x", alpha=0.1)


def time_axis(bot, xs):
    """The shared time axis, logarithmic, around every trial's time."""
    bot.set_xscale("log")
    bot.set_xlim(xs[xs > 0].min() / 1.3 if (xs > 0).any() else 1, xs.max() * 1.3)
    bot.xaxis.set_major_formatter(PLAIN)
    bot.set_xlabel("time without a leader after the leader crashed (ms, log scale)")


def main(argv=None):
    common.plot_main(__doc__, argv, arg="summary_csv", arg_help="summary.csv of a sweep over election-timeout "
                     "with a leader crash (e.g. experiments/specs/failover.toml)", default_name=DEFAULT_NAME,
                     options=common.title_flag(), load=lambda a: load(a.summary_csv, a.title), render=render,
                     report=table)


if __name__ == "__main__":
    sys.exit(main())
