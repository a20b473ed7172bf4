#!/usr/bin/python3
"""Write p99 against throughput as the offered load rises (the "hockey stick"), one line per
model, from an open-loop sweep's summary.csv (experiments/specs/capacity.toml). Each point is the
mean over seeds of one offered rate; whiskers span min to max over seeds. A dotted mark
shows where each model saturates: its largest mean throughput. Rows whose status is not ok,
closed-loop rows (rate 0) and rows without a throughput or a p99 are left out."""
import sys
import textwrap

import common  # sets the Agg backend before pyplot is imported
import schema
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter

DEFAULT_NAME = "capacity.png"
X, Y = schema.known("summary.csv", "throughput_writes_per_s", "write_p99_ms")
REQUIRED = ["model", "rate", X, Y]
NUMERIC = schema.known("summary.csv", "rate", X, Y, "clients", "read_ratio", "ops")
SKIP = schema.known("summary.csv", "model", "rate", "seed", "status", "error", "start_index")
PLAIN = FuncFormatter(lambda v, _: f"{v:,.10g}")  # 1,000 and 0.5, not 10³


def load(path, title=None):
    df = common.read_table(path, REQUIRED)
    df, notes, warnings = common.ok_rows(df, path)
    text = df.copy()  # the cells as written, for the title
    df = common.numeric_columns(df, NUMERIC, path)
    df = common.drop_rows(df, df[X].isna(), f"{X} empty", notes, warnings)
    df = common.drop_rows(df, df[Y].isna(), f"{Y} empty (no write acknowledged)", notes, warnings)
    df = common.drop_rows(df, ~(df["rate"] > 0), "closed loop (rate 0): no offered load", notes,
                          warnings)
    df = common.drop_rows(df, df[Y] <= 0, f"{Y} ≤ 0 (log axis)", notes, warnings)
    if df.empty:
        raise common.InputError(f"{path}: no ok open-loop row (rate > 0) has a throughput and a "
                                f"write p99 ({'; '.join(notes) or 'no rows'})")
    mixed = common.mixed_params(df, [df["model"], df["rate"]], skip=SKIP)
    if mixed:
        notes.append("caution: points also average over " + ", ".join(mixed))
        warnings.append("points average over runs with different " + ", ".join(mixed))
    if title is None:
        shared = common.shared_params(text.loc[df.index], skip=SKIP)
        title = common.wrap_parts(common.title_parts(shared, skip=("rate",)), 95)
    labels = {}
    for m in df["model"].unique():
        note = common.model_note(m, common.shared_params(text.loc[df.index[df["model"] == m]]))
        labels[m] = f"{m}\n({note})" if note else m
    return {"rows": df, "title": title, "notes": notes, "warnings": warnings, "labels": labels,
            "mixed": mixed}


def three_digits(v):
    """4,892.3 → '4,890': seeds differ by more than the last digits."""
    return f"{float(f'{v:.3g}'):,.0f}" if v >= 100 else f"{v:.3g}"


def aggregate(df):
    """Per model and offered rate: mean, min and max of throughput and p99 over seeds."""
    g = df.groupby(["model", "rate"], sort=False)
    agg = g.agg(x=(X, "mean"), xlo=(X, "min"), xhi=(X, "max"),
                y=(Y, "mean"), ylo=(Y, "min"), yhi=(Y, "max"), n=(Y, "size")).reset_index()
    return agg.sort_values(["model", "rate"], kind="stable")


def offered_text(df):
    """'600 → 12,000 ops/s offered (100 → 2,000 per client × 6 clients)', or per client only."""
    lo, hi = df["rate"].min(), df["rate"].max()
    per = f"{common.number(lo)} → {common.number(hi)}" if hi > lo else common.number(lo)
    clients = df["clients"].dropna().unique() if "clients" in df else []
    if len(clients) == 1:
        c = clients[0]
        total = (f"{common.number(lo * c)} → {common.number(hi * c)}" if hi > lo
                 else common.number(lo * c))
        return f"{total} ops/s offered\n({per} per client × {c:g} clients)"
    return f"{per} ops/s offered per client"


def saturation_marks(fig, ax, sats):
    """A short dotted line above each model's fastest point with its label on top; a label that
    would cover one placed before it moves up, its line with it."""
    renderer = fig.canvas.get_renderer()
    placed = []
    for m, color, xs, ytop in sorted(sats, key=lambda s: s[2]):
        y0, y1 = ytop * 1.25, ytop * 2.1
        line, = ax.plot([xs, xs], [y0, y1], color=color, ls=":", lw=2, zorder=5)
        label = ax.annotate(f"{m}\nsaturates at {three_digits(xs)} writes/s", (xs, y1),
                            xytext=(0, 2), textcoords="offset points", ha="center", va="bottom",
                            fontsize=8.5, color=color, zorder=6, annotation_clip=False,
                            bbox=dict(boxstyle="round,pad=0.15", fc="white", ec="none", alpha=0.8))
        for _ in range(12):
            box = label.get_window_extent(renderer).expanded(1.02, 1.1)
            if not any(box.overlaps(b) for b in placed):
                break
            y1 *= 1.6
            label.xy = (xs, y1)
            line.set_ydata([y0, y1])
        placed.append(label.get_window_extent(renderer))
        top = ax.get_ylim()[1]
        if label.get_window_extent(renderer).y1 > ax.get_window_extent(renderer).y1:
            ax.set_ylim(top=top * 2.5)  # room for a label pushed up (rare: many close models)


def saturation(a):
    """(throughput, p99 top) where one model saturates: its largest mean throughput, and the
    highest whisker of the points within 3% of it (past saturation the points pile up there,
    some with a slightly lower mean throughput but a higher p99), where its mark starts.
    `a`: the model's rows of aggregate()."""
    x = a["x"].to_numpy()
    i = int(np.argmax(x))
    near = x >= 0.97 * x[i]
    return float(x[i]), float(a["yhi"].to_numpy()[near].max())


def render(data, out):
    agg = aggregate(data["rows"])
    models = common.model_order(data["rows"]["model"])
    styles = common.model_styles(models)
    fig, ax = plt.subplots(figsize=(11.5, 6.6))
    ax.set_yscale("log")
    handles, sats, any_spread = [], [], False
    for m in models:
        a = agg[agg["model"] == m]
        handles += model_curve(ax, a, styles[m], data["labels"][m])
        any_spread |= spread_of(a).any()
        sats.append((m, styles[m][0]) + saturation(a))
    axes(fig, ax, agg, sats)
    legend(ax, data, agg, handles, any_spread)
    fig.suptitle("Write latency against throughput as the offered load rises: where each model "
                 "saturates\n" + data["title"], fontsize=11)
    return common.save_figure(fig, out, bbox_inches="tight")


def spread_of(a):
    """Points whose seeds differ, in throughput or p99."""
    return ((a["n"] > 1) & ((a["xhi"] > a["xlo"]) | (a["yhi"] > a["ylo"]))).to_numpy()


def model_curve(ax, a, style, label):
    """One model's points in order of offered load, with whiskers where seeds differ; returns its
    legend handles."""
    color, marker = style
    handles = ax.plot(a["x"].to_numpy(), a["y"].to_numpy(), color=color, marker=marker, ms=6.5, lw=1.8,
                      zorder=4, label=label)
    spread = spread_of(a)
    if spread.any():
        s = a[spread]
        ax.errorbar(s["x"], s["y"], xerr=[s["x"] - s["xlo"], s["xhi"] - s["x"]],
                    yerr=[s["y"] - s["ylo"], s["yhi"] - s["y"]], fmt="none",
                    ecolor=color, alpha=0.45, elinewidth=1.1, capsize=2.5, zorder=3)
    return handles


def axes(fig, ax, agg, sats):
    """Throughput from 0 (saturation reads as "how far right"), p99 with room above the highest
    whisker for the saturation labels, which go on last."""
    ax.set_ylim(float(agg["ylo"].min()) / 1.6, float(agg["yhi"].max()) * 6)
    ax.set_xlim(0, float(agg["xhi"].max()) * 1.12)
    ax.xaxis.set_major_formatter(PLAIN)
    ax.yaxis.set_major_formatter(PLAIN)
    saturation_marks(fig, ax, sats)
    ax.grid(True, which="major", alpha=0.35)
    ax.grid(True, which="minor", axis="y", alpha=0.12)
    ax.set_xlabel(common.axis_label(X) + " — the rate the cluster actually completed")
    ax.set_ylabel(common.axis_label(Y) + "  [log scale]")


def legend(ax, data, agg, handles, any_spread):
    """The models, whiskers and saturation marks, and notes on what the points are."""
    df = data["rows"]
    handles = list(handles)
    n_min, n_max = int(agg["n"].min()), int(agg["n"].max())
    runs = f"{n_min}" if n_min == n_max else f"{n_min}–{n_max}"
    of = "runs each" if data["mixed"] else "runs (seeds) each"
    notes = [f"points: mean of {runs} {of}," if n_max > 1 else "points: one run each,",
             "one per offered load, in order along\neach line: " + offered_text(df)]
    if any_spread:
        handles.append(Line2D([], [], color="gray", marker="+", ms=9, ls="none", alpha=0.6,
                              label="whiskers: min–max over seeds\n(both throughput and p99)"))
    elif n_max > 1:
        notes.append("no whiskers: seeds agree")
    handles.append(Line2D([], [], color="gray", ls=":", lw=2,
                          label="saturation: the model's largest\nmean throughput"))
    ops = df["ops"].dropna().unique() if "ops" in df else []
    notes.append("past saturation the queues grow for\nthe whole run: p99 there depends on\n"
                 "the run's length" + (f" ({ops[0]:,.0f} operations)" if len(ops) == 1 else "")
                 + ", not on load alone")
    if "read_ratio" in df and (df["read_ratio"] > 0).any():
        rr = df["read_ratio"].dropna().unique()
        share = f"{rr[0] * 100:.3g}% of operations are" if len(rr) == 1 else "some operations are"
        notes.append(f"{share} reads: they load\nthe nodes but are not counted in x")
    notes += [textwrap.fill(t, 42) for t in data["notes"]]
    handles += [Line2D([], [], ls="none", label=t) for t in [""] + notes]
    ax.legend(handles=handles, title="model", loc="upper left", bbox_to_anchor=(1.02, 1),
              fontsize=8.5, title_fontsize=9, frameon=False, alignment="left")


def main(argv=None):
    common.plot_main(__doc__, argv, arg="summary_csv", arg_help="summary.csv of an open-loop sweep over rate "
                     "and model (e.g. experiments/specs/capacity.toml)", default_name=DEFAULT_NAME,
                     options=common.title_flag(), load=lambda a: load(a.summary_csv, a.title), render=render)


if __name__ == "__main__":
    sys.exit(main())
