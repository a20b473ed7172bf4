"""Helpers shared by the replisim plotting scripts (see DESIGN.md §4 for the CSV contract)."""
import os
import sys

import matplotlib

matplotlib.use("Agg")  # scripts run headless (CI, ssh); never open a window
import pandas as pd  # noqa: E402

# Run parameters worth putting in a title, in display order. summary.csv may
# carry many more (seed, vnodes, duration...), which would only clutter it.
TITLE_PARAMS = [
    ("platform", "{}"),
    ("nodes", "{} nodes"),
    ("clients", "{} clients"),
    ("rf", "rf {}"),
    ("strategy", "{}"),
    ("coordinator", "{} coordinator"),
    ("write_concern", "w={}"),
    ("acks", "acks={}"),
    ("min_insync", "min.insync={}"),
    ("consistency", "CL={}"),
    ("read_consistency", "read CL={}"),
    ("dcs", "{} DCs"),
    ("latency", "latency {}"),
    ("inter_dc_latency", "inter-DC {}"),
]


# Run parameters of summary.csv (README "Output files"): when one differs between
# runs averaged into one plotted point, the point mixes configurations, not just
# seeds. start_index is left out: partitioned runs draw it from the seed.
RUN_PARAMS = ["model", "platform", "nodes", "clients", "rf", "write_concern", "acks", "min_insync",
              "vnodes", "strategy", "coordinator", "consistency", "read_consistency", "read_repair",
              "read_from", "delay", "down", "latency_scale", "latency", "bandwidth", "ops", "read_ratio",
              "keys", "key_dist", "concurrency", "rate", "value_bytes", "units"]

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
    "writes_failed": "writes failed or timed out (count)",
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
}
for _kind in ("write", "read"):
    for _stat in ("p50", "p95", "p99", "mean", "max"):
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
    """Run parameters (RUN_PARAMS and latency_ms, but not those in `skip`) that take more
    than one value inside some group of rows: a plotted point that averages over them
    mixes configurations, not just seeds. `groups`: columns or Series to group by."""
    params = [c for c in RUN_PARAMS + ["latency_ms"] if c in df and c not in skip]
    if not params or df.empty:
        return []
    by = df.groupby(groups, sort=False, dropna=False)
    return [c for c in params if (by[c].nunique(dropna=False) > 1).any()]


def numeric_or_text(col):
    """A column of strings as floats (NaN for empty cells) when every non-empty
    cell is a number, else unchanged."""
    num = pd.to_numeric(col.replace("", float("nan")), errors="coerce")
    return num.astype(float) if num.notna().sum() == (col != "").sum() else col


def column_unit(col):
    """Unit implied by a column name: times are milliseconds unless the name ends
    in _s; a _fraction is a share, shown as %."""
    for suffix, unit in (("_ms", "ms"), ("_s", "s"), ("_fraction", "%")):
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


def check_output(out):
    d = os.path.dirname(os.path.abspath(out))
    if not os.path.isdir(d):
        raise InputError(f"output directory not found: {d}")


def _fmt_value(key, v):
    if key == "platform":  # a file path: its name says which platform
        return os.path.splitext(os.path.basename(v))[0] if v != "star" else "star"
    # DESIGN.md §4: times are milliseconds unless the name says otherwise.
    if "latency" in key:
        try:
            float(v)
            return f"{v} ms"
        except ValueError:
            return v
    return v


def run_title(summary, fallback):
    """'leader-follower — 9 nodes, rf 3, w=majority, latency 1 ms' from summary.csv."""
    if not summary:
        return fallback
    parts = [fmt.format(_fmt_value(k, summary[k]))
             for k, fmt in TITLE_PARAMS if summary.get(k, "") not in ("", "nan")]
    model = summary.get("model") or "replisim run"
    return model + (" — " + ", ".join(parts) if parts else "")


def beside(path, name):
    return os.path.join(os.path.dirname(os.path.abspath(path)), name)


def save_figure(fig, out, **kw):
    """Lay out, write and close `fig`; returns `out`."""
    import matplotlib.pyplot as plt
    fig.tight_layout()
    fig.savefig(out, dpi=120, **kw)
    plt.close(fig)
    return out


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
