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
    df, x, y, hue, facet = (data[k] for k in ("rows", "x", "y", "hue", "facet"))
    spread = data.get("spread", "auto")
    numeric_x = df[x].dtype.kind == "f"
    xs = ordered(df[x])
    pos = {key(v): (float(v) if numeric_x else float(i)) for i, v in enumerate(xs)}
    hues = ordered(df[hue]) if hue else [None]
    facets = ordered(df[facet]) if facet else [None]

    sizes = df.groupby([keyed(df[c]) for c in (facet, hue, x) if c], sort=False).size()
    n_min, n_max = int(sizes.min()), int(sizes.max())
    if spread == "auto":
        spread = "ci95" if n_min >= 3 else "minmax"
    if n_max < 2:
        spread = "none"

    nrows = math.ceil(len(facets) / 3)  # at most three panels a row, rows evenly filled
    ncols = math.ceil(len(facets) / nrows)
    fig, axes = plt.subplots(nrows, ncols, sharey=True, squeeze=False,
                             figsize=(4.4 * ncols + 3.6, 3.6 * nrows + 1.4))
    # Bands for lines over a numeric x; error bars for categories or a lone x value.
    use_band = numeric_x and len(xs) > 1
    dodge = 0.0 if numeric_x or len(hues) == 1 else min(0.12, 0.6 / len(hues))
    floor = 0.0 if (df[y] >= 0).all() else None
    ceil = 1.0 if common.column_unit(y) == "%" and (df[y] <= 1).all() else None
    any_spread, lows, highs, widest, widest_log = False, [], [], 0.0, 0.0
    clipped = set()  # why a band was cut: "range" of the column, bottom of a "log" axis
    log_floor = df[y].min() / 2  # every y > 0 on a log axis
    for fi, fv in enumerate(facets):
        ax = axes[fi // ncols][fi % ncols]
        fsel = keyed(df[facet]) == key(fv) if facet else np.ones(len(df), bool)
        for k, hv in enumerate(hues):
            sel = fsel & (keyed(df[hue]) == key(hv)) if hue else fsel
            g = df[sel]
            if g.empty:
                continue
            rows = []
            for xv in xs:
                gx = g[keyed(g[x]) == key(xv)]
                if len(gx):
                    rows.append((pos[key(xv)],) + aggregate(gx, y, spread))
            px, n, mean, lo, hi = (np.array(c, float) for c in zip(*rows))
            px = px + (k - (len(hues) - 1) / 2) * dodge
            # A 95% interval can leave the range the column can take (negative latencies, shares > 100%).
            if floor is not None and (lo < floor).any() or ceil is not None and (hi > ceil).any():
                clipped.add("range")
                lo = np.maximum(lo, floor) if floor is not None else lo
                hi = np.minimum(hi, ceil) if ceil is not None else hi
            if data["logy"] and (lo < log_floor).any():  # a log axis cannot reach 0
                clipped.add("log")
                lo = np.maximum(lo, log_floor)
            lows.append(np.nanmin(np.r_[lo, mean]))
            highs.append(np.nanmax(np.r_[hi, mean]))
            color, marker = hue_style(hue, hv, k)
            # Overlapping lines stay visible: later ones are drawn thinner, inside earlier markers.
            style = dict(color=color, marker=marker,
                         ms=max(10 - 2.5 * k, 4), lw=max(2.2 - 0.3 * k, 1.2),
                         ls=LINESTYLES[k % len(LINESTYLES)] if numeric_x else "none",
                         zorder=3 + k)
            ax.plot(px, mean, **style)
            has = (n > 1) & (hi > lo)
            if has.any():
                any_spread = True
                widest = max(widest, float(np.nanmax((hi - lo)[has])))
                with np.errstate(invalid="ignore", divide="ignore"):
                    widest_log = max(widest_log, float(np.nanmax(np.log10(hi / lo)[has])))
                if use_band:
                    ax.fill_between(px, np.where(n > 1, lo, mean), np.where(n > 1, hi, mean),
                                    color=color, alpha=0.18, lw=0, zorder=2)
                else:
                    ax.errorbar(px[has], mean[has],
                                yerr=[mean[has] - lo[has], hi[has] - mean[has]],
                                fmt="none", ecolor=color, elinewidth=1.3, capsize=4, zorder=2)
        if facet:
            ax.set_title(f"{facet} = {common.format_value(facet, fv)}", fontsize=10)
        ax.grid(True, which="major", alpha=0.3)

    for fi in range(len(facets), nrows * ncols):
        axes[fi // ncols][fi % ncols].set_visible(False)

    # Axes: the same x range and ticks in every panel.
    span = (max(pos.values()) - min(pos.values())) or 1.0
    labels = [common.format_value(x, v) if not numeric_x else
              (f"{v * 100:.3g}%" if common.column_unit(x) == "%" else f"{v:g}") for v in xs]
    # Rotate tick labels only when they would not fit side by side (~0.08 in a character).
    crowded = sum(len(t) + 2 for t in labels) * 0.08 > 4.0
    for ax in axes.flat:
        if not ax.get_visible():
            continue
        if data["logx"]:
            ax.set_xscale("log")
            lo_x, hix = min(pos.values()), max(pos.values())
            ratio = (hix / lo_x) ** 0.06 if hix > lo_x else 1.5
            ax.set_xlim(lo_x / ratio, hix * ratio)
        else:
            pad = 0.06 * span if numeric_x else 0.5
            ax.set_xlim(min(pos.values()) - pad, max(pos.values()) + pad)
        if not numeric_x or len(xs) <= 12:
            ax.set_xticks([pos[key(v)] for v in xs])
            ax.set_xticklabels(labels, rotation=30 if crowded else 0,
                               ha="right" if crowded else "center")
            ax.xaxis.set_minor_formatter(NullFormatter())
        elif common.column_unit(x) == "%":
            ax.xaxis.set_major_formatter(PERCENT)
        yfmt = PERCENT if common.column_unit(y) == "%" else PLAIN
        if data["logy"]:
            ax.set_yscale("log")
            plain_minor_labels(ax.yaxis, yfmt)
        ax.yaxis.set_major_formatter(yfmt)

    ax0 = axes[0][0]
    if not data["logy"]:
        lo_y, hiy = min(lows), max(highs)
        pad = 0.08 * (hiy - lo_y) if hiy > lo_y else 0.08 * abs(hiy) or 1.0
        top = hiy + pad
        # Counts, latencies and shares are ≥ 0: start at 0 when the data sits near it
        # (a little below when points lie on 0, so their markers are not cut in half).
        if 0 < lo_y <= 0.35 * hiy:
            bottom = 0.0
        elif lo_y == 0:
            bottom = -0.04 * top
        else:
            bottom = lo_y - pad
        ax0.set_ylim(bottom, top)

    # Legend and notes to the right of the top-right panel.
    handles = [Line2D([], [], color=hue_style(hue, hv, i)[0], marker=hue_style(hue, hv, i)[1],
                      ms=max(10 - 2.5 * i, 4), lw=max(2.2 - 0.3 * i, 1.2),
                      ls=LINESTYLES[i % len(LINESTYLES)] if numeric_x else "none",
                      label=common.format_value(hue, hv) if hue else f"mean {y}")
               for i, hv in enumerate(hues)]
    runs_txt = f"{n_min}" if n_min == n_max else f"{n_min}–{n_max}"
    of = "runs each" if data["mixed"] else "runs\n(seeds) each"
    notes = [f"points: mean of {runs_txt} {of}" if n_max > 1 else "one run per point"]
    if spread != "none":
        what = "band" if use_band else "bars"
        if any_spread:
            handles.append(Patch(color="gray", alpha=0.3) if use_band else
                           Line2D([], [], color="gray", marker="|", ms=10, ls="none"))
            handles[-1].set_label(f"{what}: " + SPREAD_TEXT[spread].replace(" over seeds", "\nover seeds")
                                  .replace(" (Student", "\n(Student"))
            if n_min < 2:
                notes.append(f"no {what} where a point has one run")
            if clipped:
                cuts = ([f"the range of {y}\n" + ("(0–100%)" if ceil is not None else "(≥ 0)")]
                        if "range" in clipped else []) + \
                       (["the log axis's bottom"] if "log" in clipped else [])
                notes.append(f"{what} cut at " + " and ".join(cuts))
            lo_ax, hiax = axes[0][0].get_ylim()
            if data["logy"]:
                tiny = widest_log < 0.01 * math.log10(hiax / lo_ax)
            else:
                tiny = widest < 0.01 * (hiax - lo_ax)
            if tiny:
                notes.append(f"{what} too narrow to see: widest\n{common.format_value(y, float(f'{widest:.2g}'))}")
        else:
            notes.append(f"no {what}: every point's {'runs' if data['mixed'] else 'seeds'} agree")
    notes += data["notes"]
    handles += [Line2D([], [], ls="none", label=t) for t in [""] + notes]
    axes[0][ncols - 1].legend(handles=handles, title=hue, loc="upper left",
                              bbox_to_anchor=(1.03, 1), fontsize=9, title_fontsize=9,
                              frameon=False, alignment="left")
    fig.supxlabel(common.axis_label(x) + ("  [log scale]" if data["logx"] else ""), fontsize=10)
    fig.supylabel(common.axis_label(y) + ("  [log scale]" if data["logy"] else ""), fontsize=10)
    heading = f"{y} vs {x}" + (f", per {hue}" if hue else "") + (f", by {facet}" if facet else "")
    fig.suptitle(f"{heading}\n{data['title']}", fontsize=12)
    return common.save_figure(fig, out, bbox_inches="tight")


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
