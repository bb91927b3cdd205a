#!/usr/bin/env bash
# e2e: the bank-transfer oracle of the non-blocking snapshot (docs/protocol). A 4-rank bank run
# checkpoints every 5 steps with transfers in flight; in EVERY committed checkpoint the balances
# plus the amounts in the channel logs must equal the initial total exactly, and per channel
# sent_white = recv_before + logged. At least one channel log must be non-empty, and an
# uncoordinated snapshot written by the same run must FAIL the same check.
# MODE=blocking in the environment runs the same oracle with blocking checkpoints (default
# nonblocking): both modes must take the same consistent cut.
# usage: bank_oracle.sh <bank executable> <bank_check executable> [bank options...]
#        (run in a scratch directory; e.g. --thread-multiple: the application asks for
#        MPI_THREAD_MULTIPLE, so cairn counts messages under its lock instead of without one)
set -uo pipefail
BANK=${1:?usage: bank_oracle.sh <bank> <bank_check> [bank options...]}
CHECK=${2:?usage: bank_oracle.sh <bank> <bank_check> [bank options...]}
shift 2
source "$(dirname "$0")/heat_common.sh"
NP=4
INITIAL=1000000
MODE=${MODE:-nonblocking}
work=$PWD/bank_oracle
rm -rf "$work" && mkdir -p "$work" || fail "cannot create $work"
cd "$work" || fail "cannot enter $work"

echo "== bank $*: $NP ranks, 200 steps, $MODE checkpoint every 5 steps, all files kept"
CAIRN_MODE=$MODE CAIRN_DIR=$work/ckpt CAIRN_KEEP=1000 CAIRN_VERBOSE=0 \
    "$MPIEXEC" -n $NP "$BANK" --steps 200 --checkpoint-every 5 --sleep-us 1000 \
    --initial $INITIAL --seed 3 --uncoordinated "$work/uncoordinated" "$@" > run.log 2>&1 ||
    { cat run.log; fail "bank run failed"; }
cat run.log
grep -qx "bank: total $((NP * INITIAL)) steps 200" run.log || fail "the run did not conserve money"

files=$(committed_checkpoints "$work/ckpt")
n=$(echo "$files" | grep -c .)
echo "== $n committed checkpoints"
[ "$n" -ge 10 ] || fail "only $n checkpoints committed (expected about 40)"
"$CHECK" --initial $INITIAL --require-channel $files > check.log 2>&1
rc=$?
cat check.log
case $rc in
    0) ;;
    3) fail "every channel log was empty: transfers were never in flight at a cut, nothing tested" ;;
    *) fail "the oracle found a checkpoint that does not conserve money or messages (exit $rc)" ;;
esac

echo "== uncoordinated snapshot (rank r at step 50+3r, no channel state): must be rejected"
"$CHECK" --initial $INITIAL --uncoordinated "$work"/uncoordinated.*.txt > unc.log 2>&1
rc=$?
cat unc.log
[ $rc -eq 1 ] && grep -q VIOLATED unc.log ||
    fail "the uncoordinated snapshot was not rejected (exit $rc): the oracle cannot fail"
echo "PASS: $n checkpoints conserve money and messages; the uncoordinated snapshot is rejected"
