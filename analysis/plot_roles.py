#!/usr/bin/python3
"""Per-node role distribution of one replisim run: units held as primary/replica, writes led."""
import sys

import common  # sets the Agg backend before pyplot is imported
import schema
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import MaxNLocator

DEFAULT_NAME = "roles.png"
WIDTH = 0.7  # of a bar
COLUMNS = schema.known("roles.csv", "node", "host", "primary_units", "replica_units", "leader_units",
                       "writes_led")


def load(roles_csv, title=None):
    roles = common.read_csv(roles_csv, COLUMNS, optional=["zone"])
    if roles.empty:
        raise common.InputError(f"{roles_csv}: no nodes (header only)")
    if title is None:
        title = common.run_title(common.read_summary(common.beside(roles_csv, "summary.csv")),
                                 f"{roles_csv} (no summary.csv beside it)")
    return {"roles": roles, "title": title}


def role_subtitle(r):
    """The seed's question, answered from the data: do node roles map one-to-one?"""
    mixed = int(((r["primary_units"] > 0) & (r["replica_units"] > 0)).sum())
    if mixed:
        text = (f"many-to-many: {mixed} of {len(r)} nodes are primary for some units "
                f"and replica for others")
    else:
        prim = int((r["primary_units"] > 0).sum())
        rep = int((r["replica_units"] > 0).sum())
        text = f"one-to-one: every node holds one role ({prim} primary, {rep} replica)"
    differ = int((r["leader_units"] != r["primary_units"]).sum())
    if differ:
        text += f"; leader units ≠ primary units on {differ} node(s)"
    return text


def tick_labels(r, sep):
    show_zone = r["zone"].dropna().astype(str).nunique() > 1  # a single zone adds nothing
    return [sep.join([str(n), str(h)] + ([str(z)] if show_zone else []))
            for n, h, z in zip(r["node"], r["host"], r["zone"])]


def render(data, out):
    r = data["roles"]
    plot_w = min(13, max(6, 0.8 * len(r)))  # inches of axes; legends sit to the right
    fig, (top, bot) = plt.subplots(2, 1, sharex=True, figsize=(plot_w + 3.8, 7.5),
                                   gridspec_kw={"height_ratios": [3, 2]})
    units_panel(top, r)
    led = writes_panel(bot, r)
    for ax in (top, bot):
        ax.grid(axis="y", alpha=0.3)
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    # Explicit limits: stacked bars make the stack heights "sticky", defeating margins.
    total = (r["primary_units"] + r["replica_units"]).max()
    top.set_ylim(0, max(total, r["leader_units"].max(), 1) * 1.08)
    bot.set_ylim(0, max(led.max(), 1) * 1.1)  # room above the tallest bar for its label
    node_axis(bot, r, plot_w)
    fig.suptitle("Role distribution per node\n" + data["title"], fontsize=12)
    return common.save_figure(fig, out)


def units_panel(top, r):
    """Units held per node, primary under replica, and the units it leads when they differ."""
    x = np.arange(len(r))
    handles = [top.bar(x, r["primary_units"], WIDTH, color="tab:red", label="primary units"),
               top.bar(x, r["replica_units"], WIDTH, bottom=r["primary_units"],
                       color="tab:gray", alpha=0.6, label="replica units")]
    # Leader ≠ primary is the point of the tool, so only then draw leaders separately.
    if (r["leader_units"] == r["primary_units"]).all():
        handles += top.plot([], [], " ", label="(leader units = primary units\n on every node)")
    else:
        none = " (0: writes are\n coordinated per request)" if (r["leader_units"] == 0).all() else ""
        handles.append(top.scatter(x, r["leader_units"], marker="D", s=40, color="black",
                                   zorder=3, clip_on=False, label="leader units" + none))
    top.set_ylabel("units of data held\n(shards / partitions / ranges)")
    top.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=9,
               frameon=False)
    top.set_title(role_subtitle(r), fontsize=10, style="italic")


def writes_panel(bot, r):
    """Writes each node led, against their mean; returns them."""
    led = r["writes_led"].to_numpy(float)
    bars = bot.bar(np.arange(len(r)), led, WIDTH, color="tab:blue", label="writes led / coordinated")
    mean = led.mean() if len(led) else 0
    handles = [bars, bot.axhline(mean, color="black", ls="--", lw=1, label=f"mean {mean:,.0f}")]
    if mean > 0:
        # Write-load skew in one number: what a hot leader carries vs the average.
        handles += bot.plot([], [], " ", label=f"max / mean = {led.max() / mean:.2f}")
    if len(r) <= 16:
        bot.bar_label(bars, fmt="%d", fontsize=8, padding=1)
    bot.set_ylabel("writes led\n(count)")
    bot.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=9,
               frameon=False)
    return led


def node_axis(bot, r, plot_w):
    """A tick per node: stacked labels unless the widest line (~0.075 in per char at 8 pt)
    overflows its slot; then one rotated line per node."""
    widest = max((len(s) for lab in tick_labels(r, "\n") for s in lab.split("\n")), default=0)
    crowded = widest * 0.075 > 0.9 * plot_w / max(len(r), 1)
    bot.set_xticks(np.arange(len(r)))
    bot.set_xticklabels(tick_labels(r, " · " if crowded else "\n"), fontsize=8,
                        rotation=90 if crowded else 0)
    bot.set_xlabel("node (id / host" + (" / zone)" if r["zone"].nunique() > 1 else ")"))


def main(argv=None):
    common.plot_main(__doc__, argv, arg="roles_csv", arg_help="roles.csv written by a replisim run",
                     default_name=DEFAULT_NAME,
                     options=common.title_flag("title line (default: model, nodes, rf... from summary.csv "
                                               "beside ROLES_CSV)"),
                     load=lambda a: load(a.roles_csv, a.title), render=render)


if __name__ == "__main__":
    sys.exit(main())
