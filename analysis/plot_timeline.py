#!/usr/bin/python3
"""Units led by each node over one replisim run, from its roles_timeline.csv (written with
--faults, or --timeline-step): a stacked area per node, so the top of the stack is the units that
had a leader and a gap below the dashed line is units without one. Faults are marked from the
run's fault file (--faults) or at given times (--mark); the title comes from summary.csv beside
the file. --window shows chosen stretches of the run side by side (a broken time axis), so that
a gap of seconds and an event minutes later both stay readable."""
import argparse
import sys
import tomllib

import common  # sets the Agg backend before pyplot is imported
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

DEFAULT_NAME = "roles_timeline.png"
COLUMNS = ["time_s", "node", "leader_units"]
LABEL_BOX = dict(boxstyle="round,pad=0.2", fc="white", ec="none", alpha=0.85)
# The keys of a fault file (experiments/fault_file.hpp) that give times, and what they mean.
FAULT_TIMES = {"crash": (("at", "{} crashes"), ("recover", "{} comes back")),
               "link": (("down", "{} down"), ("up", "{} up")),
               "partition": (("from", "partition {}"), ("until", "partition {} healed"))}


def load(path, summary_csv=None, title=None):
    tl = common.read_csv(path, COLUMNS, optional=["host"])
    if tl.empty:
        raise common.InputError(f"{path}: no rows (header only)")
    for c in COLUMNS:
        if tl[c].dtype.kind not in "if" or tl[c].isna().any():
            raise common.InputError(f"{path}: column {c} is not numeric in every row")
    led = tl.pivot_table(index="time_s", columns="node", values="leader_units", aggfunc="first")
    if led.isna().any().any():
        raise common.InputError(f"{path}: not every node has a row at every time")
    hosts = tl.drop_duplicates("node").set_index("node")["host"]
    summary = common.read_summary(summary_csv or common.beside(path, "summary.csv"),
                                  required=summary_csv is not None)
    if title is None:
        title = common.run_title(summary, f"{path} (no summary.csv beside it)")
    return {"led": led, "hosts": hosts, "summary": summary or {}, "title": title}


def parse_marks(text):
    """[(seconds, label)] from --mark '10s,60s'."""
    marks = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        try:
            marks.append((common.duration_s(part), part))
        except ValueError as e:
            raise common.InputError(f"--mark: {e}") from None
    return marks


def parse_windows(texts):
    """[(lo, hi)] in seconds from --window '0s:80s' --window '300s:' (an empty end: the end of
    the run; an empty start: its start), in order and apart."""
    windows = []
    for text in texts:
        lo, sep, hi = text.partition(":")
        if not sep:
            raise common.InputError(f"--window: {text!r} is not a range LO:HI (e.g. 0s:80s, 300s:)")
        try:
            w = (common.duration_s(lo) if lo.strip() else 0.0,
                 common.duration_s(hi) if hi.strip() else float("inf"))
        except ValueError as e:
            raise common.InputError(f"--window {text}: {e}") from None
        if w[1] <= w[0]:
            raise common.InputError(f"--window {text}: the end is not after the start")
        if windows and w[0] < windows[-1][1]:
            raise common.InputError(f"--window {text}: windows must be in time order and not overlap")
        windows.append(w)
    return windows


def fault_times(path):
    """[(lo, hi, label)] in seconds from a fault file: hi == lo for a fixed time, lo < hi for
    a time the run drew from the seed in lo:hi."""
    try:
        with open(path, "rb") as f:
            doc = tomllib.load(f)
    except OSError as e:
        raise common.InputError(f"--faults: cannot read {path}: {e.strerror}") from None
    except tomllib.TOMLDecodeError as e:
        raise common.InputError(f"--faults: {path}: {e}") from None
    marks = []
    for kind, keys in FAULT_TIMES.items():
        entries = doc.get(kind, [])
        for k, entry in enumerate(entries if isinstance(entries, list) else [entries]):
            if not isinstance(entry, dict):
                raise common.InputError(f"--faults: {path}: each {kind} is a table ([[{kind}]])")
            what = fault_subject(kind, entry)
            for key, text in keys:
                if key not in entry:
                    continue
                if what.startswith("the node leading") and key == "recover":
                    what = "the crashed node"  # it leads nothing by then
                lo, _, hi = str(entry[key]).partition(":")
                try:
                    lo_s = common.duration_s(lo)
                    hi_s = common.duration_s(hi) if hi else lo_s
                except ValueError as e:
                    raise common.InputError(f"--faults: {path}: {kind} {k + 1}, {key}: {e}") from None
                marks.append((lo_s, hi_s, text.format(what)))
    return marks


def fault_subject(kind, entry):
    if kind == "crash":
        node = entry.get("host", entry.get("node", "?"))
        return ("the node leading the most units" if node == "most-leaders" else
                f"node {node}" if isinstance(node, int) else str(node))
    if kind == "link":
        return f"link {entry.get('link', '?')}"
    sides = entry.get("sides", [])
    return " | ".join("+".join(map(str, s)) for s in sides) if isinstance(sides, list) else "?"


def story(summary, led):
    """What the timeline shows, a line each, from summary.csv's failover columns."""
    parts = []
    if summary.get("outages", "").isdigit() and summary["outages"] != "0":
        parts.append(common.plural(int(summary["outages"]), "outage") + ", the longest "
                     + common.ms_text(float(summary["unavailability_max_ms"])) + " without a leader")
    before, after = (summary.get(f"leader_imbalance_{w}_fault", "") for w in ("before", "after"))
    if before and after:
        parts.append(f"leader imbalance (max / mean) {float(before):.2f} before the first fault, "
                     f"{float(after):.2f} once every unit had a leader again")
    for t_out, t_back, node, units in returns(led):
        parts.append(f"node {node} led none from {t_out:g} s and {common.plural(units, 'unit')} again "
                     f"from {t_back:g} s")
    interval = summary.get("leader_rebalance_interval", "")
    if summary.get("failover") == "kafka" and interval:
        try:
            never = common.duration_s(interval) == 0
        except ValueError:
            never = False
        parts.append("Kafka's controller: no preferred-leader check (--leader-rebalance-interval 0)" if never
                     else f"Kafka's controller gives partitions back to their preferred leaders at a check "
                          f"every {interval}")
    gone = [n for n in led.columns if led[n].iloc[0] > 0 and led[n].iloc[-1] == 0]
    if len(gone) == 1:
        parts.append(f"node {gone[0]} led {common.plural(int(led[gone[0]].iloc[0]), 'unit')} at the start "
                     "and leads none at the end")
    elif gone:
        parts.append(f"nodes {', '.join(map(str, gone))} led units at the start and lead none at the end")
    step = np.diff(led.index.to_numpy())
    if len(step):
        parts.append(f"sampled every {common.ms_text(float(np.median(step)) * 1e3)}: "
                     "a shorter outage falls between samples or fills one")
    return parts


def returns(led):
    """[(t_out, t_back, node, units)]: a node that led units, then none from t_out, leads `units`
    again from t_back (sample times)."""
    t = led.index.to_numpy(float)
    found = []
    for node in led.columns:
        units = led[node].to_numpy()
        t_out = None
        for i in range(1, len(units)):
            if units[i] == 0 and units[i - 1] > 0:
                t_out = t[i]
            elif units[i] > 0 and units[i - 1] == 0 and t_out is not None:
                found.append((t_out, t[i], node, int(units[i])))
                t_out = None
    return sorted(found, key=lambda r: r[1])


def node_label(node, host):
    """'node 3', or 'node 3 · eu-west-2' when its host is not simply named node3."""
    host = str(host)
    return f"node {node}" + (f" · {host}" if host not in ("", "nan", f"node{node}") else "")


def label_time(ax, x, text, color):
    """Text up the left of a vertical line at x: after a fault is where the timeline changes."""
    ax.annotate(text, (x, 1), xycoords=("data", "axes fraction"), xytext=(-3, -4),
                textcoords="offset points", rotation=90, va="top", ha="right", fontsize=8.5,
                color=color, bbox=LABEL_BOX)


def clip_windows(windows, led):
    """The stretches of the run to draw side by side: the --window ranges cut to the run's
    samples, or the whole run. InputError for a window the run does not reach."""
    t = led.index.to_numpy(float)
    start, end = t[0], (t[-1] if t[-1] > t[0] else t[0] + 1)
    if not windows:
        return [(start, end)]
    cols = []
    for lo, hi in windows:
        if hi <= start or lo >= end:
            shown = f"{lo:g}–{hi:g} s" if hi < float("inf") else f"{lo:g} s to the end"
            raise common.InputError(f"--window {shown}: outside the run ({start:g}–{end:g} s)")
        cols.append((max(lo, start), min(hi, end)))
    return cols


def make_axes(fig, cols, heights):
    """A grid of axes: a row per entry of `heights` (relative heights), a column per time window
    (widths in proportion to their durations, none narrower than a sixth of the whole), the
    columns of a row sharing the y axis and joined by break marks; and over each row an invisible
    axes spanning it, for the row's title. Returns (rows of axes, title axes)."""
    total = sum(hi - lo for lo, hi in cols)
    widths = [max(hi - lo, total / 6) for lo, hi in cols]
    # No wspace: tight_layout (common.save_figure) lays out only a grid it may set itself.
    gs = fig.add_gridspec(len(heights), len(cols), width_ratios=widths, height_ratios=heights)
    rows, titles = [], []
    for r in range(len(heights)):
        row = []
        for c in range(len(cols)):
            row.append(fig.add_subplot(gs[r, c], sharex=rows[0][c] if rows else None,
                                       sharey=row[0] if row else None))
        rows.append(row)
        span = fig.add_subplot(gs[r, :], label=f"title {r}")
        span.axis("off")
        titles.append(span)
    for row in rows:
        break_marks(row)
        for left in row[:-1]:  # one tick label per join, the right column's
            left.xaxis.get_major_locator().set_params(prune="upper")
    return rows, titles


def break_marks(row):
    """Slanted pairs of marks where one time window ends and the next begins."""
    for left, right in zip(row, row[1:]):
        left.spines["right"].set_visible(False)
        right.spines["left"].set_visible(False)
        right.tick_params(axis="y", which="both", left=False, labelleft=False)
        for ax, x in ((left, 1), (right, 0)):
            ax.plot([x, x], [0, 1], transform=ax.transAxes, marker=[(-1, -2.5), (1, 2.5)],
                    markersize=10, ls="none", color="black", mec="black", mew=1, clip_on=False)


def draw_times(ax, lo, hi, faults, marks, back, labels):
    """The fault times, --mark times and returns of leadership as vertical lines (those in lo..hi
    labelled when `labels`); the legend handles for them."""
    for f_lo, f_hi, text in faults:
        if f_hi > f_lo:
            ax.axvspan(f_lo, f_hi, color="tab:red", alpha=0.25, lw=0)
            text += f" (drawn in {f_lo:g}–{f_hi:g} s)"
        else:
            ax.axvline(f_lo, color="tab:red", lw=1.4)
        if labels and lo <= (f_lo + f_hi) / 2 <= hi:
            label_time(ax, (f_lo + f_hi) / 2, text, "tab:red")
    for s, text in marks:
        ax.axvline(s, color="0.2", lw=1.2, ls=":")
        if labels and lo <= s <= hi:
            label_time(ax, s, text, "black")
    for _, t_back, node, units in back:
        ax.axvline(t_back, color="0.15", lw=1.2, ls="-.")
        if labels and lo <= t_back <= hi:
            label_time(ax, t_back, f"node {node} leads {common.plural(units, 'unit')} again", "0.15")
    handles = []
    if faults:
        handles.append(Line2D([], [], color="tab:red", lw=1.4, label="fault (file)"))
    if marks:
        handles.append(Line2D([], [], color="0.2", lw=1.2, ls=":", label="--mark"))
    if back:
        handles.append(Line2D([], [], color="0.15", lw=1.2, ls="-.", label="a node leads units again"))
    return handles


def render(data, out, marks=(), faults=(), windows=()):
    led, hosts = data["led"], data["hosts"]
    t = led.index.to_numpy(float)
    cols = clip_windows(windows, led)
    nodes = list(led.columns)
    cmap = plt.get_cmap("tab20" if len(nodes) > 10 else "tab10")
    colors = [cmap(i % cmap.N) for i in range(len(nodes))]
    back = returns(led)
    fig = plt.figure(figsize=(12, 5.8))
    (row,), (span,) = make_axes(fig, cols, [1])
    for (lo, hi), ax in zip(cols, row):
        ax.stackplot(t, *[led[n].to_numpy(float) for n in nodes], step="post", colors=colors,
                     alpha=0.85, lw=0)
        time_handles = draw_times(ax, lo, hi, faults, marks, back, labels=True)
        ax.set_xlim(lo, hi)
        ax.grid(True, alpha=0.3)
    handles = [Patch(color=c, alpha=0.85, label=node_label(n, hosts.get(n)))
               for n, c in zip(nodes, colors)][::-1]  # top of the stack first
    units = data["summary"].get("unit_count", "")
    top = led.sum(axis=1).max()
    if units not in ("", "nan"):
        for ax in row:
            ax.axhline(float(units), color="black", ls="--", lw=1)
        gap = f"units in all ({float(units):g}): a gap\nbelow is units without a leader"
        handles.append(Line2D([], [], color="black", ls="--", lw=1, label=gap))
        top = max(top, float(units))
    handles += time_handles
    row[0].set_ylim(0, max(top, 1) * 1.08)
    row[0].yaxis.set_major_locator(MaxNLocator(integer=True))
    row[0].set_ylabel("units led (stacked by node)")
    if len(cols) > 1:
        fig.supxlabel("simulated time (s; the axis is broken between windows)", fontsize=10)
    else:
        row[0].set_xlabel("simulated time (s)")
    row[-1].legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8.5,
                   frameon=False, ncol=2 if len(nodes) > 20 else 1)
    span.set_title("\n".join(story(data["summary"], led)), fontsize=9.5, style="italic")
    fig.suptitle("Units led by each node over the run\n" + data["title"], fontsize=11)
    return common.save_figure(fig, out, bbox_inches="tight")


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("timeline_csv", help="roles_timeline.csv written by a replisim run")
    p.add_argument("-o", "--output", help=f"PNG to write (default: {DEFAULT_NAME} beside TIMELINE_CSV)")
    p.add_argument("--summary", help="summary.csv for the title (default: summary.csv beside "
                                     "TIMELINE_CSV, if any)")
    p.add_argument("--title", help="title line (default: model, nodes, rf... from the summary)")
    p.add_argument("--faults", metavar="FILE", help="the run's fault file (--faults): mark its times")
    p.add_argument("--mark", default="", help="vertical lines at these times, e.g. 10s,60s")
    p.add_argument("--window", metavar="LO:HI", action="append", default=[],
                   help="show only this stretch of the run, e.g. 0s:80s; repeat for stretches side by "
                        "side on a broken time axis (an empty HI: to the end, e.g. 300s:)")
    a = p.parse_args(argv)
    out = a.output or common.beside(a.timeline_csv, DEFAULT_NAME)
    try:
        data = load(a.timeline_csv, a.summary, a.title)
        marks = parse_marks(a.mark)
        faults = fault_times(a.faults) if a.faults else []
        windows = parse_windows(a.window)
        clip_windows(windows, data["led"])
        common.check_output(out)
    except common.InputError as e:
        common.fail(e)
    print(render(data, out, marks, faults, windows))


if __name__ == "__main__":
    sys.exit(main())
