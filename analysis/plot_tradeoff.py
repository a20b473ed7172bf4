#!/usr/bin/python3
"""The leaderless consistency trade-off: one point per consistency setting (the distinct
values of the --label columns, e.g. W=QUORUM R=QUORUM), the share of stale reads across
and write latency up, with the p99 as a lighter marker above each p50. Several seeds of a
setting give their mean and min–max bars both ways. A point's colour says whether every
read's replicas must overlap every write's acknowledging replicas (R + W > replicas), as
replisim reports it in summary.csv's quorum_overlap column. Rows whose status is not ok
are left out."""
import math
import os
import sys

import common  # sets the Agg backend before pyplot is imported
import schema
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter

DEFAULT_NAME = "consistency_tradeoff.png"
DEFAULT_TAIL, STALE = schema.known("summary.csv", "write_p99_ms", "stale_read_fraction")
# Short names of label columns in a point's annotation: W=QUORUM R=ONE.
SHORT = {"consistency": "W", "read_consistency": "R", "write_concern": "w", "read_from": "read"}

# Whether reads must meet the newest acknowledged write, per point (colour, legend text).
OVERLAP = {
    "always": ("#1b7837", "R + W > replicas: every read reaches a replica\nholding the newest acknowledged write"),
    "local": ("#e08214", "R + W overlap only within a datacenter\n(LOCAL levels): reads from another DC may miss"),
    "never": ("#c51b7d", "R + W ≤ replicas: a read may miss every replica\nholding the newest acknowledged write"),
    "unknown": ("#4d4d4d", "overlap unknown (the summary has no\nquorum_overlap, or its runs disagree)"),
}
PERCENT = FuncFormatter(lambda v, _: f"{v * 100:.4g}%")
PLAIN = FuncFormatter(lambda v, _: f"{v:g}")


# --- Which replicas a read and a write must share -------------------------------------

def point_overlap(g):
    """Overlap class of the rows of one point, as replisim wrote it (summary.csv's
    quorum_overlap, from the model's own consistency rules): 'always', 'local', 'never',
    or 'unknown' when the rows do not say or do not agree."""
    if "quorum_overlap" not in g:
        return "unknown"
    values = set(g["quorum_overlap"])
    value = values.pop() if len(values) == 1 else ""
    return value if value in OVERLAP else "unknown"


# --- Reading the summary ---------------------------------------------------------------

def load(path, latency="write_p50_ms", tail=DEFAULT_TAIL, labels=("consistency", "read_consistency"),
         title=None, yscale="auto"):
    labels = list(dict.fromkeys(labels))
    if not labels:
        raise common.InputError("--label: name at least one column")
    if tail == latency:
        tail = None
    if tail == DEFAULT_TAIL and os.path.isfile(path) and tail not in common.read_table(path, []).columns:
        tail = None  # the default tail is optional; one named with --tail is not
    for flag, col in (("--latency", latency), ("--tail", tail)):
        if col in labels or col == STALE:
            raise common.InputError(f"{flag} {col} is also a label or the x axis")
    df = common.read_table(path, [STALE, latency] + labels + ([tail] if tail else []))
    df, notes, warnings = common.ok_rows(df, path)

    df = common.numeric_columns(df, [STALE, latency] + ([tail] if tail else []), path)
    for c in labels:
        if (df[c] == "").all():
            raise common.InputError(f"{path}: column {c} is empty in every ok row "
                                    f"(not a leaderless run? name other columns with --label)")

    df = common.drop_rows(df, df[STALE].isna(), f"{STALE} empty (no ok read)", notes, warnings)
    df = common.drop_rows(df, df[latency].isna(), f"{latency} empty (no ok write)", notes, warnings)
    if df.empty:
        raise common.InputError(f"{path}: no ok row has both {STALE} and {latency} ({'; '.join(notes)})")

    points = setting_points(df, labels, latency, tail)
    mixed = common.mixed_params(df, "_label", skip=set(labels) | {"seed", "status", "error", "start_index"})
    if mixed:
        notes.append("caution: points also average over\n" + ", ".join(mixed) + "\n(add them to --label)")
        warnings.append("points average over runs with different " + ", ".join(mixed))

    shared = {c: df[c].iloc[0] for c in df.columns
              if not c.startswith("_") and c not in labels and df[c].nunique() == 1 and df[c].iloc[0] != ""}
    replicas = None
    if "rf" in shared:
        per_zone = shared.get("strategy") == "network-topology" and ":" not in shared["rf"]
        replicas = f"rf {shared['rf']}" + (" in each datacenter" if per_zone else "")
    if title is None:
        shared.setdefault("model", common.plural(len(df), "run"))
        title = common.run_title(shared, common.plural(len(df), "run"))
    return {"points": points, "latency": latency, "tail": tail, "labels": labels, "title": title,
            "notes": notes, "warnings": warnings, "mixed": mixed, "replicas": replicas, "path": path,
            "yscale": yscale}


def setting_points(df, labels, latency, tail):
    """One point per setting (the distinct values of the label columns, as 'W=ONE R=QUORUM', in
    a new column _label of `df`): its runs, overlap class, and the mean, min and max over them of
    the stale share (x), the latency (y) and the tail latency (t, NaN without one)."""
    def name(c, v):
        return f"{SHORT.get(c, c)}={v if v != '' else '(empty)'}"
    df["_label"] = df[labels].apply(lambda r: " ".join(name(c, r[c]) for c in labels), axis=1)
    points = []
    for lab, g in df.groupby("_label", sort=False):
        x, y = g[STALE].to_numpy(float), g[latency].to_numpy(float)
        t = g[tail].to_numpy(float) if tail else np.array([])
        t = t[~np.isnan(t)]
        points.append({
            "label": lab, "n": len(g), "overlap": point_overlap(g),
            "x": x.mean(), "x_lo": x.min(), "x_hi": x.max(),
            "y": y.mean(), "y_lo": y.min(), "y_hi": y.max(),
            "t": t.mean() if len(t) else math.nan,
            "t_lo": t.min() if len(t) else math.nan, "t_hi": t.max() if len(t) else math.nan,
        })
    return points


# --- Drawing ----------------------------------------------------------------------------

def light(color, amount=0.55):
    """The colour mixed with white."""
    r, g, b = plt.matplotlib.colors.to_rgb(color)
    return (r + (1 - r) * amount, g + (1 - g) * amount, b + (1 - b) * amount)


def overlap_area(a, b):
    w = min(a.x1, b.x1) - max(a.x0, b.x0)
    h = min(a.y1, b.y1) - max(a.y0, b.y0)
    return w * h if w > 0 and h > 0 else 0.0


def place_labels(fig, ax, anchors, texts, obstacles):
    """Annotate each anchor (data coordinates) with its text where it covers the fewest
    markers, bars and other labels, preferring spots close to the point."""
    renderer = fig.canvas.get_renderer()
    frame = ax.get_window_extent(renderer)
    placed = []
    # Offsets in points, nearest first: right, left, above, below, then the diagonals, then further out.
    ring = [(1, 0, "left", "center"), (-1, 0, "right", "center"), (0, 1, "center", "bottom"),
            (0, -1, "center", "top"), (1, 1, "left", "bottom"), (-1, 1, "right", "bottom"),
            (1, -1, "left", "top"), (-1, -1, "right", "top")]
    candidates = [(dx * d, dy * d * 0.8, ha, va) for d in (9, 22, 40, 62) for dx, dy, ha, va in ring]
    for (x, y), text in zip(anchors, texts):
        best = None
        for i, (dx, dy, ha, va) in enumerate(candidates):
            ann = ax.annotate(text, (x, y), xytext=(dx, dy), textcoords="offset points", ha=ha, va=va,
                              fontsize=8.5, annotation_clip=False, zorder=6,
                              bbox=dict(boxstyle="round,pad=0.2", fc="white", ec="none", alpha=0.8))
            box = ann.get_window_extent(renderer).expanded(1.04, 1.1)
            ann.remove()
            cost = sum(overlap_area(box, o) for o in obstacles) + 2 * sum(overlap_area(box, o) for o in placed)
            outside = box.width * box.height - overlap_area(box, frame)
            cost += 4 * outside + i * 2.0  # a small preference for the nearer, earlier spots
            if best is None or cost < best[0]:
                best = (cost, dx, dy, ha, va, box)
        _, dx, dy, ha, va, box = best
        far = math.hypot(dx, dy) > 15
        ax.annotate(text, (x, y), xytext=(dx, dy), textcoords="offset points", ha=ha, va=va,
                    fontsize=8.5, annotation_clip=False, zorder=6,
                    bbox=dict(boxstyle="round,pad=0.2", fc="white", ec="none", alpha=0.8),
                    arrowprops=dict(arrowstyle="-", color="0.5", lw=0.7, shrinkA=0, shrinkB=4) if far else None)
        placed.append(box)


def short_name(col):
    """'write latency, p50' for write_p50_ms: its axis label without the unit."""
    text = common.COLUMN_LABELS.get(col, col)
    return text[:-5] if text.endswith(" (ms)") else text


def latency_axis(latency, tail):
    """'write latency (ms) — ●: p50, ▼: p99' when both share a prefix, else both named."""
    a, b = short_name(latency), short_name(tail) if tail else None
    if b is None:
        return common.axis_label(latency)
    head_a, _, stat_a = a.rpartition(", ")
    head_b, _, stat_b = b.rpartition(", ")
    if head_a and head_a == head_b:
        return f"{head_a} (ms) — ●: {stat_a}, ▼: {stat_b}"
    return f"●: {a}, ▼: {b} (ms)"


def render(data, out):
    points, latency, tail = data["points"], data["latency"], data["tail"]
    has_tail = tail is not None and any(not math.isnan(p["t"]) for p in points)
    yscale = pick_yscale(points, data.get("yscale", "auto"), latency, tail)
    fig = plt.figure(figsize=(11.5, 6.4))
    ax = fig.add_axes([0.08, 0.11, 0.60, 0.76])
    for p in points:
        draw_point(ax, p, has_tail)
    x_axis(ax, points)
    y_axis(ax, points, yscale, latency, tail if has_tail else None)
    hidden = label_points(fig, ax, points, has_tail)
    legend(ax, data, has_tail, hidden)
    fig.suptitle(f"Consistency trade-off: write latency against stale reads, per setting\n{data['title']}",
                 fontsize=12, x=0.08, ha="left")
    return common.save_figure(fig, out, tight=False, bbox_inches="tight")


def latencies(points):
    """Every latency drawn (each point's and its tail's min and max), those > 0 apart."""
    ys = [v for p in points for v in (p["y_lo"], p["y_hi"], p["t_lo"], p["t_hi"]) if not math.isnan(v)]
    return ys, [v for v in ys if v > 0]


def pick_yscale(points, yscale, latency, tail):
    """--yscale, auto: log when every latency is > 0 and they span more than 30×."""
    ys, positive = latencies(points)
    if yscale == "auto":
        return "log" if len(positive) == len(ys) and max(ys) / min(positive) > 30 else "linear"
    if yscale == "log" and len(positive) < len(ys):
        raise common.InputError(f"--yscale log: {latency} or {tail} has values ≤ 0")
    return yscale


def draw_point(ax, p, has_tail):
    """One setting: its mean (●) with min–max bars both ways, and its tail (▼) joined to it."""
    color = OVERLAP[p["overlap"]][0]
    if has_tail and not math.isnan(p["t"]):
        ax.plot([p["x"], p["x"]], [p["y"], p["t"]], color=light(color), lw=1.0, zorder=2)
        ax.plot(p["x"], p["t"], marker="v", ms=8, color=light(color), mec=color, mew=0.8, ls="none", zorder=3)
        if p["n"] > 1 and p["t_hi"] > p["t_lo"]:
            ax.errorbar(p["x"], p["t"], yerr=[[p["t"] - p["t_lo"]], [p["t_hi"] - p["t"]]], fmt="none",
                        ecolor=light(color), elinewidth=1.1, capsize=3, zorder=2)
    if p["n"] > 1 and (p["x_hi"] > p["x_lo"] or p["y_hi"] > p["y_lo"]):
        ax.errorbar(p["x"], p["y"], xerr=[[p["x"] - p["x_lo"]], [p["x_hi"] - p["x"]]],
                    yerr=[[p["y"] - p["y_lo"]], [p["y_hi"] - p["y"]]], fmt="none",
                    ecolor=color, elinewidth=1.3, capsize=4, zorder=4)
    ax.plot(p["x"], p["y"], marker="o", ms=9, color=color, mec="white", mew=0.8, ls="none", zorder=5)


def x_axis(ax, points):
    """Stale shares from 0 (a little below, so points on 0 are whole) with room for labels."""
    xs = [v for p in points for v in (p["x_lo"], p["x_hi"])]
    x_hi = max(max(xs), 0.01)
    ax.set_xlim(min(0.0, min(xs)) - 0.12 * x_hi, x_hi * 1.2)
    ax.xaxis.set_major_formatter(PERCENT)


def y_axis(ax, points, yscale, latency, tail):
    """The latency axis's scale, limits and ticks, then both axes' grid and labels."""
    ys, positive = latencies(points)
    if yscale == "log":
        ax.set_yscale("log")
        lo, hi = min(positive), max(positive)
        ax.set_ylim(lo / 2.2, hi * 2.2)
        ax.yaxis.set_major_formatter(PLAIN)
        ax.yaxis.set_minor_formatter(FuncFormatter(
            lambda v, _: f"{v:g}" if round(v / 10 ** math.floor(math.log10(v) + 1e-9), 6) in (2, 5) else ""))
    else:
        lo, hi = min(ys), max(ys)
        pad = 0.1 * (hi - lo) if hi > lo else 0.1 * abs(hi) or 1.0
        ax.set_ylim(min(0.0, lo) - pad * 0.5 if lo <= 0.35 * hi else lo - pad, hi + pad)
        ax.yaxis.set_major_formatter(PLAIN)
    ax.grid(True, which="major", alpha=0.3)
    if yscale == "log":
        ax.grid(True, which="minor", alpha=0.1)
    ax.set_xlabel(common.axis_label(STALE) + " — reads older than the newest write acknowledged before them",
                  fontsize=10)
    ax.set_ylabel(latency_axis(latency, tail) + ("  [log scale]" if yscale == "log" else ""), fontsize=10)
    ax.tick_params(axis="both", which="both", labelsize=9)


def label_points(fig, ax, points, has_tail):
    """A label per group of points drawn on top of each other (the same spot within a few pixels),
    where it covers the least; returns the labels of points whose tail hides behind them."""
    fig.canvas.draw()
    to_px = ax.transData.transform
    groups = []
    for p in points:
        px = to_px((p["x"], p["y"]))
        for g in groups:
            if np.hypot(*(g["px"] - px)) < 6:
                g["labels"].append(p["label"])
                break
        else:
            groups.append({"px": px, "xy": (p["x"], p["y"]), "labels": [p["label"]]})
    hidden = [p["label"] for p in points if has_tail and not math.isnan(p["t"])
              and np.hypot(*(to_px((p["x"], p["t"])) - to_px((p["x"], p["y"])))) < 7]
    renderer = fig.canvas.get_renderer()
    obstacles = []
    for line in ax.lines:
        obstacles.append(line.get_window_extent(renderer).expanded(1.0, 1.0).padded(2))
    for coll in ax.collections:
        for path in coll.get_paths():
            ext = path.get_extents(coll.get_transform()).padded(2)
            obstacles.append(ext)
    place_labels(fig, ax, [g["xy"] for g in groups], ["\n".join(g["labels"]) for g in groups], obstacles)
    return hidden


def legend(ax, data, has_tail, hidden):
    """Markers, bars, colours, then notes, to the right of the axes."""
    points, latency, tail = data["points"], data["latency"], data["tail"]
    n_min, n_max = min(p["n"] for p in points), max(p["n"] for p in points)
    gray = "#555555"
    handles = [Line2D([], [], marker="o", ms=9, color=gray, mec="white", ls="none",
                      label=short_name(latency) + ((" (mean over runs)" if data["mixed"] else " (mean over seeds)")
                                                   if n_max > 1 else ""))]
    if has_tail:
        handles.append(Line2D([], [], marker="v", ms=8, color=light(gray), mec=gray, mew=0.8,
                              ls="-", lw=1.0, label=f"{short_name(tail)}, joined to its point"))
    if n_max > 1:
        handles.append(Line2D([], [], color=gray, marker="+", ms=12, ls="none",
                              label="bars: min–max over " + ("runs" if data["mixed"] else "seeds")))
    handles.append(Line2D([], [], ls="none", label=""))
    present = [k for k in OVERLAP if any(p["overlap"] == k for p in points)]
    if present != ["unknown"]:
        handles += [Patch(color=OVERLAP[k][0], label=OVERLAP[k][1]) for k in present]
    runs = f"{n_min}" if n_min == n_max else f"{n_min}–{n_max}"
    of = "runs each" if data["mixed"] else "runs (seeds) each"
    notes = [f"points: mean of {runs} {of}" if n_max > 1 else "one run per point"]
    if data["replicas"]:
        notes.append(data["replicas"])
    if hidden:
        notes.append(f"▼ behind ● where {short_name(tail).rpartition(', ')[2]} ≈ "
                     f"{short_name(latency).rpartition(', ')[2]}:\n  " + "\n  ".join(hidden))
    if present == ["unknown"]:
        notes.append("R + W overlap: cannot tell from this summary")
    notes += data["notes"]
    handles += [Line2D([], [], ls="none", label=t) for t in notes]
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize=8.5,
              frameon=False, alignment="left", handlelength=1.8)


def options(p):
    p.add_argument("--latency", default="write_p50_ms", help="latency column on the y axis, in ms "
                                                             "(default: write_p50_ms)")
    p.add_argument("--tail", default="write_p99_ms",
                   help="second latency column, drawn lighter above each point; 'none' to leave it out "
                        "(default: write_p99_ms)")
    p.add_argument("--label", default="consistency,read_consistency",
                   help="comma-separated columns whose distinct values make the points "
                        "(default: consistency,read_consistency, shown as W=… R=…)")
    p.add_argument("--yscale", choices=["auto", "linear", "log"], default="auto",
                   help="latency axis; auto: log when latencies span more than 30× (default: auto)")
    p.add_argument("--title", help="second title line (default: the run parameters every ok row shares)")


def load_args(a):
    labels = [c.strip() for c in a.label.split(",") if c.strip()]
    tail = None if a.tail.lower() == "none" else a.tail
    return load(a.summary_csv, a.latency, tail, labels, a.title, a.yscale)


def main(argv=None):
    common.plot_main(__doc__, argv, arg="summary_csv", arg_help="summary.csv with one row per run (leaderless "
                     "runs at several consistency levels, seeds concatenated; a status column is optional)",
                     default_name=DEFAULT_NAME, options=options, load=load_args, render=render)


if __name__ == "__main__":
    sys.exit(main())
