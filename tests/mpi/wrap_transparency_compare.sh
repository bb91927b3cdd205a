#!/usr/bin/env bash
# Compares the wrapper transparency digests: usage: wrap_transparency_compare.sh NP PLAIN_DIR DIR...
# Every DIR must hold digest.<rank>.txt identical to PLAIN_DIR's, for every rank.
set -u
np=${1:?usage: wrap_transparency_compare.sh NP PLAIN_DIR DIR...}
plain=${2:?missing the plain run directory}
shift 2
status=0
for dir in "$@"; do
    for ((r = 0; r < np; ++r)); do
        a=$plain/digest.$r.txt
        b=$dir/digest.$r.txt
        if [ ! -f "$a" ] || [ ! -f "$b" ]; then
            echo "FAIL: missing $a or $b"
            status=1
        elif ! diff -u "$a" "$b" > /dev/null; then
            echo "FAIL: rank $r: $(basename "$dir") differs from the plain run:"
            diff -u "$a" "$b" | head -n 60
            status=1
        fi
    done
done
[ $status -eq 0 ] && echo "PASS: $# interposed runs match the plain run on $np ranks"
exit $status
