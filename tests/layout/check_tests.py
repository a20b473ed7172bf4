#!/usr/bin/env python3
"""Fails when the tests stop mirroring the tree as docs/testing.md promises:
two test files of the same name anywhere under tests/ (a name must say which
code it tests), or a test file over 500 lines (split it by behaviour). Run by
ctest (Layout.Tests).

  check_tests.py [ROOT]
"""
import sys
from collections import defaultdict
from pathlib import Path

MAX_LINES = 500
SUFFIXES = (".cpp", ".hpp", ".py", ".sh")


def problems(root):
    tests = Path(root) / "tests"
    by_name = defaultdict(list)
    found = []
    for path in sorted(tests.rglob("*")):
        if not path.is_file() or path.suffix not in SUFFIXES or "__pycache__" in path.parts:
            continue
        rel = path.relative_to(root)
        by_name[path.name].append(rel)
        lines = path.read_text(errors="replace").count("\n")
        if lines > MAX_LINES:
            found.append(f"{rel}: {lines} lines (at most {MAX_LINES}: split it by behaviour)")
    for name, paths in sorted(by_name.items()):
        if len(paths) > 1 and name not in ("CMakeLists.txt", "__init__.py", "conftest.py"):
            found.append(f"{name}: used {len(paths)} times ({', '.join(map(str, paths))})")
    return found


def main():
    root = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).resolve().parents[2])
    found = problems(root)
    for line in found:
        print(line)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
