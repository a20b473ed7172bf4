#!/usr/bin/python3
"""replisim's speed against a bare SimGrid loop, from the CSV `replisim bench --csv` writes: per
model and node count, simulated messages per wall second of replisim (solid) and of the bare loop
run in the same bench on the same star with as many messages and as many in flight (dotted), and
their ratio against the targets (0.8 up to 100 nodes, 0.7 up to 1,000, 0.6 beyond). Left: no
processing costs; right: every message costs the same work at the node that takes it (the bare
loop executes as much)."""
import sys

import common  # sets the Agg backend before pyplot is imported
import schema
import matplotlib.pyplot as plt
from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter

DEFAULT_NAME = "bench.png"
REQUIRED = schema.known("bench.csv", "model", "nodes", "costs", "msgs_per_s", "bare_msgs_per_s", "ratio",
                        "ratio_target")
OPTIONAL = schema.known("bench.csv", "ratio_min", "ratio_max", "repeats", "clients")
NUMERIC = schema.known("bench.csv", "nodes", "msgs_per_s", "bare_msgs_per_s", "ratio", "ratio_min", "ratio_max",
                       "ratio_target", "repeats")
PLAIN = FuncFormatter(lambda v, _: f"{v:,.10g}")


def load(path, title=None):
    df = common.read_csv(path, REQUIRED, optional=OPTIONAL)
    if df.empty:
        raise common.InputError(f"{path}: no rows (header only)")
    df = common.numeric_columns(df, [c for c in NUMERIC if c in df], path)
    for c in ["nodes", "msgs_per_s", "bare_msgs_per_s", "ratio"]:
        if df[c].isna().any() or (df[c] <= 0).any():
            raise common.InputError(f"{path}: column {c} must be a positive number in every row")
    df["costs"] = df["costs"].astype(str)
    repeats = sorted(df["repeats"].dropna().unique()) if "repeats" in df else []
    runs = (f"medians of {repeats[0]:g} runs" if len(repeats) == 1 and repeats[0] > 1
            else "one run each" if repeats == [1] else "")
    return {"df": df, "title": title or "replisim against a bare SimGrid loop on the same star"
            + (f" ({runs})" if runs else ""), "warnings": []}


def render(data, out):
    df = data["df"]
    costs = sorted(df["costs"].unique(), key=lambda c: (c != "none", c))
    models = common.model_order(list(df["model"]))
    styles = common.model_styles(models)
    fig, axes = plt.subplots(2, len(costs), figsize=(6.2 * len(costs), 8.4), sharex=True, squeeze=False)
    for j, cost in enumerate(costs):
        cost_column(axes[0][j], axes[1][j], df, cost, models, styles)
    handles = [Line2D([], [], color=styles[m][0], marker=styles[m][1], lw=1.8, label=m) for m in models]
    handles += [Line2D([], [], color="0.3", ls="--", label="target ratio (0.8 / 0.7 / 0.6)"),
                Line2D([], [], color="0.3", lw=1.8, label="replisim (lower panels)"),
                Line2D([], [], color="0.3", lw=1.2, ls=":", marker="o", mfc="white",
                       label="bare SimGrid loop (lower panels)")]
    fig.legend(handles=handles, loc="lower center", ncol=4, fontsize=9, frameon=False)
    fig.suptitle(data["title"], fontsize=12)
    fig.tight_layout(rect=(0, 0.07, 1, 0.97))
    return common.save_figure(fig, out, tight=False)


def cost_column(top, bot, df, cost, models, styles):
    """One processing cost: the ratio against its target (top), and both speeds (bottom), per
    model against node count."""
    rows = df[df["costs"] == cost]
    for m in models:
        a = rows[rows["model"] == m].sort_values("nodes")
        if a.empty:
            continue
        color, marker = styles[m]
        top.plot(a["nodes"], a["ratio"], color=color, marker=marker, ms=7, lw=1.8, label=m)
        if "ratio_min" in a and (a["ratio_max"] > a["ratio_min"]).any():
            top.vlines(a["nodes"], a["ratio_min"], a["ratio_max"], color=color, lw=1, alpha=0.6)
        bot.plot(a["nodes"], a["msgs_per_s"], color=color, marker=marker, ms=7, lw=1.8)
        bot.plot(a["nodes"], a["bare_msgs_per_s"], color=color, marker=marker, ms=5, lw=1.2, ls=":",
                 mfc="white")
    targets = df.drop_duplicates("nodes").sort_values("nodes")
    top.step(targets["nodes"], targets["ratio_target"], where="mid", color="0.3", ls="--", lw=1.2)
    top.axhline(1, color="0.75", lw=0.8)
    top.set_title("no processing cost" if cost == "none" else f"every message costs {cost} of work",
                  fontsize=11)
    top.set_ylabel("replisim msgs/s ÷ bare loop msgs/s")
    top.set_ylim(bottom=0)
    bot.set_ylabel("simulated messages per wall second")
    bot.set_yscale("log")
    bot.yaxis.set_major_formatter(PLAIN)
    bot.set_xlabel("datastore nodes (N/10 clients)")
    nodes = sorted(df["nodes"].unique())
    for ax in (top, bot):
        ax.set_xscale("log")
        ax.set_xticks(nodes)
        ax.xaxis.set_major_formatter(PLAIN)
        ax.grid(True, which="major", alpha=0.3)


def report(data):
    df = data["df"]
    missed = df[df["ratio"] < df["ratio_target"]]
    return f"{len(df) - len(missed)} of {len(df)} cases meet their ratio target"


def main(argv=None):
    common.plot_main(__doc__, argv, arg="bench_csv", arg_help="the CSV of replisim bench --csv",
                     default_name=DEFAULT_NAME, options=common.title_flag(),
                     load=lambda a: load(a.bench_csv, a.title), render=render, report=report)


if __name__ == "__main__":
    sys.exit(main())
