#!/usr/bin/env bash
# e2e: the heat demo computes the same field (bit for bit) on 4, 3, 2 and 1 ranks.
# usage: heat_decomposition.sh <heat executable>     (run in an empty scratch directory)
set -uo pipefail
HEAT=${1:?usage: heat_decomposition.sh <heat executable>}
source "$(dirname "$0")/heat_common.sh"
ARGS=(--nx 101 --ny 67 --steps 150 --print-every 0)
work=$PWD/heat_decomposition
rm -rf "$work" && mkdir -p "$work" || fail "cannot create $work"
cd "$work" || fail "cannot enter $work"

first=""
for np in 4 3 2 1; do
    CAIRN_DIR=$work/ckpt$np CAIRN_INTERVAL=off CAIRN_RESTART=never \
        "$MPIEXEC" -n $np "$HEAT" "${ARGS[@]}" > run$np.log 2>&1 ||
        { cat run$np.log; fail "$np-rank run failed"; }
    sum=$(final_checksum run$np.log)
    [ -n "$sum" ] || { cat run$np.log; fail "no final checksum in the $np-rank run"; }
    echo "$np ranks: checksum $sum"
    first=${first:-$sum}
    [ "$sum" = "$first" ] || fail "$np-rank checksum $sum differs from 4-rank checksum $first"
done
echo "PASS: same checksum $first on 4, 3, 2 and 1 ranks"
