#!/usr/bin/env bash
# e2e: kill and restart in non-blocking mode. A 4-rank job checkpoints with the non-blocking
# snapshot; one rank is SIGKILLed after a committed checkpoint (for bank: one whose channel log
# holds transfers in flight); rerunning the same command must restore it, replay the channel log
# and end exactly like an uninterrupted run with the same input.
# MODE=blocking in the environment takes blocking checkpoints instead (same test otherwise).
# usage: nonblocking_restart.sh bank <bank> <bank_check>
#        nonblocking_restart.sh heat <heat>                 (run in a scratch directory)
set -uo pipefail
CASE=${1:?usage: nonblocking_restart.sh bank|heat <executable> [<bank_check>]}
APP=${2:?missing the executable}
CHECK=${3:-}
source "$(dirname "$0")/heat_common.sh"
NP=4
MODE=${MODE:-nonblocking}
VICTIM_RANK=2
INITIAL=1000000
work=$PWD/restart_${MODE}_$CASE
rm -rf "$work" && mkdir -p "$work" || fail "cannot create $work"
cd "$work" || fail "cannot enter $work"

case $CASE in
    bank)
        ARGS=(--steps 300 --seed 11 --initial $INITIAL)
        RUN_ARGS=(--sleep-us 15000)
        INTERVAL=steps:10
        result() { grep -E '^bank: (balances|total)' "$1"; }
        ;;
    heat)
        ARGS=(--nx 128 --ny 96 --steps 240 --print-every 40)
        RUN_ARGS=(--sleep-ms 25)
        INTERVAL=steps:20
        result() { final_checksum "$1"; }
        ;;
    *) fail "unknown case $CASE" ;;
esac

# usable CHECKPOINT: for bank, the oracle passes and the channel log is not empty.
usable() {
    [ "$CASE" = bank ] || return 0
    "$CHECK" --initial $INITIAL "$1" > usable.log 2>&1 || return 1
    ! grep -q '(0 messages)' usable.log
}

echo "== reference run (no checkpoints)"
CAIRN_DIR=$work/ref CAIRN_INTERVAL=off CAIRN_RESTART=never \
    "$MPIEXEC" -n $NP "$APP" "${ARGS[@]}" > ref.log 2>&1 || { cat ref.log; fail "reference run failed"; }
ref=$(result ref.log)
[ -n "$ref" ] || { cat ref.log; fail "no result in the reference run"; }
echo "reference: $ref"

echo "== $MODE checkpoints ($INTERVAL); SIGKILL rank $VICTIM_RANK after a usable commit"
export CAIRN_MODE=$MODE CAIRN_DIR=$work/ckpt CAIRN_INTERVAL=$INTERVAL CAIRN_KEEP=1000
CMD=("$MPIEXEC" -n $NP "$APP" "${ARGS[@]}" "${RUN_ARGS[@]}")
"${CMD[@]}" > run1.log 2>&1 &
mpirun_pid=$!
deadline=$((SECONDS + 60))
chosen=""
declare -A unusable=()  # committed files do not change: each is checked once
while [ -z "$chosen" ]; do
    kill -0 "$mpirun_pid" 2>/dev/null || { cat run1.log; fail "job ended before a usable checkpoint"; }
    [ $SECONDS -lt $deadline ] || { kill -9 "$mpirun_pid"; fail "no usable checkpoint within 60 s"; }
    for f in $(committed_checkpoints "$CAIRN_DIR"); do
        [ -z "${unusable[$f]:-}" ] || continue
        if usable "$f"; then chosen=$f; break; fi
        unusable[$f]=1
    done
    sleep 0.05
done
[ "$CASE" = bank ] && cat usable.log
echo "usable checkpoint: $(basename "$chosen")"
kill_rank_and_wait "$mpirun_pid" $VICTIM_RANK run1.log result
newest=$(committed_checkpoints "$CAIRN_DIR" | tail -n 1)
newest_epoch=$((10#$(basename "$newest" | cut -d. -f2)))
echo "newest committed checkpoint after the crash: $(basename "$newest")"
if [ "$CASE" = bank ]; then
    "$CHECK" --initial $INITIAL $(committed_checkpoints "$CAIRN_DIR") > crash_check.log 2>&1 ||
        { cat crash_check.log; fail "a checkpoint left by the crashed run fails the oracle"; }
    tail -n 2 crash_check.log
fi

echo "== rerun the same command"
"${CMD[@]}" > run2.log 2>&1 || { cat run2.log; fail "restarted run failed"; }
cat run2.log
restart_line=$(grep -m1 -E "^$CASE: restarted from epoch" run2.log)
[ -n "$restart_line" ] || fail "second run did not restart from a checkpoint"
restart_epoch=$(echo "$restart_line" | awk '{print $5}')
[ "$((10#$restart_epoch))" -eq "$newest_epoch" ] ||
    fail "restarted from epoch $restart_epoch, expected the newest committed epoch $newest_epoch"
got=$(result run2.log)
echo "reference: $ref"
echo "restarted: $got"
[ "$got" = "$ref" ] || fail "the restarted run ended differently from the uninterrupted run"
echo "PASS: $CASE restarted from epoch $restart_epoch and ended exactly like the reference"
