#!/usr/bin/env bash
# Compares the conformance digests of every run with the plain run's, and requires that the runs
# linked to cairn (directories holding ckpt/) committed checkpoints while the cases ran.
# usage: conform_compare.sh NP PLAIN_DIR DIR...
set -u
np=${1:?usage: conform_compare.sh NP PLAIN_DIR DIR...}
here=$(cd "$(dirname "$0")" && pwd)
"$here/wrap_transparency_compare.sh" "$@"
status=$?
shift 2
for dir in "$@"; do
    [ -d "$dir/ckpt" ] || continue
    n=$(find "$dir/ckpt" -maxdepth 1 -type f -regex '.*/ckpt\.[0-9]+\.h5' | wc -l)
    if [ "$n" -lt 3 ]; then
        echo "FAIL: $(basename "$dir") committed $n checkpoints (expected at least 3)"
        status=1
    else
        echo "$(basename "$dir"): $n checkpoints committed during the cases"
    fi
done
exit $status
