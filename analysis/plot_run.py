#!/usr/bin/python3
"""Draw every plot of one replisim run directory: latency_cdf.png, roles.png, load.png (how busy
each node was) when the run had processing costs, and roles_timeline.png (units led by each node
over the run) when it wrote roles_timeline.csv (--faults or --timeline-step)."""
import os
import sys

import common
import plot_latency
import plot_load
import plot_roles
import plot_timeline


def load(run_dir):
    """Every input of the run's figures, read before any is drawn, so that a bad input leaves no
    half-written set of PNGs."""
    if not os.path.isdir(run_dir):
        raise common.InputError(f"directory not found: {run_dir}")
    # ops.csv, or ops.csv.gz (--ops-file gz); none with --ops-file none.
    ops = next((os.path.join(run_dir, f) for f in ("ops.csv", "ops.csv.gz")
                if os.path.isfile(os.path.join(run_dir, f))), None)
    roles_csv = os.path.join(run_dir, "roles.csv")
    timeline_csv = os.path.join(run_dir, "roles_timeline.csv")
    return {
        "latency": plot_latency.load(ops) if ops else None,
        "roles": plot_roles.load(roles_csv),
        # Only a run with processing costs (--service) has busy nodes to show.
        "load": plot_load.load([roles_csv]) if plot_load.has_load(roles_csv) else None,
        "timeline": plot_timeline.load(timeline_csv) if os.path.isfile(timeline_csv) else None,
    }


def render(data, out_dir):
    """Draws each figure into `out_dir`; returns a line per figure: its path, or why it is missing."""
    lines = []
    if data["latency"] is not None:
        lines.append(plot_latency.render(data["latency"], os.path.join(out_dir, plot_latency.DEFAULT_NAME)))
    else:
        lines.append(f"no {plot_latency.DEFAULT_NAME}: the run kept no per-operation file (--ops-file none)")
    lines.append(plot_roles.render(data["roles"], os.path.join(out_dir, plot_roles.DEFAULT_NAME)))
    for name, module in (("load", plot_load), ("timeline", plot_timeline)):
        if data[name]:
            lines.append(module.render(data[name], os.path.join(out_dir, module.DEFAULT_NAME)))
    return "\n".join(lines)


def main(argv=None):
    common.plot_main(__doc__, argv, arg="dir", arg_help="output directory of a run (holds roles.csv, "
                     "summary.csv, and ops.csv or ops.csv.gz)", default_name=None,
                     load=lambda a: load(a.dir), render=render)


if __name__ == "__main__":
    sys.exit(main())
