#!/usr/bin/env bash
# Fault matrix, targeted kills: the runtime's fault injection (CAIRN_FAULT) SIGKILLs ranks at an
# exact point of checkpoint 3 (the random kills of faults_kill.sh only sometimes hit these short
# windows); then the job is rerun without the fault. Checked for every point: the directory holds
# exactly what the commit protocol promises at that point (newest committed epoch, .tmp or not),
# the rerun resumes from the newest committed checkpoint (never the .tmp, which is reported as
# ignored and removed by the next commit), and the final checksum equals an uninterrupted run's.
# usage: faults_point.sh <heat executable> nonblocking|blocking    (run in an empty scratch dir)
set -uo pipefail
HEAT=${1:?usage: faults_point.sh <heat> nonblocking|blocking}
MODE=${2:?usage: faults_point.sh <heat> nonblocking|blocking}
here=$(cd "$(dirname "$0")" && pwd)
source "$here/heat_common.sh"
source "$here/faults_common.sh"
NP=4
ARGS=(--nx 128 --ny 96 --steps 40 --print-every 0)
work=$PWD/$MODE
rm -rf "$work" && mkdir -p "$work" && cd "$work" || fail "cannot use $work"

# Cases: name, CAIRN_FAULT, epoch expected to be the newest committed after the kill, whether a
# .tmp of checkpoint 3 is expected after the kill. Checkpoints every 10 steps: 1, 2, 3 are epochs
# 1, 2, 3 (a fresh directory).
case $MODE in
    nonblocking)
        CASES=(
            "stage stage:3:1 2 no"         # mid staging copy at the safe point, rank 1
            "written written:3:0 2 yes"    # .tmp complete, rank 0 killed before fsync+rename
            "renamed renamed:3:0 3 no"     # renamed, killed before the directory fsync
            "mpirun written:3:0:parent 2 yes"  # mpirun and rank 0 killed at the same point
        )
        ;;
    blocking)
        CASES=(
            "stage stage:3:2 2 yes"        # blocking: mid collective write from the app's buffers
            "written written:3 2 yes"      # every rank, .tmp complete
            "renamed renamed:3:0 3 no"
            "mpirun renamed:3:0:parent 3 no"
        )
        ;;
    *) fail "unknown mode $MODE" ;;
esac

echo "== reference run ($MODE)"
ref=$(reference_checksum ref.log "$HEAT" "${ARGS[@]}") || exit 1
echo "reference checksum $ref"

for c in "${CASES[@]}"; do
    read -r name fault expect_epoch expect_tmp <<< "$c"
    echo "== $MODE, case $name: CAIRN_FAULT=$fault"
    dir=$work/ckpt-$name
    log1=$work/$name-run1.log
    log2=$work/$name-run2.log
    export CAIRN_MODE=$MODE CAIRN_DIR=$dir CAIRN_INTERVAL=steps:10 CAIRN_KEEP=2
    CAIRN_FAULT=$fault "$MPIEXEC" -n $NP "$HEAT" "${ARGS[@]}" > "$log1" 2>&1 &
    mpirun_pid=$!
    # Record the ranks' pids (mpirun's children) while they run, to clean up orphans by pid.
    ranks=""
    for _ in $(seq 1 200); do
        ranks=$(pgrep -P "$mpirun_pid" | tr '\n' ' ')
        [ "$(wc -w <<< "$ranks")" -ge $NP ] && break
        kill -0 "$mpirun_pid" 2>/dev/null || break
        sleep 0.05
    done
    wait "$mpirun_pid"
    rc=$?
    # Ranks left without their mpirun are killed by their recorded pids (after 2 s).
    for _ in $(seq 1 10); do
        alive=""
        for p in $ranks; do kill -0 "$p" 2>/dev/null && alive="$alive $p"; done
        [ -n "$alive" ] || break
        sleep 0.2
    done
    for p in $ranks; do kill -9 "$p" 2>/dev/null && echo "killed orphaned rank pid $p"; done
    [ $rc -ne 0 ] || { cat "$log1"; fail "$name: mpirun exited 0 although a rank was killed"; }
    [ -z "$(final_checksum "$log1")" ] || fail "$name: the killed job reached its end"
    if [ "$name" = mpirun ]; then
        # The rank's last words went to the dead mpirun; its SIGKILL status and the directory
        # contents checked below show where it struck.
        [ $rc -eq 137 ] || { cat "$log1"; fail "mpirun exit status $rc, expected 137 (SIGKILL)"; }
        echo "mpirun was killed by SIGKILL (exit status 137)"
    else
        grep -q '^cairn: fault injection: rank [0-9]* killed at point .* of checkpoint 3' "$log1" ||
            { cat "$log1"; fail "$name: the fault did not fire"; }
        grep '^cairn: fault injection' "$log1"
    fi

    got=$(newest_epoch "$dir")
    echo "after the kill: $(ls "$dir" | tr '\n' ' ')"
    [ "$got" = "$expect_epoch" ] ||
        fail "$name: newest committed epoch after the kill is '$got', expected $expect_epoch"
    if [ "$expect_tmp" = yes ]; then
        tmps=$(cd "$dir" && ls -- *.tmp 2>/dev/null | tr '\n' ' ')
        [[ "$tmps" =~ ^ckpt\.0*3\.h5\.tmp\ $ ]] ||
            fail "$name: expected only the uncommitted .tmp of checkpoint 3, found: '$tmps'"
    else
        ! compgen -G "$dir/*.tmp" > /dev/null || fail "$name: unexpected .tmp file after the kill"
    fi

    # The rerun must not be killed again: no CAIRN_FAULT.
    check_restart_resumes_newest "$dir" "$log2" "$ref" "$HEAT" "${ARGS[@]}" || exit 1
    if [ "$expect_tmp" = yes ]; then
        grep -q "cairn: ignoring uncommitted file .*ckpt\.0*3\.h5\.tmp" "$log2" ||
            fail "$name: the rerun did not report ignoring the .tmp of checkpoint 3"
    fi
    ! compgen -G "$dir/*.tmp" > /dev/null || fail "$name: a .tmp file is still there after the rerun"
    echo "case $name passed"
done
echo "PASS: targeted kills, $MODE mode"
