#!/usr/bin/python3
"""Draw every plot of one replisim run directory: latency_cdf.png, roles.png, load.png (how busy
each node was) when the run had processing costs, and roles_timeline.png (units led by each node
over the run) when it wrote roles_timeline.csv (--faults or --timeline-step)."""
import argparse
import os
import sys

import common
import plot_latency
import plot_load
import plot_roles
import plot_timeline


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("dir", metavar="DIR", help="output directory of a run (holds roles.csv, summary.csv, and ops.csv or ops.csv.gz)")
    a = p.parse_args(argv)
    try:
        if not os.path.isdir(a.dir):
            raise common.InputError(f"directory not found: {a.dir}")
        # Load everything first so a bad input leaves no half-written set of PNGs.
        # ops.csv, or ops.csv.gz (--ops-file gz); none with --ops-file none.
        ops = next((os.path.join(a.dir, f) for f in ("ops.csv", "ops.csv.gz")
                    if os.path.isfile(os.path.join(a.dir, f))), None)
        lat = plot_latency.load(ops) if ops else None
        roles_csv = os.path.join(a.dir, "roles.csv")
        roles = plot_roles.load(roles_csv)
        # Only a run with processing costs (--service) has busy nodes to show.
        busy = plot_load.load([roles_csv]) if plot_load.has_load(roles_csv) else None
        timeline_csv = os.path.join(a.dir, "roles_timeline.csv")
        timeline = plot_timeline.load(timeline_csv) if os.path.isfile(timeline_csv) else None
    except common.InputError as e:
        common.fail(e)
    if lat is not None:
        print(plot_latency.render(lat, os.path.join(a.dir, plot_latency.DEFAULT_NAME)))
    else:
        print(f"no {plot_latency.DEFAULT_NAME}: the run kept no per-operation file (--ops-file none)")
    print(plot_roles.render(roles, os.path.join(a.dir, plot_roles.DEFAULT_NAME)))
    if busy:
        print(plot_load.render(busy, os.path.join(a.dir, plot_load.DEFAULT_NAME)))
    if timeline:
        print(plot_timeline.render(timeline, os.path.join(a.dir, plot_timeline.DEFAULT_NAME)))


if __name__ == "__main__":
    sys.exit(main())
