#!/usr/bin/python3
"""Units led by each node over one replisim run, from its roles_timeline.csv (written with
--faults, or --timeline-step): a stacked area per node, so the top of the stack is the units that
had a leader and a gap below the dashed line is units without one. Faults are marked from the
run's fault file (--faults) or at given times (--mark); the title comes from summary.csv beside
the file. --window shows chosen stretches of the run side by side (a broken time axis), so that
a gap of seconds and an event minutes later both stay readable. --writes adds a panel below,
on the same time axis: what each write cost, from ops.csv (or ops.csv.gz) beside the file —
its latency at the time its client sent it, the p50 and p99 of each time bin, the writes that
timed out or were refused, and when units had no leader (outages.csv)."""
import os
import sys
import tomllib

import common  # sets the Agg backend before pyplot is imported
import schema
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, MaxNLocator

DEFAULT_NAME = "roles_timeline.png"
COLUMNS = schema.known("roles_timeline.csv", "time_s", "node", "leader_units")
OPS_COLUMNS = schema.known("ops.csv", "kind", "unit", "start_ms", "latency_ms", "outcome")
OUTAGE_COLUMNS = schema.known("outages.csv", "unit", "from_s", "until_s")
OUTCOMES = ("ok", "failed", "timeout")
MAX_BINS = 100_000
LABEL_BOX = dict(boxstyle="round,pad=0.2", fc="white", ec="none", alpha=0.85)
# The keys of a fault file (experiments/fault_file.hpp) that give times, and what they mean.
FAULT_TIMES = {"crash": (("at", "{} crashes"), ("recover", "{} comes back")),
               "link": (("down", "{} down"), ("up", "{} up")),
               "partition": (("from", "partition {}"), ("until", "partition {} healed")),
               "pause": (("at", "{} pauses"), ("resume", "{} resumes"))}


def load(path, summary_csv=None, title=None, mark="", faults=None, windows=(), writes=False, ops=None,
         bin=None):
    """Everything one figure needs: the timeline and its summary, and the marks, fault times, time
    windows and write panel (from `ops`, or ops.csv beside the timeline) the flags ask for."""
    data = read_timeline(path, summary_csv, title)
    data["marks"] = parse_marks(mark)
    data["faults"] = fault_times(faults) if faults else []
    data["windows"] = parse_windows(windows)
    clip_windows(data["windows"], data["led"])
    data["cost"] = load_writes(ops or find_ops(path)) if writes or ops or bin else None
    data["bin_s"] = parse_bin(bin, data) if bin else None
    return data


def parse_bin(text, data):
    """Seconds in --bin, refused when not above 0 or when it makes more than MAX_BINS bins."""
    try:
        bin_s = common.duration_s(text)
    except ValueError as e:
        raise common.InputError(f"--bin: {e}") from None
    if bin_s <= 0:
        raise common.InputError("--bin: must be more than 0")
    t, led = data["cost"]["writes"]["t"], data["led"]
    if (max(t.max(), led.index.max()) - min(t.min(), led.index.min())) / bin_s > MAX_BINS:
        raise common.InputError(f"--bin {text}: more than {MAX_BINS:,} bins over the run")
    return bin_s


def read_timeline(path, summary_csv=None, title=None):
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


def find_ops(timeline_csv):
    """ops.csv beside the timeline, or ops.csv.gz (--ops-file gz), as plot_run.py reads them."""
    for name in ("ops.csv", "ops.csv.gz"):
        path = common.beside(timeline_csv, name)
        if os.path.isfile(path):
            return path
    raise common.InputError(f"--writes: no ops.csv or ops.csv.gz beside {timeline_csv} (a run with "
                            "--ops-file none keeps none); name one with --ops")


def numeric(df, columns, path):
    if df.empty:  # a header only, e.g. outages.csv of a run without outages: nothing to check
        return
    for c in columns:
        if df[c].dtype.kind not in "if" or df[c].isna().any():
            raise common.InputError(f"{path}: column {c} is not numeric in every row")


def load_writes(ops_csv, outages_csv=None):
    """The writes of ops.csv (time sent in s, latency, outcome, attempts, and whether their unit
    had no leader when sent, from outages.csv beside it when there is one)."""
    ops = common.read_csv(ops_csv, OPS_COLUMNS, optional=["attempts"])
    w = ops[ops["kind"] == "write"]
    if w.empty:
        raise common.InputError(f"{ops_csv}: no writes (the panel shows what writes cost)")
    numeric(w, ["unit", "start_ms", "latency_ms"], ops_csv)
    other = sorted(set(w["outcome"].astype(str)) - set(OUTCOMES))
    if other:
        raise common.InputError(f"{ops_csv}: outcome {other[0]!r} is none of {', '.join(OUTCOMES)}")
    writes = {"t": w["start_ms"].to_numpy(float) / 1e3, "latency_ms": w["latency_ms"].to_numpy(float),
              "outcome": w["outcome"].astype(str).to_numpy(), "unit": w["unit"].to_numpy(int),
              "attempts": w["attempts"].to_numpy(float)}  # NaN when ops.csv predates the column
    path = outages_csv or common.beside(ops_csv, "outages.csv")
    outages = None
    if outages_csv or os.path.isfile(path):
        outages = common.read_csv(path, OUTAGE_COLUMNS)
        outages["until_s"] = outages["until_s"].fillna(float("inf"))  # still open when the run ended
        numeric(outages, OUTAGE_COLUMNS, path)
    writes["leaderless"] = sent_leaderless(writes, outages)
    return {"writes": writes, "outages": outages, "path": ops_csv}


def sent_leaderless(writes, outages):
    """Per write: its unit had no leader when its client sent it (False for all without outages)."""
    hit = np.zeros(len(writes["t"]), bool)
    if outages is None:
        return hit
    for unit, spans in outages.groupby("unit"):
        spans = spans.sort_values("from_s")
        mine = writes["unit"] == unit
        t = writes["t"][mine]
        i = np.searchsorted(spans["from_s"].to_numpy(float), t, side="right") - 1
        until = spans["until_s"].to_numpy(float)
        hit[mine] = (i >= 0) & (t < until[np.maximum(i, 0)])
    return hit


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
                if what.startswith("the node leading") and key == "resume":
                    what = "the paused node"
                lo, _, hi = str(entry[key]).partition(":")
                try:
                    lo_s = common.duration_s(lo)
                    hi_s = common.duration_s(hi) if hi else lo_s
                except ValueError as e:
                    raise common.InputError(f"--faults: {path}: {kind} {k + 1}, {key}: {e}") from None
                marks.append((lo_s, hi_s, text.format(what)))
    return marks


def fault_subject(kind, entry):
    if kind in ("crash", "pause"):
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


def cost_text(lat):
    return (f"p50 {common.ms_text(common.nearest_rank(lat, 50))}, "
            f"p99 {common.ms_text(common.nearest_rank(lat, 99))}"
            if len(lat) else "none ok")


def fault_span(faults, end):
    """(first, last) fault time: the stretch of the run a fault schedule disturbed (to the end of
    the run when it gives a single time)."""
    first, last = min(lo for lo, _, _ in faults), max(hi for _, hi, _ in faults)
    return first, last if last > first else end


def cost_story(cost, faults, end, bin_s):
    """What the write panel shows, a line each."""
    w = cost["writes"]
    ok = w["outcome"] == "ok"
    parts = []
    if cost["outages"] is not None and w["leaderless"].any():
        lost = w["leaderless"]
        n_to = int((lost & (w["outcome"] == "timeout")).sum())
        parts.append(f"sent while their unit had no leader: {int(lost.sum()):,} writes"
                     + (f", {n_to:,} timed out" if n_to else "")
                     + f"; ok ones {cost_text(w['latency_ms'][lost & ok])}")
    if faults:
        first, last = fault_span(faults, end)
        inside = (w["t"] >= first) & (w["t"] < last)
        parts.append(f"sent between the first fault and the last ({first:g}–{last:g} s): "
                     f"{cost_text(w['latency_ms'][inside & ok])}; "
                     f"before and after: {cost_text(w['latency_ms'][~inside & ok])}")
    retried = int((w["attempts"] > 1).sum())
    counts = [f"{len(w['t']):,} writes", f"{retried:,} retried" if not np.isnan(w["attempts"]).all() else "",
              f"{int((w['outcome'] == 'timeout').sum()):,} timed out (may have committed)",
              f"{int((w['outcome'] == 'failed').sum()):,} refused"]
    parts.append("in all " + ", ".join(c for c in counts if c)
                 + f"; lines: p50 and p99 of the ok writes sent in each {common.ms_text(bin_s * 1e3)}")
    return parts


def bin_percentiles(w, start, end, bin_s):
    """(edges, p50, p99) of the ok writes' latency by the time they were sent, nearest rank;
    NaN for an empty bin."""
    edges = start + bin_s * np.arange(int(np.ceil((end - start) / bin_s)) + 1)
    ok = w["outcome"] == "ok"
    idx = np.clip(np.digitize(w["t"][ok], edges) - 1, 0, len(edges) - 2)  # the end in the last bin
    lat = w["latency_ms"][ok]
    order = np.lexsort((lat, idx))  # by bin, then latency
    idx, lat = idx[order], lat[order]
    bins, first, n = np.unique(idx, return_index=True, return_counts=True)
    p50, p99 = np.full(len(edges) - 1, np.nan), np.full(len(edges) - 1, np.nan)
    for out, q in ((p50, 50), (p99, 99)):
        out[bins] = lat[first + (q * n + 99) // 100 - 1]  # the ceil(q n / 100)-th smallest
    return edges, p50, p99


def union(outages, end):
    """[(from, until)]: the stretches of the run when some unit had no leader."""
    spans = []
    for lo, hi in sorted(zip(outages["from_s"], np.minimum(outages["until_s"], end))):
        if spans and lo <= spans[-1][1]:
            spans[-1][1] = max(spans[-1][1], hi)
        else:
            spans.append([lo, hi])
    return spans


def draw_writes(ax, cost, edges, p50, p99, timeout_ms):
    """One column of the write panel; returns its legend handles."""
    w = cost["writes"]
    handles = []
    spans = union(cost["outages"], edges[-1]) if cost["outages"] is not None else []
    for lo, hi in spans:
        ax.axvspan(lo, hi, color="0.5", alpha=0.18, lw=0)
    if spans:
        handles.append(Patch(color="0.5", alpha=0.18, label="some unit without a leader (outages.csv)"))
    first = (w["outcome"] == "ok") & ~(w["attempts"] > 1)
    again = (w["outcome"] == "ok") & (w["attempts"] > 1)
    kinds = ((first, "tab:blue", "ok at the first attempt"), (again, "tab:orange", "ok after a retry"))
    if np.isnan(w["attempts"]).all():  # an ops.csv without attempts: retries unknown
        kinds = ((first, "tab:blue", "ok"),)
    for mask, color, label in kinds:
        # Above the p50 and p99 lines: a line would hide the writes that make it.
        ax.scatter(w["t"][mask], w["latency_ms"][mask], s=5, color=color, alpha=0.5, lw=0, zorder=3.5,
                   rasterized=True)
        handles.append(Line2D([], [], ls="none", marker="o", ms=4, color=color,
                              label=f"a write {label} ({int(mask.sum()):,})"))
    for outcome, marker, color, label in (("timeout", "x", "tab:red", "timed out: may have committed"),
                                          ("failed", "v", "black", "refused at every attempt")):
        mask = w["outcome"] == outcome
        if mask.any():
            ax.scatter(w["t"][mask], w["latency_ms"][mask], s=28, marker=marker, color=color, lw=1.2,
                       zorder=4)
            handles.append(Line2D([], [], ls="none", marker=marker, color=color, mew=1.2,
                                  label=f"a write {label} ({int(mask.sum()):,})"))
    for values, color, q in ((p50, "black", "p50"), (p99, "tab:purple", "p99")):
        ax.stairs(values, edges, color=color, lw=1.4, zorder=3, baseline=None)
        handles.append(Line2D([], [], color=color, lw=1.4, label=f"{q} of the ok writes sent in a bin"))
    if timeout_ms:
        ax.axhline(timeout_ms, color="0.3", ls=":", lw=1)
        handles.append(Line2D([], [], color="0.3", ls=":", lw=1,
                              label=f"client timeout per attempt ({common.ms_text(timeout_ms)})"))
    return handles


def render(data, out):
    led, cost = data["led"], data.get("cost")
    faults, marks = data.get("faults", ()), data.get("marks", ())
    cols = clip_windows(data.get("windows", ()), led)
    back = returns(led)
    fig = plt.figure(figsize=(12, 11 if cost else 5.8))
    rows, spans = make_axes(fig, cols, [1, 1] if cost else [1])
    leaders_panel(rows[0], spans[0], cols, data, back)
    if cost:
        draw_cost(rows[1], spans[1], cols, cost, faults, marks, back, led.index.to_numpy(float),
                  data["summary"], data.get("bin_s"))
    if len(cols) > 1:
        fig.supxlabel("simulated time (s; the axis is broken between windows)", fontsize=10)
    else:
        rows[-1][0].set_xlabel("simulated time (s)" + ("; writes at the time their client sent them"
                                                        if cost else ""))
    fig.suptitle(("Units led by each node, and what writes cost, over the run\n" if cost else
                  "Units led by each node over the run\n") + data["title"], fontsize=11)
    return common.save_figure(fig, out, bbox_inches="tight")


def leaders_panel(row, span, cols, data, back):
    """The timeline: a column per time window of units led, stacked by node, under the units in
    all, with the fault, --mark and comeback times; its legend and story."""
    led, hosts = data["led"], data["hosts"]
    t = led.index.to_numpy(float)
    nodes = list(led.columns)
    cmap = plt.get_cmap("tab20" if len(nodes) > 10 else "tab10")
    colors = [cmap(i % cmap.N) for i in range(len(nodes))]
    for (lo, hi), ax in zip(cols, row):
        ax.stackplot(t, *[led[n].to_numpy(float) for n in nodes], step="post", colors=colors,
                     alpha=0.85, lw=0)
        time_handles = draw_times(ax, lo, hi, data.get("faults", ()), data.get("marks", ()), back, labels=True)
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
    row[-1].legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8.5,
                   frameon=False, ncol=2 if len(nodes) > 20 else 1)
    span.set_title("\n".join(story(data["summary"], led)), fontsize=9.5, style="italic")


def draw_cost(row, span, cols, cost, faults, marks, back, t, summary, bin_s):
    """The write panel: a column per time window, under the timeline's."""
    w = cost["writes"]
    end = max(t[-1], float(np.max(w["t"])))
    bin_s = bin_s or (float(np.median(np.diff(t))) if len(t) > 1 else 1.0)
    edges, p50, p99 = bin_percentiles(w, min(t[0], float(np.min(w["t"]))), end, bin_s)
    try:
        timeout_ms = common.duration_s(summary.get("timeout", "")) * 1e3
    except ValueError:
        timeout_ms = None
    for (lo, hi), ax in zip(cols, row):
        handles = draw_writes(ax, cost, edges, p50, p99, timeout_ms)
        draw_times(ax, lo, hi, faults, marks, back, labels=False)
        ax.set_xlim(lo, hi)
        ax.grid(True, which="major", alpha=0.3)
    ax = row[0]
    ax.set_yscale("log")
    lat = w["latency_ms"][w["latency_ms"] > 0]
    if len(lat):
        ax.set_ylim(lat.min() / 1.6, max(lat.max(), timeout_ms or 0) * 1.6)
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: common.ms_text(v)))
    ax.set_ylabel("write latency (log scale)")
    row[-1].legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8.5,
                   frameon=False)
    span.set_title("\n".join(cost_story(cost, faults, end, bin_s)), fontsize=9.5, style="italic")
    span.annotate("What the writes cost: each write's latency, at the time its client sent it",
                  (0.5, 1), xycoords=span.title, xytext=(0, 4), textcoords="offset points",
                  ha="center", va="bottom", fontsize=11)


def options(p):
    p.add_argument("--summary", help="summary.csv for the title (default: summary.csv beside "
                                     "TIMELINE_CSV, if any)")
    p.add_argument("--title", help="title line (default: model, nodes, rf... from the summary)")
    p.add_argument("--faults", metavar="FILE", help="the run's fault file (--faults): mark its times")
    p.add_argument("--mark", default="", help="vertical lines at these times, e.g. 10s,60s")
    p.add_argument("--window", metavar="LO:HI", action="append", default=[],
                   help="show only this stretch of the run, e.g. 0s:80s; repeat for stretches side by "
                        "side on a broken time axis (an empty HI: to the end, e.g. 300s:)")
    p.add_argument("--writes", action="store_true",
                   help="add a panel of what writes cost over the run, from ops.csv (or ops.csv.gz) and "
                        "outages.csv beside TIMELINE_CSV")
    p.add_argument("--ops", metavar="OPS_CSV", help="the run's ops.csv for the write panel (implies --writes)")
    p.add_argument("--bin", metavar="DURATION",
                   help="the time bins of the write panel's p50 and p99 lines (default: the timeline's step; "
                        "implies --writes)")


def main(argv=None):
    common.plot_main(__doc__, argv, arg="timeline_csv", arg_help="roles_timeline.csv written by a replisim run",
                     default_name=DEFAULT_NAME, options=options,
                     load=lambda a: load(a.timeline_csv, a.summary, a.title, a.mark, a.faults, a.window,
                                         a.writes, a.ops, a.bin),
                     render=render)


if __name__ == "__main__":
    sys.exit(main())
