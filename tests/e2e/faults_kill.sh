#!/usr/bin/env bash
# Fault matrix, process failures: SIGKILL at a random point, then rerun. The rerun must resume
# from the newest committed checkpoint (never a partial .tmp) and end with the checksum of an
# uninterrupted run.
# usage: faults_kill.sh <heat executable> <scenario>     (run in an empty scratch directory)
#   rank-compute  one random rank, at a random time after the first commit (default mode)
#   rank-write    one random rank while a checkpoint is being written (CAIRN_MODE=blocking, a
#                 large grid so that the write takes a while)
#   mpirun        mpirun itself (its ranks are killed with it, as when a node is lost)
# FAULT_SEED=<n> replays a run's random choices.
set -uo pipefail
HEAT=${1:?usage: faults_kill.sh <heat> <scenario>}
SCENARIO=${2:?usage: faults_kill.sh <heat> <scenario>}
here=$(cd "$(dirname "$0")" && pwd)
source "$here/heat_common.sh"
source "$here/faults_common.sh"
NP=${FAULT_NP:-3}
seed=${FAULT_SEED:-$(( $(date +%s) % 32768 ))}
RANDOM=$seed
echo "scenario $SCENARIO, seed $seed (FAULT_SEED=$seed replays it)"
work=$PWD/$SCENARIO
rm -rf "$work" && mkdir -p "$work" && cd "$work" || fail "cannot use $work"

case $SCENARIO in
    rank-compute | mpirun)
        ARGS=(--nx 128 --ny 96 --steps 200 --print-every 0)
        RUN_ENV=(CAIRN_INTERVAL=steps:10 CAIRN_KEEP=2)
        SLEEP=(--sleep-ms 20)
        ;;
    rank-write)
        ARGS=(--nx 1536 --ny 1536 --steps 48 --print-every 0)
        RUN_ENV=(CAIRN_INTERVAL=steps:8 CAIRN_KEEP=2 CAIRN_MODE=blocking)
        SLEEP=()
        ;;
    *) fail "unknown scenario $SCENARIO" ;;
esac

echo "== reference run"
ref=$(reference_checksum ref.log "$HEAT" "${ARGS[@]}") || exit 1
echo "reference checksum $ref"

echo "== run to be killed"
export CAIRN_DIR=$work/ckpt "${RUN_ENV[@]}"
"$MPIEXEC" -n "$NP" "$HEAT" "${ARGS[@]}" "${SLEEP[@]}" > run1.log 2>&1 &
mpirun_pid=$!
wait_for_commit "$CAIRN_DIR" "$mpirun_pid" 60
ranks=$(pgrep -P "$mpirun_pid" | tr '\n' ' ')
case $SCENARIO in
    rank-compute)
        echo "first commit seen; waiting $(random_delay 2000) ms"
        victim_rank=$((RANDOM % NP))
        victim=$(rank_pid "$mpirun_pid" $victim_rank)
        echo "SIGKILL rank $victim_rank (pid $victim)"
        kill -9 "$victim"
        ;;
    rank-write)
        # Wait for the next write to start (its .tmp appears), then kill a rank inside it.
        deadline=$((SECONDS + 60))
        until compgen -G "$CAIRN_DIR/*.tmp" > /dev/null; do
            kill -0 "$mpirun_pid" 2>/dev/null || { cat run1.log; fail "job ended before a second write"; }
            [ $SECONDS -lt $deadline ] || fail "no second checkpoint write within 60 s"
            sleep 0.005
        done
        echo "write in progress ($(cd "$CAIRN_DIR" && ls *.tmp)); waiting $(random_delay 60) ms"
        victim_rank=$((RANDOM % NP))
        victim=$(rank_pid "$mpirun_pid" $victim_rank)
        tmp_at_kill=$(compgen -G "$CAIRN_DIR/*.tmp" | tr '\n' ' ')
        echo "SIGKILL rank $victim_rank (pid $victim); .tmp present at the kill: ${tmp_at_kill:-none}"
        kill -9 "$victim"
        ;;
    mpirun)
        echo "first commit seen; waiting $(random_delay 2000) ms"
        echo "SIGKILL mpirun (pid $mpirun_pid) and its ranks ($ranks)"
        kill -9 "$mpirun_pid"
        sleep 0.2
        for p in $ranks; do kill -9 "$p" 2>/dev/null; done
        ;;
esac
wait "$mpirun_pid"
rc=$?
[ $rc -ne 0 ] || { cat run1.log; fail "mpirun exited 0 although the job was killed"; }
if [ -n "$(final_checksum run1.log)" ]; then
    echo "note: the job finished before the kill landed; the rerun must restart from its last checkpoint"
fi
# Give orphaned ranks a moment to go (their pids were recorded above).
for p in $ranks; do
    for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$p" 2>/dev/null || break; sleep 0.2; done
    kill -9 "$p" 2>/dev/null && echo "killed leftover rank pid $p"
done
[ "$SCENARIO" != rank-write ] || [ -n "$tmp_at_kill" ] ||
    echo "note: the write finished before the kill; the case was a kill between commits"

echo "== rerun"
check_restart_resumes_newest "$CAIRN_DIR" run2.log "$ref" "$HEAT" "${ARGS[@]}" || exit 1
! compgen -G "$CAIRN_DIR/*.tmp" > /dev/null || fail "a .tmp file is still there after the rerun"
echo "PASS: $SCENARIO (seed $seed)"
