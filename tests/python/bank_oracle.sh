#!/usr/bin/env bash
# The bank-transfer oracle in Python (bank.py: mpi4py + numpy), mode nonblocking: 4 ranks
# checkpoint every 5 steps with transfers in flight. In every committed checkpoint the balances
# plus the amounts in cairn's channel logs must equal the initial total exactly, and per channel
# sent_white = recv_before + logged (bank_check, the C++ oracle's checker). Some channel log must
# be non-empty: mpi4py's messages were colored, counted and logged by cairn's wrappers. An
# uncoordinated snapshot of the same run must fail the same check (the oracle can fail).
# usage: bank_oracle.sh <bank_check>          (ctest sets PYTHON, TEST_BUILD_DIR, ...)
set -uo pipefail
CHECK=${1:?usage: bank_oracle.sh <bank_check>}
source "$(dirname "$0")/common.sh"
NP=4
INITIAL=1000000
work=$PWD/bank_oracle
rm -rf "$work" && mkdir -p "$work" && cd "$work" || fail "cannot use $work"

CAIRN_MODE=nonblocking CAIRN_DIR=$work/ckpt CAIRN_KEEP=1000 CAIRN_VERBOSE=0 \
    CAIRN_INTERVAL=steps:5 \
    "$MPIEXEC" -n $NP "$PYTHON" "$PYDIR/bank.py" --steps 150 --sleep-us 1000 \
    --initial $INITIAL --seed 3 --uncoordinated "$work/uncoordinated" > run.log 2>&1 ||
    { cat run.log; fail "bank.py run failed"; }
cat run.log
grep -qx "bank: total $((NP * INITIAL)) steps 150" run.log || fail "the run did not conserve money"

files=$(committed_checkpoints "$work/ckpt")
n=$(echo "$files" | grep -c .)
echo "== $n committed checkpoints"
[ "$n" -ge 10 ] || fail "only $n checkpoints committed (expected about 30)"
"$CHECK" --initial $INITIAL --require-channel $files > check.log 2>&1
rc=$?
cat check.log
case $rc in
    0) ;;
    3) fail "every channel log was empty: no transfer was in flight at a cut, nothing tested" ;;
    *) fail "a checkpoint does not conserve money or messages (exit $rc)" ;;
esac
"$CHECK" --initial $INITIAL --uncoordinated "$work"/uncoordinated.*.txt > unc.log 2>&1
rc=$?
cat unc.log
[ $rc -eq 1 ] && grep -q VIOLATED unc.log ||
    fail "the uncoordinated snapshot was not rejected (exit $rc): the oracle cannot fail"
echo "PASS: $n checkpoints of bank.py conserve money and messages; uncoordinated one rejected"
