#!/usr/bin/env bash
# The numpy heat solver checkpoints on 4 ranks (register_distributed), goes on from that
# checkpoint on 3 ranks (other rows per rank) and must end with the checksum of an uninterrupted
# 4-rank run. The checkpoint is read with h5py (the global field, its shape) and shown by
# `cairn inspect`.
# usage: heat_elastic.sh <cairn tool>         (ctest sets PYTHON, TEST_BUILD_DIR, ...)
set -uo pipefail
CAIRN=${1:?usage: heat_elastic.sh <cairn tool>}
source "$(dirname "$0")/common.sh"
ARGS=(--nx 64 --ny 50)
work=$PWD/heat_elastic
rm -rf "$work" && mkdir -p "$work" && cd "$work" || fail "cannot use $work"

CAIRN_DIR=$work/ref CAIRN_INTERVAL=off CAIRN_RESTART=never \
    "$MPIEXEC" -n 4 "$PYTHON" "$PYDIR/heat.py" "${ARGS[@]}" --steps 120 > ref.log 2>&1 ||
    { cat ref.log; fail "reference run failed"; }
ref=$(final_checksum ref.log)
[ -n "$ref" ] || { cat ref.log; fail "no reference checksum"; }

export CAIRN_DIR=$work/ckpt CAIRN_INTERVAL=steps:30
"$MPIEXEC" -n 4 "$PYTHON" "$PYDIR/heat.py" "${ARGS[@]}" --steps 60 > run4.log 2>&1 ||
    { cat run4.log; fail "4-rank run failed"; }
newest=$(committed_checkpoints "$CAIRN_DIR" | tail -n 1)
[ -n "$newest" ] || { cat run4.log; fail "no checkpoint from the 4-rank run"; }
"$PYTHON" - "$newest" <<'PY' || fail "h5py could not read the checkpoint as documented"
import sys, h5py, numpy as np
with h5py.File(sys.argv[1], "r") as f:
    t = f["data/temperature"]
    assert t.shape == (50, 64) and t.dtype == np.float64, (t.shape, t.dtype)
    assert np.all(t[0, 1:-1] >= 0.99), "top edge lost"
    print("h5py: /data/temperature", t.shape, t.dtype)
PY
"$CAIRN" inspect "$CAIRN_DIR" > inspect.log 2>&1 || { cat inspect.log; fail "cairn inspect failed"; }
grep -q temperature inspect.log || { cat inspect.log; fail "cairn inspect does not show temperature"; }

"$MPIEXEC" -n 3 "$PYTHON" "$PYDIR/heat.py" "${ARGS[@]}" --steps 120 > run3.log 2>&1 ||
    { cat run3.log; fail "3-rank run failed"; }
grep -E "^heat:" run3.log
grep -q "heat: restarted from epoch [0-9]* at step 60" run3.log || fail "3 ranks did not resume at step 60"
got=$(final_checksum run3.log)
[ "$got" = "$ref" ] || fail "checksum after 4 -> 3 ranks is $got, uninterrupted 4-rank run gives $ref"
echo "PASS: 4 -> 3 ranks ends with the uninterrupted checksum $ref"
