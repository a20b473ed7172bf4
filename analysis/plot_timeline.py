#!/usr/bin/python3
"""Units led by each node over one replisim run, from its roles_timeline.csv (written with
--faults, or --timeline-step): a stacked area per node, so the top of the stack is the units that
had a leader and a gap below the dashed line is units without one. Faults are marked from the
run's fault file (--faults) or at given times (--mark); the title comes from summary.csv beside
the file."""
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
    gone = [n for n in led.columns if led[n].iloc[0] > 0 and led[n].iloc[-1] == 0]
    if len(gone) == 1:
        parts.append(f"node {gone[0]} led {common.plural(int(led[gone[0]].iloc[0]), 'unit')} at the start "
                     "and leads none at the end")
    elif gone:
        parts.append(f"nodes {', '.join(map(str, gone))} led units at the start and lead none at the end")
    step = np.diff(led.index.to_numpy())
    if len(step):
        parts.append(f"sampled every {common.ms_text(float(np.median(step)) * 1e3)}: "
                     "shorter outages fall between samples")
    return parts


def node_label(node, host):
    """'node 3', or 'node 3 · eu-west-2' when its host is not simply named node3."""
    host = str(host)
    return f"node {node}" + (f" · {host}" if host not in ("", "nan", f"node{node}") else "")


def label_time(ax, x, text, color):
    """Text up the left of a vertical line at x: after a fault is where the timeline changes."""
    ax.annotate(text, (x, 1), xycoords=("data", "axes fraction"), xytext=(-3, -4),
                textcoords="offset points", rotation=90, va="top", ha="right", fontsize=8.5,
                color=color, bbox=LABEL_BOX)


def render(data, out, marks=(), faults=()):
    led, hosts = data["led"], data["hosts"]
    t = led.index.to_numpy(float)
    nodes = list(led.columns)
    cmap = plt.get_cmap("tab20" if len(nodes) > 10 else "tab10")
    colors = [cmap(i % cmap.N) for i in range(len(nodes))]
    fig, ax = plt.subplots(figsize=(12, 5.8))
    ax.stackplot(t, *[led[n].to_numpy(float) for n in nodes], step="post", colors=colors,
                 alpha=0.85, lw=0)
    handles = [Patch(color=c, alpha=0.85, label=node_label(n, hosts.get(n)))
               for n, c in zip(nodes, colors)][::-1]  # top of the stack first
    units = data["summary"].get("unit_count", "")
    top = led.sum(axis=1).max()
    if units not in ("", "nan"):
        ax.axhline(float(units), color="black", ls="--", lw=1)
        gap = f"units in all ({float(units):g}): a gap\nbelow is units without a leader"
        handles.append(Line2D([], [], color="black", ls="--", lw=1, label=gap))
        top = max(top, float(units))
    for lo, hi, text in faults:
        if hi > lo:
            ax.axvspan(lo, hi, color="tab:red", alpha=0.25, lw=0)
            text += f" (drawn in {lo:g}–{hi:g} s)"
        else:
            ax.axvline(lo, color="tab:red", lw=1.4)
        label_time(ax, (lo + hi) / 2, text, "tab:red")
    for s, text in marks:
        ax.axvline(s, color="0.2", lw=1.2, ls=":")
        label_time(ax, s, text, "black")
    if faults:
        handles.append(Line2D([], [], color="tab:red", lw=1.4, label="fault (file)"))
    if marks:
        handles.append(Line2D([], [], color="0.2", lw=1.2, ls=":", label="--mark"))
    ax.set_xlim(t[0], t[-1] if t[-1] > t[0] else t[0] + 1)
    ax.set_ylim(0, max(top, 1) * 1.08)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("simulated time (s)")
    ax.set_ylabel("units led (stacked by node)")
    ax.grid(True, alpha=0.3)
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8.5,
              frameon=False, ncol=2 if len(nodes) > 20 else 1)
    ax.set_title("\n".join(story(data["summary"], led)), fontsize=9.5, style="italic")
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
    a = p.parse_args(argv)
    out = a.output or common.beside(a.timeline_csv, DEFAULT_NAME)
    try:
        data = load(a.timeline_csv, a.summary, a.title)
        marks = parse_marks(a.mark)
        faults = fault_times(a.faults) if a.faults else []
        common.check_output(out)
    except common.InputError as e:
        common.fail(e)
    print(render(data, out, marks, faults))


if __name__ == "__main__":
    sys.exit(main())
