#!/usr/bin/python3
"""Any column of a sweep's summary.csv against another: the mean over seeds of each
(facet, hue, x) point, with a band or error bars for the spread over seeds; one
line per --hue value, one panel per --facet value. Rows whose status is not ok
are left out."""
import math
import sys

import common  # sets the Agg backend before pyplot is imported
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, NullFormatter

DEFAULT_NAME = "{y}_vs_{x}.png"
MARKERS = ["o", "s", "^", "D", "v", "P", "X", "*"]
LINESTYLES = ["-", "--", "-.", ":"]
# Student's t, 97.5th percentile, for 1..30 degrees of freedom (95% two-sided).
T975 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
        2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
        2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042]
PLAIN = FuncFormatter(lambda v, _: f"{v:g}")  # 0.001, not 10⁻³
PERCENT = FuncFormatter(lambda v, _: f"{v * 100:.4g}%")  # a _fraction column: 0.25 → 25%
SPREAD_TEXT = {"minmax": "min–max over seeds",
               "ci95": "95% interval of the mean over seeds (Student t)"}


def hue_style(hue, value, k):
    """Colour and marker of the k-th line: a model's own (the same in every plot), else by order."""
    if hue == "model" and value in common.MODEL_STYLES:
        return common.MODEL_STYLES[value]
    return f"C{k % 10}", MARKERS[k % len(MARKERS)]


def t975(df):
    # Beyond the table, the Cornish-Fisher expansion is within 0.003 of the true value.
    return T975[df - 1] if df <= len(T975) else 1.95996 + 2.3722 / df


def ordered(col):
    """Distinct values of a column: numbers sorted, text in first-seen order; empty last."""
    vals = col.dropna().unique() if col.dtype.kind == "f" else col[col != ""].unique()
    vals = sorted(vals) if col.dtype.kind == "f" else list(vals)
    empty = col.isna().any() if col.dtype.kind == "f" else (col == "").any()
    return vals + ([float("nan") if col.dtype.kind == "f" else ""] if empty else [])


def keyed(col):
    """The column with NaN replaced by a sentinel, so empty cells form a group of their own."""
    return col.fillna(-math.inf) if col.dtype.kind == "f" else col


def key(v):
    return -math.inf if isinstance(v, float) and math.isnan(v) else v


def plain_minor_labels(axis, fmt):
    """Log-axis minor tick labels in the axis's own format (0.006 or 0.6%, not 6×10⁻³), and
    only at 2, 3 and 5 × 10ⁿ, when matplotlib would label minor ticks at all."""
    auto = axis.get_minor_formatter()

    def label(v, i):
        mantissa = round(v / 10 ** math.floor(math.log10(v) + 1e-9), 6) if v > 0 else 0
        return fmt(v, i) if mantissa in (2, 3, 5) and auto(v, i) else ""
    axis.set_minor_formatter(FuncFormatter(label))


def load(path, x, y, hue=None, facet=None, title=None, logx=False, logy=False, spread="auto"):
    flags = [("--x", x), ("--y", y), ("--hue", hue), ("--facet", facet)]
    for i, (fa, ca) in enumerate(flags):
        for fb, cb in flags[i + 1:]:
            if ca and ca == cb:
                raise common.InputError(f"{fa} and {fb} are both {ca}")
    named = [c for _, c in flags if c]
    df = common.read_table(path, named)
    df, notes, warnings = common.ok_rows(df, path)

    for c in named:
        df[c] = common.numeric_or_text(df[c])
    if df[y].dtype.kind != "f":
        example = next(v for v in df[y] if v != "" and pd.isna(pd.to_numeric(v, errors="coerce")))
        raise common.InputError(f"{path}: column {y} is not numeric (holds {example!r})")
    if logx and df[x].dtype.kind != "f":
        raise common.InputError(f"--logx: column {x} is not numeric")

    df = common.drop_rows(df, df[y].isna(), f"{y} empty", notes, warnings)
    df = common.drop_rows(df, df[x].isna() if df[x].dtype.kind == "f" else df[x] == "", f"{x} empty",
                          notes, warnings)
    if logx:
        df = common.drop_rows(df, df[x] <= 0, f"{x} ≤ 0 (log axis)", notes, warnings)
    if logy:
        df = common.drop_rows(df, df[y] <= 0, f"{y} ≤ 0 (log axis)", notes, warnings)
    if df.empty:
        raise common.InputError(f"{path}: no ok row has a value to plot ({'; '.join(notes)})")

    # Parameters that differ inside one plotted point: averaging over them, not only seeds.
    # A sweep writes the point's parameters first, then seed and status; a single
    # run's summary.csv has seed last, after its metrics.
    cols = list(df.columns)
    sweep_layout = "seed" in cols and cols[cols.index("seed") + 1:][:1] == ["status"]
    params = cols[:cols.index("seed")] if sweep_layout else []
    params = [c for c in dict.fromkeys(params + common.RUN_PARAMS + ["latency_ms"])
              if c in df and c not in named and c not in ("seed", "status", "error", "start_index")]
    groups = [keyed(df[c]) for c in (facet, hue, x) if c]
    mixed = [c for c in params
             if (df.groupby(groups, sort=False)[c].nunique(dropna=False) > 1).any()]
    if mixed:
        notes.append("caution: points also average over\n" + ", ".join(mixed)
                     + "\n(use --hue or --facet)")
        warnings.append("points average over runs with different " + ", ".join(mixed))

    if title is None:
        shared = {c: df[c].iloc[0] for c in df.columns
                  if c not in named and df[c].nunique() == 1 and df[c].iloc[0] != ""}
        shared = {c: common.format_value(c, v) if not isinstance(v, str) else v
                  for c, v in shared.items()}
        shared.setdefault("model", common.plural(len(df), "run"))
        title = common.run_title(shared, common.plural(len(df), "run"))
    return {"rows": df, "mixed": mixed, "x": x, "y": y, "hue": hue, "facet": facet, "title": title,
            "notes": notes, "warnings": warnings, "logx": logx, "logy": logy, "path": path, "spread": spread}


def aggregate(g, y, spread):
    """Mean and band of y over the seeds of one point."""
    v = g[y].to_numpy(float)
    n, mean = len(v), v.mean()
    if n < 2:
        return n, mean, mean, mean
    if spread == "ci95":
        half = t975(n - 1) * v.std(ddof=1) / math.sqrt(n)
        return n, mean, mean - half, mean + half
    return n, mean, v.min(), v.max()


def render(data, out):
    layout = plan(data)
    facets, nrows, ncols = layout["facets"], layout["nrows"], layout["ncols"]
    fig, axes = plt.subplots(nrows, ncols, sharey=True, squeeze=False,
                             figsize=(4.4 * ncols + 3.6, 3.6 * nrows + 1.4))
    drawn = {"any": False, "lows": [], "highs": [], "widest": 0.0, "widest_log": 0.0, "clipped": set()}
    for fi, fv in enumerate(facets):
        facet_panel(axes[fi // ncols][fi % ncols], data, layout, fv, drawn)
    for fi in range(len(facets), nrows * ncols):
        axes[fi // ncols][fi % ncols].set_visible(False)
    for ax in axes.flat:
        if ax.get_visible():
            shared_axes(ax, data, layout)
    if not data["logy"]:
        axes[0][0].set_ylim(*y_range(min(drawn["lows"]), max(drawn["highs"])))
    legend(axes[0][ncols - 1], data, layout, drawn, axes[0][0].get_ylim())
    x, y = data["x"], data["y"]
    fig.supxlabel(common.axis_label(x) + ("  [log scale]" if data["logx"] else ""), fontsize=10)
    fig.supylabel(common.axis_label(y) + ("  [log scale]" if data["logy"] else ""), fontsize=10)
    heading = f"{y} vs {x}" + (f", per {data['hue']}" if data["hue"] else "") + (
        f", by {data['facet']}" if data["facet"] else "")
    fig.suptitle(f"{heading}\n{data['title']}", fontsize=12)
    return common.save_figure(fig, out, bbox_inches="tight")


def plan(data):
    """What every panel shares: x values and their positions, the lines and panels, runs per
    point, the spread drawn (--spread auto: ci95 with 3 seeds or more a point) and how."""
    df, x, hue, facet = data["rows"], data["x"], data["hue"], data["facet"]
    numeric_x = df[x].dtype.kind == "f"
    xs = ordered(df[x])
    hues = ordered(df[hue]) if hue else [None]
    facets = ordered(df[facet]) if facet else [None]
    sizes = df.groupby([keyed(df[c]) for c in (facet, hue, x) if c], sort=False).size()
    n_min, n_max = int(sizes.min()), int(sizes.max())
    spread = data.get("spread", "auto")
    if spread == "auto":
        spread = "ci95" if n_min >= 3 else "minmax"
    if n_max < 2:
        spread = "none"
    y = df[data["y"]]
    nrows = math.ceil(len(facets) / 3)  # at most three panels a row, rows evenly filled
    return {
        "xs": xs, "hues": hues, "facets": facets, "numeric_x": numeric_x, "n_min": n_min, "n_max": n_max,
        "pos": {key(v): (float(v) if numeric_x else float(i)) for i, v in enumerate(xs)},
        "spread": spread,
        "nrows": nrows, "ncols": math.ceil(len(facets) / nrows),
        # Bands for lines over a numeric x; error bars for categories or a lone x value.
        "use_band": numeric_x and len(xs) > 1,
        "dodge": 0.0 if numeric_x or len(hues) == 1 else min(0.12, 0.6 / len(hues)),
        # The range the column can take: a 95% interval may leave it (negative latencies, shares > 100%).
        "floor": 0.0 if (y >= 0).all() else None,
        "ceil": 1.0 if common.column_unit(data["y"]) == "%" and (y <= 1).all() else None,
        "log_floor": y.min() / 2,  # every y > 0 on a log axis
    }


def line_style(hue, value, k, numeric_x):
    """Colour, marker and line of the k-th line: later lines thinner, inside earlier markers,
    so that overlapping lines stay visible."""
    color, marker = hue_style(hue, value, k)
    return dict(color=color, marker=marker, ms=max(10 - 2.5 * k, 4), lw=max(2.2 - 0.3 * k, 1.2),
                ls=LINESTYLES[k % len(LINESTYLES)] if numeric_x else "none")


def facet_panel(ax, data, layout, fv, drawn):
    """One panel: a line per hue value, over the rows of one facet value."""
    df, hue, facet = data["rows"], data["hue"], data["facet"]
    fsel = keyed(df[facet]) == key(fv) if facet else np.ones(len(df), bool)
    for k, hv in enumerate(layout["hues"]):
        g = df[fsel & (keyed(df[hue]) == key(hv))] if hue else df[fsel]
        if not g.empty:
            hue_line(ax, g, data, layout, k, hv, drawn)
    if facet:
        ax.set_title(f"{facet} = {common.format_value(facet, fv)}", fontsize=10)
    ax.grid(True, which="major", alpha=0.3)


def hue_line(ax, g, data, layout, k, hv, drawn):
    """The mean of each x value of `g` as a line, with its spread as a band or error bars."""
    x, y = data["x"], data["y"]
    rows = []
    for xv in layout["xs"]:
        gx = g[keyed(g[x]) == key(xv)]
        if len(gx):
            rows.append((layout["pos"][key(xv)],) + aggregate(gx, y, layout["spread"]))
    px, n, mean, lo, hi = (np.array(c, float) for c in zip(*rows))
    px = px + (k - (len(layout["hues"]) - 1) / 2) * layout["dodge"]
    lo, hi = clip_spread(lo, hi, data, layout, drawn)
    drawn["lows"].append(np.nanmin(np.r_[lo, mean]))
    drawn["highs"].append(np.nanmax(np.r_[hi, mean]))
    style = line_style(data["hue"], hv, k, layout["numeric_x"])
    ax.plot(px, mean, zorder=3 + k, **style)
    has = (n > 1) & (hi > lo)
    if not has.any():
        return
    drawn["any"] = True
    drawn["widest"] = max(drawn["widest"], float(np.nanmax((hi - lo)[has])))
    with np.errstate(invalid="ignore", divide="ignore"):
        drawn["widest_log"] = max(drawn["widest_log"], float(np.nanmax(np.log10(hi / lo)[has])))
    if layout["use_band"]:
        ax.fill_between(px, np.where(n > 1, lo, mean), np.where(n > 1, hi, mean),
                        color=style["color"], alpha=0.18, lw=0, zorder=2)
    else:
        ax.errorbar(px[has], mean[has], yerr=[mean[has] - lo[has], hi[has] - mean[has]],
                    fmt="none", ecolor=style["color"], elinewidth=1.3, capsize=4, zorder=2)


def clip_spread(lo, hi, data, layout, drawn):
    """The band cut to the range the column can take and, on a log axis, above 0; noting why."""
    floor, ceil = layout["floor"], layout["ceil"]
    if floor is not None and (lo < floor).any() or ceil is not None and (hi > ceil).any():
        drawn["clipped"].add("range")
        lo = np.maximum(lo, floor) if floor is not None else lo
        hi = np.minimum(hi, ceil) if ceil is not None else hi
    if data["logy"] and (lo < layout["log_floor"]).any():  # a log axis cannot reach 0
        drawn["clipped"].add("log")
        lo = np.maximum(lo, layout["log_floor"])
    return lo, hi


def shared_axes(ax, data, layout):
    """The same x range and ticks in every panel, and the y axis's scale and format."""
    x, y, xs, pos, numeric_x = data["x"], data["y"], layout["xs"], layout["pos"], layout["numeric_x"]
    labels = [common.format_value(x, v) if not numeric_x else
              (f"{v * 100:.3g}%" if common.column_unit(x) == "%" else f"{v:g}") for v in xs]
    # Rotate tick labels only when they would not fit side by side (~0.08 in a character).
    crowded = sum(len(t) + 2 for t in labels) * 0.08 > 4.0
    lo_x, hi_x = min(pos.values()), max(pos.values())
    if data["logx"]:
        ax.set_xscale("log")
        ratio = (hi_x / lo_x) ** 0.06 if hi_x > lo_x else 1.5
        ax.set_xlim(lo_x / ratio, hi_x * ratio)
    else:
        pad = 0.06 * ((hi_x - lo_x) or 1.0) if numeric_x else 0.5
        ax.set_xlim(lo_x - pad, hi_x + pad)
    if not numeric_x or len(xs) <= 12:
        ax.set_xticks([pos[key(v)] for v in xs])
        ax.set_xticklabels(labels, rotation=30 if crowded else 0, ha="right" if crowded else "center")
        ax.xaxis.set_minor_formatter(NullFormatter())
    elif common.column_unit(x) == "%":
        ax.xaxis.set_major_formatter(PERCENT)
    yfmt = PERCENT if common.column_unit(y) == "%" else PLAIN
    if data["logy"]:
        ax.set_yscale("log")
        plain_minor_labels(ax.yaxis, yfmt)
    ax.yaxis.set_major_formatter(yfmt)


def y_range(lo_y, hiy):
    """A linear y axis's limits around the data: counts, latencies and shares are ≥ 0, so it
    starts at 0 when the data sits near it (a little below when points lie on 0, so their markers
    are not cut in half)."""
    pad = 0.08 * (hiy - lo_y) if hiy > lo_y else 0.08 * abs(hiy) or 1.0
    top = hiy + pad
    if 0 < lo_y <= 0.35 * hiy:
        return 0.0, top
    if lo_y == 0:
        return -0.04 * top, top
    return lo_y - pad, top


def legend(ax, data, layout, drawn, ylim):
    """The lines, the spread and the notes, to the right of the top-right panel."""
    hue, numeric_x = data["hue"], layout["numeric_x"]
    handles = [Line2D([], [], **line_style(hue, hv, i, numeric_x),
                      label=common.format_value(hue, hv) if hue else f"mean {data['y']}")
               for i, hv in enumerate(layout["hues"])]
    n_min, n_max = layout["n_min"], layout["n_max"]
    runs_txt = f"{n_min}" if n_min == n_max else f"{n_min}–{n_max}"
    of = "runs each" if data["mixed"] else "runs\n(seeds) each"
    notes = [f"points: mean of {runs_txt} {of}" if n_max > 1 else "one run per point"]
    if layout["spread"] != "none":
        handle, said = spread_notes(data, layout, drawn, ylim)
        handles += [handle] if handle else []
        notes += said
    notes += data["notes"]
    handles += [Line2D([], [], ls="none", label=t) for t in [""] + notes]
    ax.legend(handles=handles, title=hue, loc="upper left", bbox_to_anchor=(1.03, 1), fontsize=9,
              title_fontsize=9, frameon=False, alignment="left")


def spread_notes(data, layout, drawn, ylim):
    """The legend entry of the band or bars (None when no point has any), and notes on them:
    where a point has one run, where they were cut, when they are too narrow to see."""
    what = "band" if layout["use_band"] else "bars"
    if not drawn["any"]:
        return None, [f"no {what}: every point's {'runs' if data['mixed'] else 'seeds'} agree"]
    handle = (Patch(color="gray", alpha=0.3) if layout["use_band"] else
              Line2D([], [], color="gray", marker="|", ms=10, ls="none"))
    handle.set_label(f"{what}: " + SPREAD_TEXT[layout["spread"]].replace(" over seeds", "\nover seeds")
                     .replace(" (Student", "\n(Student"))
    notes = []
    if layout["n_min"] < 2:
        notes.append(f"no {what} where a point has one run")
    if drawn["clipped"]:
        cuts = ([f"the range of {data['y']}\n" + ("(0–100%)" if layout["ceil"] is not None else "(≥ 0)")]
                if "range" in drawn["clipped"] else []) + \
               (["the log axis's bottom"] if "log" in drawn["clipped"] else [])
        notes.append(f"{what} cut at " + " and ".join(cuts))
    lo_ax, hi_ax = ylim
    if data["logy"]:
        tiny = drawn["widest_log"] < 0.01 * math.log10(hi_ax / lo_ax)
    else:
        tiny = drawn["widest"] < 0.01 * (hi_ax - lo_ax)
    if tiny:
        widest = float(f"{drawn['widest']:.2g}")
        notes.append(f"{what} too narrow to see: widest\n{common.format_value(data['y'], widest)}")
    return handle, notes


def options(p):
    p.add_argument("--x", required=True, help="column on the x axis (numbers sorted, text in "
                                              "first-seen order)")
    p.add_argument("--y", required=True, help="numeric column on the y axis (mean over seeds)")
    p.add_argument("--hue", help="column with one line (colour) per value")
    p.add_argument("--facet", help="column with one panel per value (shared y axis)")
    p.add_argument("--logx", action="store_true", help="logarithmic x axis (numeric x only)")
    p.add_argument("--logy", action="store_true", help="logarithmic y axis")
    p.add_argument("--spread", choices=["auto", "minmax", "ci95"], default="auto",
                   help="band / error bars over seeds: min–max, or a 95%% interval of the mean; "
                        "auto: ci95 when every point has ≥ 3 seeds, else minmax (default: auto)")
    p.add_argument("--title", help="second title line (default: the run parameters every ok row shares)")


def main(argv=None):
    common.plot_main(__doc__, argv, arg="summary_csv", arg_help="summary.csv of a sweep: one row per point and "
                     "seed, with a status column (ok|failed)",
                     default_name=lambda a: DEFAULT_NAME.format(y=a.y, x=a.x),
                     out_help="PNG to write (default: <y>_vs_<x>.png beside SUMMARY_CSV)", options=options,
                     load=lambda a: load(a.summary_csv, a.x, a.y, a.hue, a.facet, a.title, a.logx, a.logy,
                                         a.spread),
                     render=render)


if __name__ == "__main__":
    sys.exit(main())
