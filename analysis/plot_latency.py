#!/usr/bin/python3
"""Empirical CDF of successful write and read latencies of one replisim run."""
import sys

import common  # sets the Agg backend before pyplot is imported
import schema
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.ticker import FuncFormatter

DEFAULT_NAME = "latency_cdf.png"
COLUMNS = schema.known("ops.csv", "kind", "outcome", "latency_ms")


def load(ops_csv, summary_csv=None, xscale="auto"):
    # stale is optional: write-only or older runs may lack it.
    ops = common.read_csv(ops_csv, COLUMNS, optional=schema.known("ops.csv", "stale"))
    summary = common.read_summary(summary_csv or common.beside(ops_csv, "summary.csv"),
                                  required=summary_csv is not None)
    return {"ops": ops, "summary": summary, "path": ops_csv, "xscale": xscale}


def ecdf(ax, values, **kw):
    x = np.sort(values)
    y = np.arange(1, len(x) + 1) / len(x)
    ax.step(np.r_[x[0], x], np.r_[0, y], where="post", **kw)


def pick_scale(lat, requested):
    if requested != "auto":
        return requested
    pos = lat[lat > 0]
    # Heavy tails (timeouts, WAN hops) squash a linear axis into one corner.
    if len(pos) == len(lat) and len(pos) and np.percentile(pos, 99.9) / np.percentile(pos, 1) > 30:
        return "log"
    return "linear"


def render(data, out):
    ops = data["ops"]
    ok = ops[ops["outcome"] == "ok"]
    writes = ok.loc[ok["kind"] == "write", "latency_ms"].to_numpy(float)
    fig, ax = plt.subplots(figsize=(9, 6))
    curves(ax, writes, ok[ok["kind"] == "read"])
    if len(writes):
        write_marks(ax, writes)
    not_ok = ops[(ops["outcome"] != "ok") & (ops["kind"] == "write")]["outcome"].value_counts()
    failed = ", ".join(f"{n:,} {k}" for k, n in not_ok.items()) or "none"
    ax.plot([], [], " ", label=f"writes not ok: {failed}")
    if not len(writes):
        ax.text(0.99, 0.05, "no successful writes", transform=ax.transAxes, ha="right",
                fontsize=13, color="tab:red", weight="bold")
    latency_axis(ax, ok["latency_ms"].to_numpy(float), data.get("xscale", "auto"))
    # Below the axes: reads, writes and the p-labels can fill any part of the plot.
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.13), ncol=2, frameon=False,
              fontsize=9)
    title = common.run_title(data["summary"], f"{data['path']} (no summary.csv)")
    ax.set_title("Operation latency CDF\n" + title, fontsize=11)
    return common.save_figure(fig, out)


def curves(ax, writes, reads):
    """The CDFs of ok writes and ok reads, the reads' stale share and percentiles in their label."""
    if len(writes):
        ecdf(ax, writes, color="tab:blue", lw=2, label=f"writes ok (n={len(writes):,})")
    if len(reads):
        ecdf(ax, reads["latency_ms"].to_numpy(float), color="tab:orange", lw=2, label=read_label(reads))
    else:
        ax.plot([], [], " ", label="no reads in this run")


def read_label(reads):
    """'reads ok (n=33, 6.1% stale; p50 20 ms, p99 40 ms)' for the ok reads of ops.csv."""
    stale = pd.to_numeric(reads["stale"], errors="coerce")
    stale_txt = f", {stale.mean():.1%} stale" if stale.notna().any() else ""
    rl = reads["latency_ms"].to_numpy(float)
    return (f"reads ok (n={len(reads):,}{stale_txt}; p50 {common.ms_text(common.nearest_rank(rl, 50))}, "
            f"p99 {common.ms_text(common.nearest_rank(rl, 99))})")


def write_marks(ax, writes):
    """The writes' p50 and p99 (nearest rank, as summary.csv's) as vertical lines, labelled."""
    # Offset the two labels vertically so they stay apart when p50 ≈ p99.
    for q, y, style in [(50, 0.25, "--"), (99, 0.60, ":")]:
        v = common.nearest_rank(writes, q)
        ax.axvline(v, color="tab:blue", ls=style, lw=1.2)
        ax.annotate(f"write p{q}\n{common.ms_text(v)}", (v, y), xytext=(5, 0),
                    textcoords="offset points", color="tab:blue", fontsize=9,
                    bbox=dict(boxstyle="round,pad=0.2", fc="white", ec="none", alpha=0.8))


def latency_axis(ax, all_lat, xscale):
    if len(all_lat):
        ax.set_xscale(pick_scale(all_lat, xscale))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))  # 0.1, not 10^-1
    else:
        ax.set_xlim(0, 1)  # nothing to show; avoid an axis of negative latencies
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("latency (ms, simulated)" + ("  [log scale]" if ax.get_xscale() == "log" else ""))
    ax.set_ylabel("fraction of operations ≤ latency")
    ax.grid(True, which="major", alpha=0.3)


def options(p):
    p.add_argument("--summary", help="summary.csv for the title (default: summary.csv beside OPS_CSV, if any)")
    p.add_argument("--xscale", choices=["auto", "linear", "log"], default="auto",
                   help="x axis scale; auto picks log for heavy-tailed latencies (default: auto)")


def main(argv=None):
    common.plot_main(__doc__, argv, arg="ops_csv", arg_help="ops.csv written by a replisim run",
                     default_name=DEFAULT_NAME, options=options,
                     load=lambda a: load(a.ops_csv, a.summary, a.xscale), render=render)


if __name__ == "__main__":
    sys.exit(main())
