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
    ("write_concern", "w={}"),
    ("acks", "acks={}"),
    ("min_insync", "min.insync={}"),
    ("consistency", "CL={}"),
    ("read_consistency", "read CL={}"),
    ("dcs", "{} DCs"),
    ("latency", "latency {}"),
    ("inter_dc_latency", "inter-DC {}"),
]


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
