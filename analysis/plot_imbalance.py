#!/usr/bin/python3
"""Leader imbalance across a sweep: one line per model (or --hue) against node count (or --x),
from a summary.csv with one row per run; below it, the share of mixed-role nodes."""
import math
import sys

import common  # sets the Agg backend before pyplot is imported
import schema
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.ticker import FuncFormatter, MaxNLocator

DEFAULT_NAME = "leader_imbalance.png"
PARAMS = common.RUN_PARAMS
# What decides which node leads and holds which unit; the other run parameters (the workload:
# rate, ops, read_ratio, service costs...) change latencies, not roles.
PLACEMENT = schema.known("summary.csv", "model", "platform", "nodes", "rf", "units", "unit_count", "vnodes",
                         "strategy", "leaders_per_zone", "down", "seed", "start_index")
MARKERS = ["o", "s", "^", "D", "v", "P", "X", "*"]


def load(summary_csv, x="nodes", hue="model", title=None):
    if x == hue:
        raise common.InputError(f"--x and --hue are both {x}")
    needed = list(dict.fromkeys([x, hue, "nodes", "leader_imbalance", "mixed_role_nodes"]))
    df = common.read_csv(summary_csv, needed,
                         optional=[c for c in ["seed", "unit_count", "status", "error"] + PARAMS
                                   if c not in needed])
    if df.empty:
        raise common.InputError(f"{summary_csv}: no runs (header only)")
    # A sweep's summary.csv records failed points too (status failed): leave them out.
    df, n_failed, failed_note, failed_warning = common.drop_not_ok(df)
    if df.empty:
        raise common.InputError(f"{summary_csv}: no row has status ok ({n_failed} not ok)")
    for c in ["leader_imbalance", "mixed_role_nodes", "nodes", "unit_count"]:
        df[c] = pd.to_numeric(df[c], errors="coerce")
    # Line labels in a column of their own: hue may be nodes, which the mixed-role share needs.
    order = df[hue].sort_values(kind="stable") if pd.api.types.is_numeric_dtype(df[hue]) else df[hue]
    labels = {v: "(empty)" if pd.isna(v) else f"{v:g}" if isinstance(v, float) else str(v)
              for v in order.unique()}
    df["_hue"] = df[hue].map(lambda v: labels[v] if not pd.isna(v) else "(empty)")
    df["_hue"] = pd.Categorical(df["_hue"], categories=list(dict.fromkeys(labels.values())))
    # Imbalance is ≥ 1 whenever some node leads a unit; replisim writes 0 when
    # none does (writes coordinated per request), where the ratio means nothing.
    undefined = ~(df["leader_imbalance"] >= 1) | df[x].isna()
    skipped = df[undefined]
    df = df[~undefined]
    if df.empty:
        raise common.InputError(f"{summary_csv}: no run has a leader imbalance "
                                f"(no node leads a unit, or {x} is empty)")
    df, collapsed = one_per_placement(df, x, hue)
    if title is None:
        # Parameters every run shares; x and hue are in the axes and legend already.
        shared = {k: v for k, v in (common.read_summary(summary_csv) or {}).items()
                  if k not in (x, hue)}
        n = len(df)
        shared.setdefault("model", f"{n} run{'s' if n != 1 else ''}")
        title = common.run_title(shared, f"{n} runs from {summary_csv}")
    warnings = ([failed_warning] if failed_warning else []) + [
        f"points mix runs with different {c}" for c in mixed_params(df, x, hue, collapsed)]
    return {"runs": df, "skipped": skipped, "x": x, "hue": hue, "title": title,
            "failed_note": failed_note, "warnings": warnings, "collapsed": collapsed}


def one_per_placement(df, x, hue):
    """The runs with one row per placement and seed: a sweep that also varies the workload (the
    default experiment's two rates) runs every placement several times, with the same roles, and
    counting each would make a point's "seeds" more than there are. Returns (rows, workload
    parameters collapsed); rows unchanged when the duplicates' roles differ or seeds are unknown."""
    if "seed" not in df or df["seed"].isna().any():
        return df, []
    key = [c for c in dict.fromkeys([x, hue] + PLACEMENT) if c in df]
    by = df.groupby(key, sort=False, dropna=False)
    workload = [c for c in PARAMS if c in df and c not in key
                and (by[c].nunique(dropna=False) > 1).any()]
    if not workload:
        return df, []
    if (by[["leader_imbalance", "mixed_role_nodes"]].nunique(dropna=False) > 1).any().any():
        return df, []  # roles differ after all: keep every run, and mixed_params says so
    return df.drop_duplicates(key), workload


def best_possible(units, nodes):
    """Lowest imbalance whole units allow: some node leads ⌈units/nodes⌉ of them."""
    if not (units > 0 and nodes > 0):
        return float("nan")
    return math.ceil(units / nodes) * nodes / units


def units_note(g):
    """What the unit count was for one line: fixed, nodes/rf (leader-follower), or varying."""
    u = g["unit_count"].dropna()
    if u.empty:
        return ""
    if u.nunique() == 1:
        return f"{u.iloc[0]:g} unit{'s' if u.iloc[0] != 1 else ''}"
    rf = pd.to_numeric(g["rf"], errors="coerce")
    if ((g["nodes"] / rf).round(9) == g["unit_count"]).all():
        return "units = nodes / rf"
    return f"{u.min():g}–{u.max():g} units"


def mixed_params(runs, x, hue, skip=()):
    """Parameters (other than x, hue, seed and `skip`) that differ within one plotted point."""
    out = []
    for c in PARAMS:
        if c in (x, hue) or c in skip or runs[c].isna().all():
            continue
        if (runs.groupby([x, "_hue"], sort=False, observed=True)[c]
                .nunique(dropna=False) > 1).any():
            out.append(c)
    return out


def render(data, out):
    runs, x, hue = data["runs"].copy(), data["x"], data["hue"]
    runs["mixed_share"] = runs["mixed_role_nodes"] / runs["nodes"]
    runs["best"] = [best_possible(u, n) for u, n in zip(runs["unit_count"], runs["nodes"])]
    layout = x_layout(runs, x)
    fig, (top, bot) = plt.subplots(2, 1, sharex=True, figsize=(10.5, 7.5),
                                   gridspec_kw={"height_ratios": [3, 1.4]})
    drawn = {"handles": [], "seeds": set(), "spread": False, "floor": False}
    # Models keep the colours and markers they have in every other plot.
    styles = common.model_styles(layout["hues"]) if hue == "model" else {}
    for i, h in enumerate(layout["hues"]):
        style = styles.get(h) or (f"C{i}", MARKERS[i % len(MARKERS)])
        hue_lines(top, bot, runs[runs["_hue"] == h], i, h, style, x, layout, drawn)
    legend_top(top, drawn, layout["numeric_x"], hue)
    notes_bottom(bot, data, runs, drawn)
    imbalance_axis(top, runs)
    mixed_axis(bot)
    x_axis(bot, x, layout)
    by = "node count" if x == "nodes" else x
    fig.suptitle(f"Leader imbalance vs {by}, per {hue}\n{data['title']}", fontsize=12)
    return common.save_figure(fig, out)


def x_layout(runs, x):
    """Positions of the x values (numbers as themselves, categories in order of appearance), the
    lines, and how far each line is shifted sideways so that lines at one x stay apart."""
    numeric_x = pd.api.types.is_numeric_dtype(runs[x])
    if numeric_x:
        xs = np.sort(runs[x].unique())
        pos = {v: float(v) for v in xs}
    else:  # categorical x (e.g. write_concern): positions in order of appearance
        xs = list(dict.fromkeys(runs[x]))
        pos = {v: float(i) for i, v in enumerate(xs)}
    hues = [h for h in runs["_hue"].cat.categories if (runs["_hue"] == h).any()]
    span = (max(pos.values()) - min(pos.values())) or 1.0
    return {"numeric_x": numeric_x, "xs": xs, "pos": pos, "hues": hues, "span": span,
            # Several lines at the same x (and often the same y): shift each a little sideways.
            "dodge": 0.012 * span if len(hues) > 1 else 0.0}


def per_x(g, x, xs):
    """Mean, min and max over seeds of the imbalance and the mixed-role share, the best possible
    imbalance and the runs, per x value of one line's runs, in the order of `xs`."""
    agg = g.groupby(x, sort=False).agg(
        imb=("leader_imbalance", "mean"), lo=("leader_imbalance", "min"),
        hi=("leader_imbalance", "max"), mixed=("mixed_share", "mean"),
        mlo=("mixed_share", "min"), mhi=("mixed_share", "max"),
        best=("best", "mean"), n=("leader_imbalance", "size"))
    return agg.loc[[v for v in xs if v in agg.index]]


def hue_lines(top, bot, g, i, h, style, x, layout, drawn):
    """One line's imbalance (top) and mixed-role share (bottom), with min–max bars over seeds
    and the best imbalance whole units allow."""
    color, marker = style
    agg = per_x(g, x, layout["xs"])
    drawn["seeds"].update(agg["n"])
    px = np.array([layout["pos"][v] for v in agg.index]) + (i - (len(layout["hues"]) - 1) / 2) * layout["dodge"]
    ls = "-" if layout["numeric_x"] else "none"  # no trend to draw between categories
    note = units_note(g) if x not in ("units", "unit_count") else ""
    drawn["handles"] += top.plot(px, agg["imb"], color=color, marker=marker, ls=ls, lw=1.8, ms=7, zorder=3,
                                 label=f"{h}\n({note})" if note else str(h))
    bot.plot(px, agg["mixed"], color=color, marker=marker, ls=ls, lw=1.8, ms=7, zorder=3, clip_on=False)
    # Min–max over seeds; a zero-length bar would only draw a stray cap.
    for ax, m, lo, hi_ in [(top, "imb", "lo", "hi"), (bot, "mixed", "mlo", "mhi")]:
        sel = ((agg["n"] > 1) & (agg[hi_] > agg[lo])).to_numpy()
        if sel.any():
            drawn["spread"] = True
            ax.errorbar(px[sel], agg[m][sel], yerr=[agg[m][sel] - agg[lo][sel], agg[hi_][sel] - agg[m][sel]],
                        fmt="none", ecolor=color, elinewidth=1.2, capsize=4, zorder=3)
    if agg["best"].notna().any():
        # Drawn over the data: where a line follows it, placement could do no better.
        top.plot(px, agg["best"], color="black", zorder=4,  # a lone point gets a dash
                 **(dict(ls=":", lw=1.4) if layout["numeric_x"] and len(px) > 1
                    else dict(ls="none", marker="_", ms=18)))
        drawn["floor"] = True


def legend_top(top, drawn, numeric_x, hue):
    handles = drawn["handles"] + [top.axhline(1.0, color="black", ls="--", lw=1.2, zorder=1,
                                              label="perfectly balanced (1.0)")]
    if drawn["floor"]:
        handles += top.plot([], [], color="black",
                            **(dict(ls=":", lw=1.4) if numeric_x else dict(ls="none", marker="_", ms=18)),
                            label="best possible with whole\nunits: ⌈units/nodes⌉ ÷ (units/nodes)")
    top.legend(handles=handles, title=hue, loc="upper left", bbox_to_anchor=(1.01, 1),
               fontsize=9, title_fontsize=9, frameon=False)


def notes_bottom(bot, data, runs, drawn):
    """Runs per point, bars, runs counted once or mixed, runs left out: below the legend."""
    n_min, n_max = min(drawn["seeds"]), max(drawn["seeds"])
    runs_txt = f"{n_min}" if n_min == n_max else f"{n_min}–{n_max}"
    notes = [f"points: mean of {runs_txt} runs\n(seeds) each" if n_max > 1 else "one run per point"]
    if n_max > 1:
        notes.append("bars: min–max over seeds" if drawn["spread"] else "no bars: seeds agree")
    mixed = mixed_params(runs, data["x"], data["hue"], data["collapsed"])
    if data["collapsed"]:
        notes.append("runs that differ only in\n" + ", ".join(data["collapsed"])
                     + " have the same roles:\ncounted once")
    if mixed:
        notes.append("caution: points also mix\n" + ", ".join(mixed))
    if data.get("failed_note"):
        notes.append(data["failed_note"].replace(": ", ":\n", 1))
    if len(data["skipped"]):
        notes.append(f"{len(data['skipped'])} run(s) left out:\nno leader imbalance")
    bot.legend(handles=[bot.plot([], [], " ", label=t)[0] for t in notes], loc="upper left",
               bbox_to_anchor=(1.01, 1), fontsize=8, frameon=False, handlelength=0,
               handletextpad=0)


def imbalance_axis(top, runs):
    hi = max(runs["leader_imbalance"].max(), runs["best"].max(skipna=True)
             if runs["best"].notna().any() else 1.0)
    ytop = hi + 0.1 * max(hi - 1.0, 1.0)
    # Nothing lies below 1.0 (max ≥ mean), so that strip holds the reference label.
    top.set_ylim(1.0 - 0.13 * (ytop - 1.0), ytop)
    top.annotate("perfectly balanced", (0.5, 1.0), xycoords=("axes fraction", "data"),
                 xytext=(0, -7), textcoords="offset points", fontsize=8, ha="center", va="top")
    top.set_ylabel("leader imbalance (×)\nmax leader units of a node / mean")
    top.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    top.grid(alpha=0.3)


def mixed_axis(bot):
    bot.set_ylim(-0.05, 1.05)
    bot.set_yticks([0, 0.5, 1])
    bot.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:.0%}"))
    bot.set_ylabel("mixed-role nodes\n(% of nodes)")
    bot.set_title("share of nodes primary for some units and replica for others",
                  fontsize=9, style="italic")
    bot.grid(alpha=0.3)


def x_axis(bot, x, layout):
    xs, pos, numeric_x = layout["xs"], layout["pos"], layout["numeric_x"]
    ticks = [pos[v] for v in xs]
    if len(ticks) <= 20 or not numeric_x:
        bot.set_xticks(ticks)
        bot.set_xticklabels([f"{v:g}" if numeric_x else str(v) for v in xs])
    else:
        bot.xaxis.set_major_locator(MaxNLocator(integer=True))
    pad = 0.05 * layout["span"] + layout["dodge"] * len(layout["hues"])
    bot.set_xlim(min(ticks) - pad, max(ticks) + pad)
    bot.set_xlabel(common.axis_label(x))


def options(p):
    p.add_argument("--x", default="nodes", help="column on the x axis (default: nodes)")
    p.add_argument("--hue", default="model", help="column with one line per value (default: model)")
    p.add_argument("--title", help="second title line (default: the run parameters every row shares)")


def main(argv=None):
    common.plot_main(__doc__, argv, arg="summary_csv", arg_help="summary.csv with one row per run (a sweep's "
                     "rows concatenated)", default_name=DEFAULT_NAME, options=options,
                     load=lambda a: load(a.summary_csv, a.x, a.hue, a.title), render=render)


if __name__ == "__main__":
    sys.exit(main())
