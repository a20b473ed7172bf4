#!/usr/bin/env python3
"""Fails when an include runs upward between replisim's layers, or when SimGrid
is included outside the code that drives it. Run by ctest (Layout.Layers).

  check_layers.py [ROOT]

The layers, from the bottom up (docs/architecture.md); a file may include its
own layer and those listed for it, nothing else of the project:
"""
import re
import sys
from pathlib import Path

# layer -> the layers its files may include (its own is always allowed).
# A protocol family is pure: it includes protocols only.
PROTOCOL_FAMILIES = ["client", "raft", "kafka", "leader_follower", "leaderless", "multi_leader", "chain"]
ALLOWED = {
    "protocols/common": [],
    "platforms": [],
    "actors": ["protocols", "platforms"],
    "experiments/output": ["protocols/common"],
    "experiments/core": ["protocols", "platforms", "actors", "experiments/output"],
    "experiments/library": ["include/replisim", "protocols", "platforms", "actors", "experiments/output",
                            "experiments/core"],
    "experiments/sweep": ["protocols/common", "experiments/output"],
    "experiments/bench": ["protocols", "platforms", "actors", "experiments/output", "experiments/core",
                          "experiments/sweep"],
    "experiments/cli": ["protocols", "platforms", "actors", "experiments/output", "experiments/core",
                        "experiments/sweep", "experiments/bench"],
    "include/replisim": [],
}
for family in PROTOCOL_FAMILIES:
    ALLOWED[f"protocols/{family}"] = ["protocols"]

# Where SimGrid (and its xbt) may be included: the actors, the run core that
# owns the engine, the library that runs in someone else's engine, and the
# benchmark's bare SimGrid loop.
SIMGRID_ALLOWED = ("actors/", "experiments/core/", "experiments/library/", "experiments/bench/")

SOURCES = ("protocols", "platforms", "actors", "experiments", "include")
INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]', re.M)


def layer_of(path):
    """The longest layer name that prefixes `path` (a path from the root)."""
    best = None
    for layer in ALLOWED:
        if path == layer or path.startswith(layer + "/"):
            if best is None or len(layer) > len(best):
                best = layer
    return best


def allowed(src_layer, dst):
    if layer_of(dst) == src_layer:
        return True
    return any(dst.startswith(prefix + "/") for prefix in ALLOWED[src_layer])


def problems(root):
    found = []
    for top in SOURCES:
        for path in sorted((root / top).rglob("*")):
            if path.suffix not in (".hpp", ".cpp", ".h"):
                continue
            rel = path.relative_to(root).as_posix()
            layer = layer_of(rel)
            if layer is None:
                found.append(f"{rel}: in no layer (add its folder to tests/layout/check_layers.py)")
                continue
            text = path.read_text()
            for match in INCLUDE.finditer(text):
                kind, name = match.groups()
                line = text.count("\n", 0, match.start()) + 1
                if kind == "<" and re.match(r"(simgrid|xbt)[/.]", name) and not rel.startswith(SIMGRID_ALLOWED):
                    found.append(f"{rel}:{line}: includes <{name}>: SimGrid stays in actors/ and the run core")
                if kind == '"' and name.split("/")[0] in SOURCES and not allowed(layer, name):
                    found.append(f"{rel}:{line}: includes \"{name}\": {layer}/ may not include {layer_of(name) or name}")
                if kind == "<" and name.startswith("replisim/") and not allowed(layer, "include/" + name):
                    found.append(f"{rel}:{line}: includes <{name}>: only the library implements the installed API")
    return found


def main():
    root = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent.parent)
    found = problems(root)
    for line in found:
        print(line)
    print(f"{0 if found else 1} passed, {1 if found else 0} failed")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
