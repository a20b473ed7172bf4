#!/usr/bin/env bash
# The library as a user gets it: install the build tree into a scratch prefix,
# then build examples/embed against that prefix only, once with CMake's
# find_package (which also checks the version the example asks for) and once
# with pkg-config, and compare both programs' output with the golden file.
# Usage: installed_example_test.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build=$1
source=$2
prefix=$(mktemp -d)
trap 'rm -rf "$prefix"' EXIT

cmake --install "$build" --prefix "$prefix" >/dev/null
cmake -S "$source/examples/embed" -B "$prefix/embed-build" -DCMAKE_PREFIX_PATH="$prefix" >/dev/null
cmake --build "$prefix/embed-build" >/dev/null
(cd "$source/examples/embed" && "$prefix/embed-build/embed" platform.xml) |
  diff -u "$source/examples/embed/expected_output.txt" -

# shellcheck disable=SC2046  # pkg-config's flags are meant to split
g++ -std=c++20 "$source/examples/embed/main.cpp" -o "$prefix/embed-pc" \
  $(PKG_CONFIG_PATH="$prefix/lib/pkgconfig" pkg-config --cflags --libs replisim) -Wl,-rpath,"$prefix/lib"
(cd "$source/examples/embed" && "$prefix/embed-pc") |
  diff -u "$source/examples/embed/expected_output.txt" -
echo "installed library: find_package and pkg-config builds of examples/embed match the golden output"
