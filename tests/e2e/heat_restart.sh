#!/usr/bin/env bash
# e2e: a 4-rank heat run with checkpoints is SIGKILLed in one rank after a committed checkpoint;
# rerunning the same command must restart from it and end bit-identical to an uninterrupted run.
# usage: heat_restart.sh <heat executable>     (run in an empty scratch directory)
set -uo pipefail
HEAT=${1:?usage: heat_restart.sh <heat executable>}
source "$(dirname "$0")/heat_common.sh"
H5DUMP=${H5DUMP:-h5dump}
NP=4
VICTIM_RANK=2
ARGS=(--nx 128 --ny 96 --steps 240 --print-every 40)
work=$PWD/heat_restart
rm -rf "$work" && mkdir -p "$work" || fail "cannot create $work"
cd "$work" || fail "cannot enter $work"

echo "== reference run (no checkpoints)"
CAIRN_DIR=$work/ref CAIRN_INTERVAL=off CAIRN_RESTART=never \
    "$MPIEXEC" -n $NP "$HEAT" "${ARGS[@]}" > ref.log 2>&1 || { cat ref.log; fail "reference run failed"; }
ref=$(final_checksum ref.log)
[ -n "$ref" ] || { cat ref.log; fail "no final checksum in reference run"; }
echo "reference checksum $ref"

echo "== run with a checkpoint every 20 steps; SIGKILL rank $VICTIM_RANK after the first commit"
export CAIRN_DIR=$work/ckpt CAIRN_INTERVAL=steps:20 CAIRN_KEEP=2
CMD=("$MPIEXEC" -n $NP "$HEAT" "${ARGS[@]}" --sleep-ms 25)
"${CMD[@]}" > run1.log 2>&1 &
mpirun_pid=$!
deadline=$((SECONDS + 120))
while [ -z "$(committed_checkpoints "$CAIRN_DIR")" ]; do
    kill -0 "$mpirun_pid" 2>/dev/null || { cat run1.log; fail "job ended before any checkpoint"; }
    [ $SECONDS -lt $deadline ] || { kill -9 "$mpirun_pid"; fail "no checkpoint within 120 s"; }
    sleep 0.05
done
sleep 0.4  # let the job run on past the checkpoint (maybe into the next write)
kill_rank_and_wait "$mpirun_pid" $VICTIM_RANK run1.log final_checksum
echo "mpirun exited with status $rc, as expected"

echo "== checkpoint directory after the crash"
ls -l "$CAIRN_DIR"
committed=$(committed_checkpoints "$CAIRN_DIR")
[ -n "$committed" ] || fail "no committed checkpoint left after the crash"
for f in $committed; do
    # A partly written .tmp renamed to the committed name would not be a complete HDF5 file.
    if command -v "$H5DUMP" > /dev/null; then
        "$H5DUMP" -H "$f" > /dev/null 2>&1 || fail "committed checkpoint $f is not a readable HDF5 file"
    fi
done
newest=$(echo "$committed" | tail -n 1)
newest_epoch=$((10#$(basename "$newest" | cut -d. -f2)))  # names are zero-padded
echo "committed: $(echo $committed | xargs -n1 basename | tr '\n' ' ')(newest epoch $newest_epoch)"

echo "== rerun the same command"
"${CMD[@]}" > run2.log 2>&1 || { cat run2.log; fail "restarted run failed"; }
cat run2.log
restart_line=$(grep -m1 '^heat: restarted from epoch' run2.log)
[ -n "$restart_line" ] || fail "second run did not restart from a checkpoint"
restart_epoch=$(echo "$restart_line" | awk '{print $5}')
restart_step=$(echo "$restart_line" | awk '{print $8}')
[ "$((10#$restart_epoch))" -eq "$newest_epoch" ] ||
    fail "restarted from epoch $restart_epoch, expected the newest committed epoch $newest_epoch"
[ "$restart_step" -gt 0 ] && [ "$restart_step" -lt 240 ] ||
    fail "restart step $restart_step is not part-way through the run"
got=$(final_checksum run2.log)
echo "reference $ref, restarted $got"
[ "$got" = "$ref" ] || fail "checksum after restart differs from the uninterrupted run"
echo "PASS: restarted at step $restart_step from epoch $restart_epoch; checksum $got matches"
