#!/usr/bin/env bash
# The numpy heat solver (heat.py, mpi4py halo exchange) on 4 ranks in mode MODE: an uninterrupted
# run, then a run with a checkpoint every 10 steps whose rank (random) is SIGKILLed at a random
# time after the first commit, then the same command again: it must restart from the newest
# committed checkpoint and end with the uninterrupted run's checksum, bit for bit.
# usage: heat_kill.sh nonblocking|blocking       (ctest sets PYTHON, TEST_BUILD_DIR, ...)
set -uo pipefail
MODE=${1:?usage: heat_kill.sh nonblocking|blocking}
source "$(dirname "$0")/common.sh"
NP=4
ARGS=(--nx 64 --ny 48 --steps 150)
work=$PWD/heat_kill_$MODE
rm -rf "$work" && mkdir -p "$work" && cd "$work" || fail "cannot use $work"
export CAIRN_MODE=$MODE CAIRN_VERBOSE=1

CAIRN_DIR=$work/ref CAIRN_INTERVAL=off CAIRN_RESTART=never \
    "$MPIEXEC" -n $NP "$PYTHON" "$PYDIR/heat.py" "${ARGS[@]}" > ref.log 2>&1 ||
    { cat ref.log; fail "reference run failed"; }
ref=$(final_checksum ref.log)
[ -n "$ref" ] || { cat ref.log; fail "no checksum in the reference run"; }
echo "reference: $ref"

export CAIRN_DIR=$work/ckpt CAIRN_INTERVAL=steps:10 CAIRN_KEEP=2
CMD=("$MPIEXEC" -n $NP "$PYTHON" "$PYDIR/heat.py" "${ARGS[@]}" --sleep-ms 20)
"${CMD[@]}" > run1.log 2>&1 &
mpirun_pid=$!
deadline=$((SECONDS + 120))
while [ -z "$(committed_checkpoints "$CAIRN_DIR")" ]; do
    kill -0 "$mpirun_pid" 2>/dev/null || { cat run1.log; fail "job ended before any checkpoint"; }
    [ $SECONDS -lt $deadline ] || { kill -9 "$mpirun_pid"; fail "no checkpoint within 120 s"; }
    sleep 0.05
done
victim_rank=$((RANDOM % NP))
delay=$(printf '0.%03d' $((RANDOM % 1000)))
sleep "$delay"
victim=$(rank_pid "$mpirun_pid" $victim_rank)
[ -n "$victim" ] || { cat run1.log; fail "no rank process under mpirun $mpirun_pid"; }
echo "killing rank $victim_rank (pid $victim) ${delay}s after the first commit"
kill -9 "$victim"
wait "$mpirun_pid"
rc=$?
[ $rc -ne 0 ] || { cat run1.log; fail "mpirun exited 0 although a rank was killed"; }
[ -z "$(final_checksum run1.log)" ] || fail "the job finished before the kill; nothing tested"
newest=$(committed_checkpoints "$CAIRN_DIR" | tail -n 1)
[ -n "$newest" ] || fail "no committed checkpoint after the kill"
newest_epoch=$((10#$(basename "$newest" | cut -d. -f2)))
echo "newest committed epoch after the kill: $newest_epoch"

"${CMD[@]}" > run2.log 2>&1 || { cat run2.log; fail "rerun failed"; }
grep -E "^heat:|cairn: restored" run2.log
line=$(grep -m1 '^heat: restarted from epoch' run2.log)
[ -n "$line" ] || fail "the rerun did not restart from a checkpoint"
[ "$(echo "$line" | awk '{print $5}')" -eq "$newest_epoch" ] ||
    fail "restarted from another epoch than the newest committed one ($newest_epoch)"
got=$(final_checksum run2.log)
[ "$got" = "$ref" ] || fail "checksum after kill and restart is $got, uninterrupted run gives $ref"
echo "PASS ($MODE): killed rank $victim_rank, restarted from epoch $newest_epoch, checksum $got"
