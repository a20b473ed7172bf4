#!/usr/bin/python3
"""How busy each node was: per node, the share of the run its workers spent processing
messages (busy_fraction of roles.csv), as bars coloured by the node's role, with the mean
as a line. Several roles.csv files are drawn side by side with the same y axis, so runs of
different models at the same load compare at a glance (the hot primaries of leader-follower
against the evenly loaded partitioned brokers)."""
import sys

import common  # sets the Agg backend before pyplot is imported
import schema
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter

import plot_roles

DEFAULT_NAME = "load.png"
COLUMNS = schema.known("roles.csv", "node", "host", "primary_units", "replica_units", "leader_units",
                       "busy_fraction")
PERCENT = FuncFormatter(lambda v, _: f"{v:.0%}")
# Role of a node → bar colour, in legend order.
ROLES = {
    "primary/leader": "tab:red",
    "mixed: leads some units, follows others": "tab:purple",
    "replica/follower only": "tab:gray",
    "primary of some range(s)\n(leaderless: no unit has a leader)": "tab:olive",
    "replica only, primary of no range\n(leaderless)": "silver",
    "primary of some unit, leads none": "tab:pink",
    "holds no unit": "white",
}


def node_roles(r):
    """One role (a key of ROLES) per node of a roles table."""
    holds = (r["primary_units"] > 0) | (r["replica_units"] > 0)
    if (r["leader_units"] == 0).all():  # leaderless: any node coordinates, no unit has a leader
        return np.where(r["primary_units"] > 0, "primary of some range(s)\n(leaderless: no unit has a leader)",
                        np.where(holds, "replica only, primary of no range\n(leaderless)",
                                 "holds no unit"))
    lead, rep = r["leader_units"] > 0, r["replica_units"] > 0
    return np.select(
        [lead & ~rep, lead & rep, ~lead & (r["primary_units"] == 0) & rep, ~holds],
        ["primary/leader", "mixed: leads some units, follows others", "replica/follower only",
         "holds no unit"],
        default="primary of some unit, leads none")


def has_load(roles_csv):
    """True when roles.csv has a busy_fraction column with some value above 0: the run had
    processing costs (--service), so its nodes were busy some of the time."""
    try:
        r = common.read_csv(roles_csv, ["busy_fraction"])
    except common.InputError:
        return False
    return bool((r["busy_fraction"].fillna(0) > 0).any())


def load(paths, title=None):
    panels = []
    for path in paths:
        r = common.read_csv(path, COLUMNS, optional=["zone"])
        if r.empty:
            raise common.InputError(f"{path}: no nodes (header only)")
        if not np.issubdtype(r["busy_fraction"].dtype, np.number):
            raise common.InputError(f"{path}: column busy_fraction is not numeric")
        summary = common.read_summary(common.beside(path, "summary.csv"))
        panels.append({"path": path, "roles": r, "summary": summary, "role": node_roles(r)})
    if not any((p["roles"]["busy_fraction"].fillna(0) > 0).any() for p in panels):
        raise common.InputError(
            ("every busy_fraction is 0" if len(paths) > 1 else f"{paths[0]}: every busy_fraction is 0")
            + ": no processing cost was given (--service), so nodes were never busy")
    # Parameters every run shares go in the figure title; each panel names what differs.
    summaries = [p["summary"] for p in panels]
    shared = {}
    if all(summaries):
        keys = set.intersection(*(set(s) for s in summaries))
        shared = {k: summaries[0][k] for k in keys if all(s[k] == summaries[0][k] for s in summaries)}
    if len(panels) == 1:
        shared = dict(summaries[0] or {})
    for p in panels:
        s = p["summary"]
        if not s:
            p["title"] = f"{p['path']}\n(no summary.csv beside it)"
            continue
        own = {k: v for k, v in s.items() if k not in shared or k == "model"}
        parts = common.title_parts(own)
        p["title"] = (s.get("model") or "replisim run") + (
            "\n" + common.wrap_parts(parts, 48) if parts else "")
        p["outcome"] = outcome(s)
    if title is None:
        title = common.wrap_parts(common.title_parts(shared), 110) if shared else ""
    return {"panels": panels, "title": title}


def outcome(s):
    """'3,411 writes/s acknowledged, write p99 18.4 ms' from a run's summary."""
    parts = []
    try:
        parts.append(f"{float(s['throughput_writes_per_s']):,.0f} writes/s acknowledged")
    except (KeyError, ValueError):
        pass
    try:
        parts.append(f"write p99 {common.ms_text(float(s['write_p99_ms']))}")
    except (KeyError, ValueError):
        pass
    return ", ".join(parts)


def render(data, out):
    panels = data["panels"]
    widths = [max(3.4, 0.42 * len(p["roles"]) + 1.2) for p in panels]
    fig, axes = plt.subplots(1, len(panels), sharey=True, squeeze=False,
                             figsize=(sum(widths) + 3.6, 5.6),
                             gridspec_kw={"width_ratios": widths})
    top = max(1.0, max(float(p["roles"]["busy_fraction"].max()) for p in panels)) * 1.1
    seen = set()
    for ax, p in zip(axes[0], panels):
        busy_panel(ax, p)
        seen.update(p["role"])
    axes[0][0].set_ylim(0, top)
    axes[0][0].yaxis.set_major_formatter(PERCENT)
    axes[0][0].set_ylabel("busy share of the run (%)\ntime its worker spent processing messages")
    handles = [Patch(facecolor=c, edgecolor="0.3", linewidth=0.6, label=k)
               for k, c in ROLES.items() if k in seen]
    handles.append(Line2D([], [], color="black", ls="--", lw=1.1, label="mean over the nodes"))
    axes[0][-1].legend(handles=handles, title="node role", loc="upper left",
                       bbox_to_anchor=(1.03, 1), fontsize=8.5, title_fontsize=9, frameon=False,
                       alignment="left")
    head = "How busy each node was, by role" if len(panels) == 1 else \
        "How busy each node was, by role: runs side by side on the same scale"
    fig.suptitle(head + (f"\n{data['title']}" if data["title"] else ""), fontsize=11)
    return common.save_figure(fig, out, bbox_inches="tight")


def busy_panel(ax, p):
    """One run: a bar per node, coloured by its role, its busy share on it (up to 16 nodes), the
    mean as a dashed line, and the spread in one line at the top."""
    r = p["roles"]
    busy = r["busy_fraction"].fillna(0).to_numpy(float)
    x = np.arange(len(r))
    bars = ax.bar(x, busy, 0.72, color=[ROLES[k] for k in p["role"]], edgecolor="0.3", linewidth=0.6,
                  zorder=3)
    if len(r) <= 16:
        for t in ax.bar_label(bars, labels=[f"{v:.0%}" for v in busy], fontsize=7.5, padding=1.5):
            # Readable where the mean line crosses it.
            t.set_bbox(dict(boxstyle="square,pad=0.05", fc="white", ec="none", alpha=0.85))
            t.set_zorder(6)
    mean = busy.mean()
    ax.axhline(mean, color="black", ls="--", lw=1.1, zorder=4)
    # The spread in one line, in the empty top of the panel (bars stay below 100%).
    said = f"mean {mean:.0%}" + (f" · busiest {busy.max():.0%} = {busy.max() / mean:.2f}× the mean"
                                 if mean > 0 else "")
    ax.text(0.98, 0.97, said, transform=ax.transAxes, ha="right", va="top", fontsize=8.5,
            bbox=dict(boxstyle="round,pad=0.25", fc="white", ec="0.8"), zorder=5)
    if mean == 0:
        ax.text(0.5, 0.5, "every node 0% busy:\nno processing cost in this run",
                transform=ax.transAxes, ha="center", va="center", fontsize=9, color="0.3")
    ax.set_title(p["title"] + (f"\n{p['outcome']}" if p.get("outcome") else ""), fontsize=9)
    labels = plot_roles.tick_labels(r, "\n")
    crowded = max(len(s) for lab in labels for s in lab.split("\n")) * 0.075 > 0.42
    ax.set_xticks(x)
    ax.set_xticklabels(plot_roles.tick_labels(r, " · " if crowded else "\n"), fontsize=7.5,
                       rotation=90 if crowded else 0)
    ax.set_xlim(-0.6, len(r) - 0.4)
    ax.set_xlabel("node (id / host" + (" / zone)" if r["zone"].nunique() > 1 else ")"), fontsize=9)
    ax.grid(axis="y", alpha=0.3, zorder=0)


def main(argv=None):
    common.plot_main(__doc__, argv, arg="roles_csv", many=True,
                     arg_help="roles.csv of a run (several: one panel each, side by side)",
                     default_name=DEFAULT_NAME,
                     options=common.title_flag("second title line (default: the run parameters every run shares)"),
                     load=lambda a: load(a.roles_csv, a.title), render=render)


if __name__ == "__main__":
    sys.exit(main())
