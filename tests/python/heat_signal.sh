#!/usr/bin/env bash
# Checkpoint-and-exit from Python: SIGUSR1 to one rank of the numpy heat solver (4 ranks) makes
# the job checkpoint at the next agreed safe point, cairn.exit_requested() turns true and every
# rank leaves its loop and exits 0; the rerun resumes there and ends with the checksum of an
# uninterrupted run.
# usage: heat_signal.sh                       (ctest sets PYTHON, TEST_BUILD_DIR, ...)
set -uo pipefail
source "$(dirname "$0")/common.sh"
NP=4
ARGS=(--nx 64 --ny 48 --steps 200)
work=$PWD/heat_signal
rm -rf "$work" && mkdir -p "$work" && cd "$work" || fail "cannot use $work"

CAIRN_DIR=$work/ref CAIRN_INTERVAL=off CAIRN_RESTART=never \
    "$MPIEXEC" -n $NP "$PYTHON" "$PYDIR/heat.py" "${ARGS[@]}" > ref.log 2>&1 ||
    { cat ref.log; fail "reference run failed"; }
ref=$(final_checksum ref.log)
[ -n "$ref" ] || { cat ref.log; fail "no checksum in the reference run"; }

export CAIRN_DIR=$work/ckpt CAIRN_INTERVAL=off
"$MPIEXEC" -n $NP "$PYTHON" "$PYDIR/heat.py" "${ARGS[@]}" --sleep-ms 20 > run1.log 2>&1 &
mpirun_pid=$!
deadline=$((SECONDS + 120))
until grep -q "^heat: running from step 0" run1.log; do
    kill -0 "$mpirun_pid" 2>/dev/null || { cat run1.log; fail "job ended before it ran"; }
    [ $SECONDS -lt $deadline ] || { kill -9 "$mpirun_pid"; fail "job not running within 120 s"; }
    sleep 0.1
done
sleep 0.5  # some steps in
victim=$(rank_pid "$mpirun_pid" 1)
[ -n "$victim" ] || { cat run1.log; fail "no rank process under mpirun $mpirun_pid"; }
kill -USR1 "$victim"
wait "$mpirun_pid" || { cat run1.log; fail "the job did not exit 0 after SIGUSR1"; }
cat run1.log
grep -q "checkpoint-and-exit requested by a signal" run1.log || fail "no checkpoint-and-exit"
[ -z "$(final_checksum run1.log)" ] || fail "the job ran to the end: the signal came too late"
[ -n "$(committed_checkpoints "$CAIRN_DIR")" ] || fail "no checkpoint committed on the signal"

"$MPIEXEC" -n $NP "$PYTHON" "$PYDIR/heat.py" "${ARGS[@]}" > run2.log 2>&1 ||
    { cat run2.log; fail "rerun failed"; }
grep -E "^heat:" run2.log
grep -q "^heat: restarted from epoch 1 at step" run2.log || fail "the rerun did not resume"
got=$(final_checksum run2.log)
[ "$got" = "$ref" ] || fail "checksum after the signal and the rerun is $got, uninterrupted $ref"
echo "PASS: SIGUSR1 -> checkpoint and exit 0; the rerun ends with checksum $got"
