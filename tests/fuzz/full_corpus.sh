#!/bin/sh
# The whole fuzz corpus: 700 cases (CI runs a fixed sample of 150), 20 s
# each, under the 4 GB address-space cap. Usage, from the repository root
# after a build:  tests/fuzz/full_corpus.sh [build/replisim] [extra options]
set -e
here=$(dirname "$0")
binary=${1:-build/replisim}
[ $# -gt 0 ] && shift
exec python3 "$here/fuzz_bad_input.py" "$binary" "$here/../data" "$here/../../platforms" \
    --cases 700 --case-seconds 20 "$@"
