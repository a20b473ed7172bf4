#!/usr/bin/python3
"""Write latency and capacity against node count, one line per model, from an open-loop sweep
over nodes and two offered rates (experiments/specs/default.toml). Top: write p99 at the lowest
rate in the file. Bottom: throughput at the highest rate, offered far more than any cluster
takes, so that throughput is the cluster's capacity. Lines are means over seeds, bands min to
max. Rows whose status is not ok, closed-loop rows (rate 0) and rows without the value a panel
plots are left out."""
import sys
import textwrap

import common  # sets the Agg backend before pyplot is imported
import schema
import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter

DEFAULT_NAME = "scaling.png"
P99, THR = schema.known("summary.csv", "write_p99_ms", "throughput_writes_per_s")
REQUIRED = schema.known("summary.csv", "model", "nodes", "rate", P99, THR)
NUMERIC = schema.known("summary.csv", "nodes", "rate", P99, THR, "clients", "read_ratio", "busiest_node_utilization")
SKIP = schema.known("summary.csv", "model", "nodes", "rate", "seed", "status", "error", "start_index")
SATURATED = 0.9  # busiest node busy at least this share of the run: the cluster is at capacity
PLAIN = FuncFormatter(lambda v, _: f"{v:,.10g}")


def load(path, title=None):
    df = common.read_table(path, REQUIRED)
    df, notes, warnings = common.ok_rows(df, path)
    text = df.copy()  # the cells as written, for titles and legend notes
    df = common.numeric_columns(df, NUMERIC, path)
    df = common.drop_rows(df, df["nodes"].isna(), "nodes empty", notes, warnings)
    df = common.drop_rows(df, ~(df["rate"] > 0), "closed loop (rate 0): no offered load", notes,
                          warnings)
    rates = sorted(df["rate"].unique())
    if len(rates) < 2:
        raise common.InputError(
            f"{path}: needs two offered rates (a low one for latency, a high one for capacity); "
            + (f"its ok open-loop rows all have rate {rates[0]:g}" if rates else
               "it has no ok open-loop row (rate > 0)"))
    low, high = rates[0], rates[-1]
    if len(rates) > 2:
        between = ", ".join(f"{r:g}" for r in rates[1:-1])
        df = common.drop_rows(df, df["rate"].isin(rates[1:-1]),
                              f"rate {between}, between the lowest and the highest", notes, warnings)
    lat = df[df["rate"] == low]
    cap = df[df["rate"] == high]
    lat = common.drop_rows(lat, lat[P99].isna(), f"{P99} empty at rate {low:g}", notes, warnings)
    cap = common.drop_rows(cap, cap[THR].isna(), f"{THR} empty at rate {high:g}", notes, warnings)
    if lat.empty or cap.empty:
        raise common.InputError(f"{path}: no ok row to plot at rate {(low if lat.empty else high):g}"
                                f" ({'; '.join(notes)})")
    used = pd.concat([lat, cap])
    mixed = common.mixed_params(used, [used["model"], used["nodes"], used["rate"]], skip=SKIP)
    if mixed:
        notes.append("caution: points also average over " + ", ".join(mixed))
        warnings.append("points average over runs with different " + ", ".join(mixed))
    if title is None:
        shared = common.shared_params(text.loc[used.index], skip=SKIP)
        title = common.wrap_parts(common.title_parts(shared), 100)
    labels = {}
    for m in used["model"].unique():
        note = common.model_note(m, common.shared_params(text.loc[used.index[used["model"] == m]],
                                                         skip=("nodes",)))
        labels[m] = f"{m}\n({note})" if note else m
    return {"lat": lat, "cap": cap, "low": low, "high": high, "title": title, "labels": labels,
            "notes": notes, "warnings": warnings, "mixed": mixed, "pair": compared(text.loc[cap.index])}


def compared(text):
    """(spread, concentrated): the first model (in model order) whose every node leads some unit in
    every capacity run, and the first whose units have one leader each but some nodes lead none,
    from summary.csv's role columns (common.leadership); None for either when no model is one."""
    kinds = {}
    for m, rows in text.groupby("model", sort=False):
        found = {common.leadership(r) for r in rows.to_dict("records")}
        kinds[m] = found.pop() if len(found) == 1 else None
    order = common.model_order(list(kinds))
    return tuple(next((m for m in order if kinds[m] == k), None) for k in ("every node", "some nodes"))


def offered(rows, rate):
    """'1,500 ops/s offered (250 per client × 6 clients)', or per client when clients vary."""
    clients = rows["clients"].dropna().unique() if "clients" in rows else []
    if len(clients) == 1:
        return (f"{common.number(rate * clients[0])} ops/s offered "
                f"({common.number(rate)} per client × {clients[0]:g} clients)")
    return f"{common.number(rate)} ops/s offered per client"


def per_point(rows, y):
    agg = rows.groupby(["model", "nodes"]).agg(y=(y, "mean"), lo=(y, "min"), hi=(y, "max"),
                                               n=(y, "size"))
    if "busiest_node_utilization" in rows:
        agg["busy"] = rows.groupby(["model", "nodes"])["busiest_node_utilization"].mean()
    return agg.reset_index()


def busiest_box(ax, lat, models, styles):
    """Why latency differs at low load: how busy each model's busiest node was, at the smallest
    and the largest node count, in the empty upper right of the latency panel."""
    lo_n, hi_n = lat["nodes"].min(), lat["nodes"].max()
    rows = []
    for m in models:
        a = lat[lat["model"] == m].set_index("nodes")["busy"].dropna().sort_index()
        if a.empty:
            continue
        share = f"{a.iloc[0]:.0%}" + (f" → {a.iloc[-1]:.0%}" if len(a) > 1 else "")
        if (a.index[0], a.index[-1]) != (lo_n, hi_n):  # this model lacks the smallest or largest
            share += (f" (at {a.index[0]:g} → {a.index[-1]:g} nodes)" if len(a) > 1
                      else f" (at {a.index[0]:g} nodes)")
        rows.append((f"{m}: {share}", styles[m][0]))
    if not rows:
        return
    head = "busiest node: busy share of the run,\n" + (
        f"at {lo_n:g} → {hi_n:g} nodes" if lo_n != hi_n else f"at {lo_n:g} nodes")
    y = 0.96
    ax.text(0.97, y, head, transform=ax.transAxes, ha="right", va="top", fontsize=8.5, color="0.25")
    y -= 0.06 * (head.count("\n") + 1) + 0.02
    for t, color in rows:
        ax.text(0.97, y, t, transform=ax.transAxes, ha="right", va="top", fontsize=8.5, color=color)
        y -= 0.065


def render(data, out):
    lat, cap = per_point(data["lat"], P99), per_point(data["cap"], THR)
    models = common.model_order(list(data["lat"]["model"]) + list(data["cap"]["model"]))
    styles = common.model_styles(models)
    nodes = sorted(set(lat["nodes"]) | set(cap["nodes"]))
    fig, (top, bot) = plt.subplots(2, 1, sharex=True, figsize=(11, 8.6),
                                   gridspec_kw={"height_ratios": [1, 1.25]})
    drawn = {"handles": [], "band": False, "hollow": False}
    for m in models:
        for ax, agg in ((top, lat), (bot, cap)):
            model_line(ax, agg[agg["model"] == m].sort_values("nodes"), styles[m], data["labels"][m],
                       ax is bot, drawn)
    latency_panel(top, lat, data, models, styles)
    capacity_panel(bot, cap, data)
    compare_pair(bot, cap, data["pair"], nodes)
    span = max(nodes) - min(nodes) or 1
    bot.set_xlim(min(nodes) - 0.04 * span, max(nodes) + 0.16 * span)
    bot.set_xticks(nodes)
    bot.xaxis.set_major_formatter(PLAIN)
    bot.set_xlabel(common.axis_label("nodes"))
    for ax in (top, bot):
        ax.grid(True, alpha=0.3)
        ax.yaxis.set_major_formatter(PLAIN)
    legend(top, data, lat, cap, drawn)
    fig.suptitle("Write latency and capacity against cluster size\n" + data["title"], fontsize=11)
    return common.save_figure(fig, out, bbox_inches="tight")


def model_line(ax, a, style, label, capacity, drawn):
    """One model's means against node count, with a band from min to max over seeds; in the
    capacity panel, hollow markers where the busiest node was not saturated."""
    if a.empty:
        return
    color, marker = style
    x = a["nodes"].to_numpy()
    line = ax.plot(x, a["y"], color=color, marker=marker, ms=7, lw=1.9, zorder=4, label=label)
    if not capacity:
        drawn["handles"] += line
    if capacity and "busy" in a and (a["busy"] < SATURATED).any():
        # The cluster took (nearly) all it was offered: its capacity is higher than this.
        low = (a["busy"] < SATURATED).to_numpy()
        ax.plot(x[low], a["y"].to_numpy()[low], ls="none", marker=marker, ms=7,
                mfc="white", mec=color, mew=1.6, zorder=5)
        drawn["hollow"] = True
    spread = (a["n"] > 1) & (a["hi"] > a["lo"])
    if spread.any():
        drawn["band"] = True
        ax.fill_between(x, a["lo"], a["hi"], color=color, alpha=0.18, lw=0, zorder=2)


def latency_panel(top, lat, data, models, styles):
    """Latency at the low load: p99 from 0, so equal heights read as equal latencies, under the
    busiest node's busy share when known."""
    box = "busy" in lat and lat["busy"].notna().any()
    # The busy-share box takes the top of the panel: keep the lines below it.
    room = 1 - (0.065 * lat["model"].nunique() + 0.16) if box else 1
    top.set_ylim(0, float(lat["hi"].max()) * 1.1 / room)
    top.set_ylabel(common.axis_label(P99))
    top.set_title("write latency at a low load: " + offered(data["lat"], data["low"]), fontsize=10)
    if box:
        busiest_box(top, lat, models, styles)


def capacity_panel(bot, cap, data):
    bot.set_ylim(0, float(cap["hi"].max()) * 1.15)
    bot.set_ylabel("capacity: " + common.axis_label(THR))
    bot.set_title("capacity: offered far more than the cluster can take, "
                  + offered(data["cap"], data["high"]), fontsize=10)


def compare_pair(bot, cap, pair, nodes):
    """A model whose every node leads against one whose writes go to some nodes only (compared),
    at the largest node count both have: an arrow between their capacities and the ratio."""
    spread, few = pair
    both = cap[cap["model"].isin([spread, few])] if spread and few else cap.iloc[:0]
    common_nodes = both.groupby("nodes")["model"].nunique()
    common_nodes = common_nodes[common_nodes == 2]
    if not len(common_nodes):
        return
    n = common_nodes.index.max()
    lf = float(both[(both["nodes"] == n) & (both["model"] == few)]["y"].iloc[0])
    pa = float(both[(both["nodes"] == n) & (both["model"] == spread)]["y"].iloc[0])
    xa = n + 0.035 * (max(nodes) - min(nodes) or 1)
    bot.annotate("", (xa, pa), (xa, lf), zorder=6,
                 arrowprops=dict(arrowstyle="<->", color="0.35", lw=1.1, shrinkA=0, shrinkB=0))
    bot.annotate(f"{spread} takes\n{pa / lf:.2f}× the writes of\n{few}\n"
                 f"at {n:g} nodes", (xa, (lf + pa) / 2), xytext=(6, 0),
                 textcoords="offset points", va="center", ha="left", fontsize=8.5, color="0.3",
                 annotation_clip=False)


def legend(top, data, lat, cap, drawn):
    """The models, band and hollow markers, and notes, to the right of the latency panel."""
    handles = list(drawn["handles"])
    sizes = pd.concat([lat["n"], cap["n"]])
    n_min, n_max = int(sizes.min()), int(sizes.max())
    runs = f"{n_min}" if n_min == n_max else f"{n_min}–{n_max}"
    of = "runs each" if data["mixed"] else "runs (seeds) each"
    notes = [f"points: mean of {runs} {of}" if n_max > 1 else "one run per point"]
    if drawn["band"]:
        handles.append(Patch(color="gray", alpha=0.3, label="band: min–max over seeds"))
    elif n_max > 1:
        notes.append("no band: seeds agree")
    if "busy" in cap and cap["busy"].notna().any():
        lo_b, hi_b = cap["busy"].min(), cap["busy"].max()
        notes.append(f"capacity runs: busiest node busy\n{lo_b:.0%}–{hi_b:.0%} of the run"
                     if f"{lo_b:.0%}" != f"{hi_b:.0%}" else
                     f"capacity runs: busiest node busy\n{lo_b:.0%} of the run")
    if drawn["hollow"]:
        handles.append(Line2D([], [], ls="none", marker="o", mfc="white", mec="gray", mew=1.6,
                              label=f"hollow: busiest node < {SATURATED:.0%} busy,\n"
                                    "so not at capacity"))
    notes += [textwrap.fill(t, 42) for t in data["notes"]]
    handles += [Line2D([], [], ls="none", label=t) for t in [""] + notes]
    top.legend(handles=handles, title="model", loc="upper left", bbox_to_anchor=(1.02, 1),
               fontsize=8.5, title_fontsize=9, frameon=False, alignment="left")


def main(argv=None):
    common.plot_main(__doc__, argv, arg="summary_csv", arg_help="summary.csv of an open-loop sweep over nodes "
                     "and two rates (e.g. experiments/specs/default.toml)", default_name=DEFAULT_NAME,
                     options=common.title_flag(), load=lambda a: load(a.summary_csv, a.title), render=render)


if __name__ == "__main__":
    sys.exit(main())
