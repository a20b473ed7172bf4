"""Helpers shared by the replisim plotting scripts (the CSV files they read: schema.csv, README "Output files")."""
import argparse
import os
import sys

import matplotlib

matplotlib.use("Agg")  # scripts run headless (CI, ssh); never open a window
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

import schema  # noqa: E402

# Run parameters worth putting in a title, in display order. summary.csv may
# carry many more (seed, vnodes, duration...), which would only clutter it.
TITLE_PARAMS = [
    ("platform", "{}"),
    ("nodes", "{} nodes"),
    ("clients", "{} clients"),  # "1 client": see title_parts
    ("rf", "rf {}"),
    ("strategy", "{}"),
    ("coordinator", "{} coordinator"),
    ("write_concern", "w={}"),
    ("acks", "acks={}"),
    ("min_insync", "min.insync={}"),
    ("leaders_per_zone", "{} leaders per zone"),
    ("consistency", "CL={}"),
    ("read_consistency", "read CL={}"),
    ("latency", "latency {}"),
    ("read_ratio", "{} reads"),
    ("rate", "open loop {} ops/s per client"),
    ("service", "{}"),
    ("threads", "{} per node"),
]
# Shown only when nodes do work (a service cost is given): without one, the
# number of worker threads changes nothing.
SERVICE_PARAMS = ("threads",)

# One colour and marker per replication model, the same in every plot; other
# models (and other --hue columns) get the remaining colours in order.
MODEL_STYLES = {
    "leader-follower": ("C0", "o"),
    "partitioned": ("C1", "s"),
    "leaderless": ("C2", "^"),
    "multi-leader": ("C3", "D"),
    "chain": ("C4", "v"),  # the colour and marker it had as the first model without its own
}


# Parameters drawn from the seed when not given: runs that differ in them differ in seed only.
SEED_DRAWN = ("start_index",)
# Run parameters of summary.csv (schema.csv's param columns): when one differs between runs
# averaged into one plotted point, the point mixes configurations, not just seeds.
RUN_PARAMS = [c for c in schema.columns("summary.csv", "param") if c not in SEED_DRAWN]

# Axis labels for summary.csv columns; any other column is labelled by its name
# and the unit its suffix implies (column_unit).
COLUMN_LABELS = {
    "nodes": "datastore nodes (count)",
    "rf": "replication factor (copies of each unit)",
    "units": "units (shards / partitions, count)",
    "unit_count": "units (shards / partitions / ranges, count)",
    "clients": "clients (count)",
    "latency_ms": "one-way link latency (ms)",
    "latency": "one-way link latency (as given)",
    "model": "replication model",
    "write_concern": "write concern (w)",
    "read_from": "reads sent to",
    "read_ratio": "reads (share of operations)",
    "ops": "client operations (count)",
    "keys": "distinct keys (count)",
    "writes_ok": "writes acknowledged (count)",
    "writes_failed": "writes refused (count)",
    "writes_timed_out": "writes timed out, may have committed (count)",
    "writes_retried": "writes retried (count)",
    "acked_writes_lost": "acknowledged writes lost (count)",
    "reads_ok": "reads ok (count)",
    "stale_read_fraction": "stale reads (% of ok reads)",
    "stale_versions_behind_mean": "versions a stale read is behind (mean)",
    "stale_versions_behind_max": "versions a stale read is behind (max)",
    "msgs_per_write": "messages per write",
    "leader_is_primary_fraction": "writes led by the unit's primary (% of ok writes)",
    "mixed_role_nodes": "mixed-role nodes (count)",
    "max_leader_units": "most units led by one node",
    "min_leader_units": "fewest units led by one node",
    "leader_imbalance": "leader imbalance (×, max / mean leader units)",
    "sim_time_s": "simulated time (s)",
    "wall_s": "wall-clock time of the simulation (s)",
    "rate": "offered load per client (ops/s; 0 = closed loop)",
    "concurrency": "operations outstanding per client (closed loop)",
    "service": "processing cost per message",
    "threads": "worker threads per node",
    "cores": "cores per host",
    "host_speed": "host speed (flop/s)",
    "sync_writes": "synchronous disk write per replica (1 = on)",
    "throughput_writes_per_s": "throughput (acknowledged writes/s)",
    "write_queued_mean_ms": "write time spent queued at busy nodes, mean (ms)",
    "busiest_node": "busiest node (index)",
    "busiest_node_utilization": "busiest node: busy share of the run (%)",
    # roles.csv, one row per node
    "busy_fraction": "busy share of the run (%)",
    "queue_wait_p99_ms": "wait in a node's queue before handling, p99 (ms)",
    "queue_wait_mean_ms": "wait in a node's queue before handling, mean (ms)",
    "max_queue_length": "longest queue of messages waiting at a node (count)",
    "messages_handled": "messages handled (count)",
    "queued_ms": "time spent queued at busy nodes (ms)",
}
for _kind in ("write", "read"):
    for _stat in ("p50", "p95", "p99", "mean", "max"):
        if f"{_kind}_{_stat}_ms" in schema.columns("summary.csv"):
            COLUMN_LABELS[f"{_kind}_{_stat}_ms"] = f"{_kind} latency, {_stat} (ms)"


class InputError(Exception):
    """A missing file or column: reported in one line, exit status 2."""


def fail(err):
    print(f"{os.path.basename(sys.argv[0])}: error: {err}", file=sys.stderr)
    sys.exit(2)


def _parse(path, **kw):
    try:
        return pd.read_csv(path, **kw)
    except (pd.errors.EmptyDataError, pd.errors.ParserError, UnicodeDecodeError) as e:
        raise InputError(f"cannot parse {path}: {str(e).strip()}") from None
    except OSError as e:
        raise InputError(f"cannot read {path}: {e.strerror or e}") from None


def nearest_rank(values, q):
    """The q-th percentile of `values` as replisim's summary.csv computes it (nearest rank: the
    ⌈q·n/100⌉-th smallest)."""
    return float(np.percentile(values, q, method="inverted_cdf"))


def read_csv(path, columns, optional=()):
    """Read only `columns` (and any `optional` ones present, else NaN), raising
    InputError naming what is missing."""
    if not os.path.isfile(path):
        raise InputError(f"file not found: {path}")
    header = _parse(path, nrows=0).columns
    missing = [c for c in columns if c not in header]
    if missing:
        raise InputError(f"{path}: missing column(s) {', '.join(missing)}")
    # Only the named columns: ops.csv can be millions of rows, and later
    # versions may add columns we do not know about.
    df = _parse(path, usecols=list(columns) + [c for c in optional if c in header])
    for c in optional:
        if c not in df:
            df[c] = float("nan")
    return df


def read_table(path, columns):
    """Every column of a small CSV (summary.csv) as stripped strings, "" for an
    empty cell, raising InputError naming any of `columns` that is missing."""
    if not os.path.isfile(path):
        raise InputError(f"file not found: {path}")
    df = _parse(path, dtype=str, keep_default_na=False)
    missing = [c for c in dict.fromkeys(columns) if c not in df.columns]
    if missing:
        raise InputError(f"{path}: missing column(s) {', '.join(missing)}")
    return df.apply(lambda col: col.str.strip())


def drop_not_ok(df):
    """A sweep's rows without those whose status is not ok (a file without a
    status column, or with an empty one, is all ok): (rows kept, count dropped, note for the plot,
    warning line naming the first error)."""
    if "status" not in df:
        return df, 0, "", ""
    status = df["status"].fillna("").astype(str).str.strip()
    if (status == "").all():  # an optional column read_csv filled in, or single runs concatenated
        return df, 0, "", ""
    bad = status != "ok"
    n = int(bad.sum())
    if not n:
        return df, 0, "", ""
    counts = status[bad].replace("", "(empty)").value_counts()
    what = ", ".join(k + (f" ×{c}" if len(counts) > 1 else "") for k, c in counts.items())
    rows = f"{n} row{'s' if n != 1 else ''}"
    errors = df.loc[bad, "error"].fillna("").astype(str) if "error" in df else []
    first = next((e for e in errors if e.strip()), "")
    return (df[~bad], n, f"{rows} left out: status {what}",
            f"{rows} with status not ok left out" + (f" (first error: {first})" if first else ""))


def plural(n, word):
    return f"{n} {word}{'' if n == 1 else 's'}"


def mixed_params(df, groups, skip=()):
    """Run parameters (RUN_PARAMS, but not those in `skip`) that take more than one value
    inside some group of rows: a plotted point that averages over them mixes configurations,
    not just seeds. `groups`: columns or Series to group by."""
    params = [c for c in RUN_PARAMS if c in df and c not in skip]
    if not params or df.empty:
        return []
    by = df.groupby(groups, sort=False, dropna=False)
    return [c for c in params if (by[c].nunique(dropna=False) > 1).any()]


def numeric_or_text(col):
    """A column of strings as floats (NaN for empty cells) when every non-empty
    cell is a number, else unchanged."""
    num = pd.to_numeric(col.replace("", float("nan")), errors="coerce")
    return num.astype(float) if num.notna().sum() == (col != "").sum() else col


def numeric_columns(df, columns, path):
    """Convert `columns` of a summary table (strings, as read_table gives; those absent are
    skipped) to floats, NaN for empty cells, raising InputError naming a column that holds text."""
    for c in columns:
        if c not in df:
            continue
        df[c] = numeric_or_text(df[c])
        if df[c].dtype.kind != "f":
            bad = next(v for v in df[c] if v != "" and pd.isna(pd.to_numeric(v, errors="coerce")))
            raise InputError(f"{path}: column {c} is not numeric (holds {bad!r})")
    return df


# Units of a replisim duration ("150ms", "2.5s", "1min"; a bare number is ms), in seconds.
DURATION_UNITS = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "": 1e-3, "s": 1.0, "min": 60.0, "h": 3600.0}


def duration_s(text):
    """Seconds in a duration written as replisim reads one; ValueError when it is not one."""
    text = str(text).strip()
    num = text.rstrip("abcdefghijklmnopqrstuvwxyz")
    unit = text[len(num):]
    try:
        value = float(num)
    except ValueError:
        raise ValueError(f"{text!r} is not a duration (e.g. 150ms)") from None
    if unit not in DURATION_UNITS or not (0 <= value < float("inf")):
        raise ValueError(f"{text!r} is not a duration (e.g. 150ms)")
    return value * DURATION_UNITS[unit]


def ms_text(ms):
    """'287 ms', '1.35 s', '13.9 s': a time in milliseconds as a reader says it."""
    if ms < 999.5:  # beyond, .3g would round to 1e+03
        return f"{ms:.3g} ms"
    return f"{ms / 1000:.3g} s" if ms < 999_500 else f"{ms / 1000:,.0f} s"


def column_unit(col):
    """Unit implied by a column name: times are milliseconds unless the name ends
    in _s (but _per_s is a rate); a _fraction or _utilization is a share, shown as %."""
    if col.endswith("_per_s"):
        return "/s"
    for suffix, unit in (("_ms", "ms"), ("_s", "s"), ("_fraction", "%"), ("_utilization", "%")):
        if col.endswith(suffix):
            return unit
    return ""


def axis_label(col):
    if col in COLUMN_LABELS:
        return COLUMN_LABELS[col]
    unit = column_unit(col)
    return f"{col} ({unit})" if unit else col


def format_value(col, v):
    """One value of a column with its unit: '5 ms', '12.5%', 'partitioned'."""
    if isinstance(v, str):
        return v if v != "" else "(empty)"
    if v is None or pd.isna(v):
        return "(empty)"
    unit = column_unit(col)
    if unit == "%":
        return f"{v * 100:.3g}%"
    if unit == "/s":
        return f"{v:,.0f}/s"
    return f"{v:g}" + (f" {unit}" if unit else "")


def read_summary(path, required=False):
    """First row of summary.csv as a dict of strings, or None when absent and optional."""
    if not os.path.isfile(path):
        if required:
            raise InputError(f"file not found: {path}")
        return None
    df = _parse(path, dtype=str, keep_default_na=False)
    if df.empty:
        return None
    # A sweep's summary has one row per point; only parameters shared by every
    # row describe the whole file.
    return {c: df[c].iloc[0] for c in df.columns if df[c].nunique() == 1}


def output_path(out):
    """The file `-o out` writes, once its directory is known to exist and its format to be one
    matplotlib writes: `out` itself, or out.png when it has no extension (as savefig names it);
    InputError otherwise."""
    d = os.path.dirname(os.path.abspath(out))
    if not os.path.isdir(d):
        raise InputError(f"output directory not found: {d}")
    ext = os.path.splitext(out)[1][1:]
    if not ext:
        return f"{out}.{matplotlib.rcParams['savefig.format']}"
    from matplotlib.backend_bases import FigureCanvasBase
    formats = FigureCanvasBase.get_supported_filetypes()
    if ext.lower() not in formats:
        raise InputError(f"{out}: cannot write a .{ext} file (formats: {', '.join(sorted(formats))})")
    return out


def number(v):
    """'1,500' for 1500.0, '0.05' for 0.05: a count or a rate as a reader writes it."""
    return f"{v:,.0f}" if abs(v) >= 100 else f"{v:,.3g}"


def service_text(service):
    """'cost per message (exp. mean): client request 0.5 · write 0.2 · ack 0.05 ms' from
    --service's 'client=exp:0.5ms write=exp:0.2ms ack=exp:0.05ms'; "" when none is given."""
    laws = [w.split("=", 1) for w in str(service).split()]
    if not laws:
        return ""
    if any(len(kw) != 2 for kw in laws):
        return f"cost per message: {service}"
    names = {"client": "client request", "all": "every message"}
    dists = {d.split(":", 1)[0] for _, d in laws}
    law = {"exp": "exp. mean", "const": "constant"}.get(next(iter(dists)))
    if len(dists) == 1 and law and all(d.count(":") == 1 for _, d in laws):
        # One law with one parameter each: name the law once, and a shared unit once, at the end.
        vals = [d.split(":", 1)[1] for _, d in laws]
        units = {v.lstrip("0123456789.") for v in vals}
        unit = next(iter(units)) if len(units) == 1 else ""
        vals = [v[:len(v) - len(unit)] if unit else _spaced(v) for v in vals]
        return (f"cost per message ({law}): "
                + " · ".join(f"{names.get(k, k)} {v}" for (k, _), v in zip(laws, vals))
                + (f" {unit}" if unit else ""))
    return "cost per message: " + " · ".join(f"{names.get(k, k)} {d}" for k, d in laws)


def _spaced(v):
    """'0.5 ms' for '0.5ms'."""
    num = v.rstrip("abcdefghijklmnopqrstuvwxyzµ")
    return f"{num} {v[len(num):]}" if num and num != v else v


def wrap_parts(parts, width):
    """Join title parts with ', ' into lines of at most about `width` characters."""
    lines, line = [], ""
    for part in parts:
        if line and len(line) + 2 + len(part) > width:
            lines.append(line + ",")
            line = part
        else:
            line = f"{line}, {part}" if line else part
    return "\n".join(lines + ([line] if line else []))


def _fmt_value(key, v):
    if key == "platform":  # a file path: its name says which platform
        return os.path.splitext(os.path.basename(v))[0] if v != "star" else "star"
    if key == "service":
        return service_text(v)
    if key == "threads":
        return f"{v} worker thread{'' if v == '1' else 's'}"
    if key == "read_ratio":  # a share; 0 (writes only) is left out
        try:
            return f"{float(v) * 100:.3g}%" if float(v) > 0 else ""
        except ValueError:
            return v
    if key == "rate":  # 0: a closed loop, whose load is set by concurrency instead
        try:
            return number(float(v)) if float(v) > 0 else ""
        except ValueError:
            return v
    # README "Output files": times are milliseconds unless the name says otherwise.
    if "latency" in key:
        try:
            float(v)
            return f"{v} ms"
        except ValueError:
            return v
    return v


def title_parts(summary, skip=()):
    """The run parameters of TITLE_PARAMS that `summary` (a dict of strings) has, as
    ['9 nodes', 'rf 3', 'w=majority', ...], leaving out the keys in `skip`."""
    works = summary.get("service", "") not in ("", "nan")
    parts = []
    for k, fmt in TITLE_PARAMS:
        if k in skip or summary.get(k, "") in ("", "nan") or (k in SERVICE_PARAMS and not works):
            continue
        v = _fmt_value(k, summary[k])
        if v != "":
            parts.append("1 client" if (k, v) == ("clients", "1") else fmt.format(v))
    return parts


def run_title(summary, fallback, width=90):
    """'leader-follower — 9 nodes, rf 3, w=majority, latency 1 ms' from summary.csv, in lines
    of about `width` characters (a run with processing costs has a long title)."""
    if not summary:
        return fallback
    parts = title_parts(summary)
    model = summary.get("model") or "replisim run"
    return wrap_parts([model + (" — " + parts[0] if parts else "")] + parts[1:], width)


def shared_params(df, skip=()):
    """Columns of a summary table (strings, as read_table gives) that hold one non-empty value
    in every row, as a dict: the parameters a whole figure shares."""
    out = {}
    for c in df.columns:
        if c in skip:
            continue
        vals = df[c].astype(str).unique()
        if len(vals) == 1 and vals[0] not in ("", "nan"):
            out[c] = vals[0]
    return out


def model_styles(models):
    """{model: (colour, marker)}: the fixed MODEL_STYLES, then unused colours for the others."""
    used = {c for c, _ in MODEL_STYLES.values()}
    spare = iter([f"C{i}" for i in range(10) if f"C{i}" not in used] * 10)
    markers = iter(["v", "P", "X", "*", "h"] * 10)
    return {m: MODEL_STYLES.get(m) or (next(spare), next(markers)) for m in models}


def _count(text):
    """A whole number ≥ 0 from a summary cell ('3', '3.000000'), else None."""
    try:
        v = float(text)
    except (TypeError, ValueError):
        return None
    return int(v) if v >= 0 and v == int(v) else None


def model_note(model, shared):
    """Who takes the writes, for a legend: '3 primaries take every write'. Derived from the
    summary.csv columns every run of the model shares (`shared`, strings): leaders_per_unit,
    leaders_per_zone, min_leader_units, max_leader_units, unit_count, leader_imbalance and
    platform; `model` only picks the words (UNIT_WORDS). "" when the columns do not say. (Not
    units: a sweep's spec may give --units to every model, and only some use it.)"""
    count = lambda k: _count(shared.get(k, ""))  # noqa: E731
    per_unit, per_zone = count("leaders_per_unit"), count("leaders_per_zone")
    fewest, most = count("min_leader_units"), count("max_leader_units")
    units = count("unit_count")
    unit_word, one, many = UNIT_WORDS.get(model, UNIT_WORDS[None])
    if per_unit == 0:  # no unit has a leader
        return "any node coordinates a write"
    if per_zone:  # several leaders of the whole key space, a number in each zone
        zone = "" if shared.get("platform") == "star" else " per zone"  # a generated star is one zone
        return f"{per_zone} leader{'s' if per_zone != 1 else ''}{zone} take{'s' if per_zone == 1 else ''} the writes"
    if per_unit != 1:
        return ""
    if fewest == most and fewest:  # every node leads as many units
        return f"{units} {unit_word}: every node leads {most}" if units else ""
    if fewest == 0 and most == 1:  # as many nodes lead as there are units, the others none
        if units:
            return f"one {one} takes every write" if units == 1 else f"{units} {many} take every write"
        share = _count(shared.get("leader_imbalance", "")) or None  # nodes per leader, when whole
        return f"the {many}, one node in {share}, take every write" if share else f"the {many} take every write"
    return f"{units} {unit_word}, leaders spread over the nodes" if units else ""


def leadership(shared):
    """'every node' when every node leads some unit (min_leader_units > 0), 'some nodes' when
    units have one leader each and some nodes lead none, from the summary.csv columns a set of
    runs shares (strings); None otherwise (leaderless, several leaders a unit, or runs that
    differ)."""
    if _count(shared.get("leaders_per_unit", "")) != 1:
        return None
    fewest = _count(shared.get("min_leader_units", ""))
    return None if fewest is None else "every node" if fewest > 0 else "some nodes"


def model_order(models):
    """Models in the order of MODEL_STYLES (the README's), then any others as first seen."""
    seen = list(dict.fromkeys(models))
    return [m for m in MODEL_STYLES if m in seen] + [m for m in seen if m not in MODEL_STYLES]


def beside(path, name):
    return os.path.join(os.path.dirname(os.path.abspath(path)), name)


def save_figure(fig, out, tight=True, **kw):
    """Lay out (tight_layout, unless `tight` is False), write and close `fig`; returns `out`.
    The figure goes to a temporary name beside `out`, renamed to `out` once whole: a run that
    fails or is interrupted leaves no half-written file, and an older `out` stays as it was."""
    import matplotlib.pyplot as plt
    try:
        if tight:
            fig.tight_layout()
        ext = os.path.splitext(out)[1][1:] or matplotlib.rcParams["savefig.format"]
        write_whole(out, lambda tmp: fig.savefig(tmp, dpi=120, format=ext, **kw))
    finally:
        plt.close(fig)
    return out


def write_whole(out, write):
    """Call `write(path)` with a temporary path beside `out`, then rename it to `out`; the
    temporary file is removed if `write` fails."""
    d, name = os.path.split(os.path.abspath(out))
    tmp = os.path.join(d, f".{name}.{os.getpid()}.tmp")
    try:
        write(tmp)
        os.replace(tmp, out)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


def ok_rows(df, path):
    """Rows of a sweep summary whose status is ok, with notes and warnings saying what was dropped."""
    if df.empty:
        raise InputError(f"{path}: no rows (header only)")
    notes, warnings = [], []
    df, dropped, note, warning = drop_not_ok(df)
    if dropped:
        notes.append(note)
        warnings.append(warning)
    if df.empty:
        raise InputError(f"{path}: no row has status ok ({dropped} not ok)")
    return df, notes, warnings


def drop_rows(df, mask, why, notes, warnings):
    """`df` without the rows in `mask`, saying how many went and why in `notes` and `warnings`."""
    n = int(mask.sum())
    if n:
        said = f"{plural(n, 'ok row')} left out: {why}"
        notes.append(said)
        warnings.append(said)
    return df[~mask]


def title_flag(text="second title line (default: the run parameters every row shares)"):
    """An `options` for plot_main: --title."""
    return lambda p: p.add_argument("--title", help=text)


def plot_main(doc, argv, *, arg, arg_help, load, render, default_name, many=False, options=None,
              report=None, out_help=None):
    """The command line of every plot script: ARG (an input file, several with `many`, or a run
    directory), -o/--output, and the script's own flags (`options(parser)`). The output defaults
    to `default_name` (or `default_name(args)`) beside the first input; with `default_name` None,
    -o names a directory for several figures, by default the input directory itself.

    `load(args)` reads every input first; then the output is checked, the warnings of
    data["warnings"] go to stderr, and `report(data)` (a table, if given) and what
    `render(data, out)` wrote go to stdout. A missing or bad input file, a missing column, a bad
    flag value or an output that cannot be written (InputError) is one line on stderr and exit
    status 2; figures are written whole or not at all (save_figure)."""
    p = argparse.ArgumentParser(description=doc)
    metavar = arg.upper()
    p.add_argument(arg, nargs="+" if many else None, metavar=metavar, help=arg_help)
    where = f"the first {metavar}" if many else metavar
    p.add_argument("-o", "--output", help=out_help or (
        f"PNG to write (default: {default_name} beside {where})" if default_name is not None
        else f"directory to write the PNGs in (default: {metavar})"))
    if options:
        options(p)
    a = p.parse_args(argv)
    first = getattr(a, arg)[0] if many else getattr(a, arg)
    try:
        data = load(a)
        if default_name is None:
            out = a.output or first
            if not os.path.isdir(out):
                raise InputError(f"output directory not found: {out}")
        else:
            out = output_path(a.output or beside(first, default_name(a) if callable(default_name)
                                                  else default_name))
        for w in data.get("warnings", ()):
            print(f"{p.prog}: warning: {w}", file=sys.stderr)
        if report:
            print(report(data))
        print(render(data, out))
    except InputError as e:
        fail(e)


# --- Facts the CSV files do not carry -------------------------------------------------------
# What a model calls a unit (plural) and the node that leads one (singular, plural), for legends.
# No column says it: a unit_kind column in summary.csv (replica set, partition, token range,
# key space, chain) and a leader_kind one (primary, leader, coordinator, leader, head) would.
# Key None: the words for any other model.
UNIT_WORDS = {
    "leader-follower": ("replica sets", "primary", "primaries"),
    "partitioned": ("partitions", "leader", "leaders"),
    "chain": ("chains", "head", "heads"),
    None: ("units", "leader", "leaders"),
}
# The election timeouts of a --failover preset, for runs that leave --election-timeout to it:
# summary.csv's election_timeout is then empty. Written as used (as start_index is), it would
# say it itself.
ELECTION_TIMEOUTS = {"raft": "150ms:300ms"}
