#!/usr/bin/env bash
# The ported mpi4py program of docs/python.md ("Porting an mpi4py program"), taken from the page
# itself, with 4000 steps instead of 20000 and a checkpoint every 100 steps instead of 500 (test
# time): run uninterrupted, run and SIGKILL one rank after the third checkpoint, run the same
# command again: it must restore and print the uninterrupted run's result, digit for digit.
# usage: docs_port.sh                         (ctest sets PYTHON, TEST_BUILD_DIR, ...)
set -uo pipefail
source "$(dirname "$0")/common.sh"
work=$PWD/docs_port
rm -rf "$work" && mkdir -p "$work" && cd "$work" || fail "cannot use $work"

awk '/^## Porting an mpi4py program/ {p = 1} p && /^```python/ {c = 1; next}
     c && /^```/ {exit} c {print}' "$TEST_SOURCE_DIR/docs/python.md" > doc.py
grep -q "cairn.safe_point()" doc.py || fail "no program found in docs/python.md"
sed -e 's/20_000/4_000/' -e 's/steps:500/steps:100/' doc.py > ring.py
grep -q "4_000" ring.py && grep -q "steps:100" ring.py || fail "the program changed: update $0"

CAIRN_RESTART=never CAIRN_DIR=$work/ref "$MPIEXEC" -n 4 "$PYTHON" ring.py > ref.log 2>&1 ||
    { cat ref.log; fail "uninterrupted run failed"; }
ref=$(grep '^result ' ref.log)
[ -n "$ref" ] || { cat ref.log; fail "no result line"; }

"$MPIEXEC" -n 4 "$PYTHON" ring.py > run1.log 2>&1 &
mpirun_pid=$!
deadline=$((SECONDS + 120))
until [ -e cairn-checkpoints/ckpt.000003.h5 ]; do
    kill -0 "$mpirun_pid" 2>/dev/null || { cat run1.log; fail "job ended before checkpoint 3"; }
    [ $SECONDS -lt $deadline ] || { kill -9 "$mpirun_pid"; fail "no checkpoint 3 within 120 s"; }
    sleep 0.05
done
victim=$(rank_pid "$mpirun_pid" 2)
kill -9 "$victim"
wait "$mpirun_pid" && fail "mpiexec exited 0 although a rank was killed"
grep -q '^result ' run1.log && fail "the job finished before the kill; nothing tested"

"$MPIEXEC" -n 4 "$PYTHON" ring.py > run2.log 2>&1 || { cat run2.log; fail "rerun failed"; }
cat run2.log
grep -q "cairn: restored checkpoint" run2.log || fail "the rerun did not restore"
got=$(grep '^result ' run2.log)
[ "$got" = "$ref" ] || fail "rerun printed '$got', uninterrupted '$ref'"
echo "PASS: the program of docs/python.md, killed and rerun, prints '$got' as uninterrupted"
