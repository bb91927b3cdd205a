#!/usr/bin/env bash
# e2e: an example port (apps/ports) is SIGKILLed in a random rank at a random moment after a
# committed checkpoint, twice, and restarted with the same command each time; the final line
# (printed with %.17g) must equal an uninterrupted run's, bit for bit.
# usage: port_restart.sh <executable> nonblocking|blocking <app arguments>...
#        (run in an empty scratch directory; env MPIEXEC)
set -uo pipefail
APP=${1:?usage: port_restart.sh <executable> <mode> <args>...}
MODE=${2:?usage: port_restart.sh <executable> <mode> <args>...}
shift 2
ARGS=("$@")
source "$(dirname "$0")/heat_common.sh"
NP=3
name=$(basename "$APP")
work=$PWD/${name}_$MODE
rm -rf "$work" && mkdir -p "$work" && cd "$work" || fail "cannot use $work"
final() { grep "^$name: final" "$1" | tail -n 1; }

echo "== uninterrupted run"
CAIRN_DIR=$work/ref CAIRN_INTERVAL=off CAIRN_RESTART=never CAIRN_MODE=$MODE \
    "$MPIEXEC" -n $NP "$APP" "${ARGS[@]}" > ref.log 2>&1 || { cat ref.log; fail "reference run failed"; }
ref=$(final ref.log)
[ -n "$ref" ] || { cat ref.log; fail "no final line in the reference run"; }
echo "reference: $ref"
grep -qi "nan\|inf" <<< "$ref" && fail "the reference result is not finite: $ref"

export CAIRN_DIR=$work/ckpt CAIRN_INTERVAL=steps:7 CAIRN_MODE=$MODE CAIRN_KEEP=2
for attempt in 1 2; do
    echo "== run $attempt: SIGKILL one rank at a random moment after a new checkpoint"
    before=$(committed_checkpoints "$CAIRN_DIR" | tail -n 1)
    "$MPIEXEC" -n $NP "$APP" "${ARGS[@]}" --sleep-ms 5 > "run$attempt.log" 2>&1 &
    mpirun_pid=$!
    deadline=$((SECONDS + 60))
    while [ "$(committed_checkpoints "$CAIRN_DIR" | tail -n 1)" = "$before" ]; do
        kill -0 "$mpirun_pid" 2>/dev/null || { cat "run$attempt.log"; fail "run $attempt ended before a new checkpoint"; }
        [ $SECONDS -lt $deadline ] || { kill -9 "$mpirun_pid"; fail "no checkpoint within 60 s"; }
        sleep 0.05
    done
    sleep "0.$((RANDOM % 3))$((RANDOM % 10))"  # up to 0.3 s: far from the end (600 steps, 5 ms each)
    victim_rank=$((RANDOM % NP))
    victim=$(rank_pid "$mpirun_pid" "$victim_rank")
    [ -n "$victim" ] || { cat "run$attempt.log"; fail "no rank process found (did the run end?)"; }
    echo "killing rank $victim_rank (pid $victim) after $(basename "$(committed_checkpoints "$CAIRN_DIR" | tail -n 1)")"
    kill -9 "$victim"
    wait "$mpirun_pid"
    echo "job exit status $?"
    [ -z "$(final "run$attempt.log")" ] || { cat "run$attempt.log"; fail "run $attempt finished before the kill"; }
    [ "$attempt" = 1 ] || grep -q "^$name: restarted from epoch" "run$attempt.log" ||
        { cat "run$attempt.log"; fail "run $attempt did not restart"; }
done

echo "== final run: restarts and finishes"
"$MPIEXEC" -n $NP "$APP" "${ARGS[@]}" > final.log 2>&1 || { cat final.log; fail "the final run failed"; }
grep "^$name: restarted from epoch" final.log || { cat final.log; fail "the final run did not restart"; }
got=$(final final.log)
echo "restarted: $got"
[ "$got" = "$ref" ] || fail "the restarted result differs from the uninterrupted run"
echo "PASS: $name ($MODE) bit-identical after two SIGKILLs"
