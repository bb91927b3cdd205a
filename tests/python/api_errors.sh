#!/usr/bin/env bash
# The Python API's errors and round trip (cases.py, each case its own 2-rank job): misuse
# (calls before init, a bad config key, non-contiguous, read-only or unsupported arrays) and a bad
# config value raise cairn.Error at once; every supported dtype, a 0-d scalar, a distributed array
# and a pickled object written by one job are restored by the next; a dtype or format change
# between runs is a clear error and leaves the checkpoint intact. Another Python thread runs
# while checkpoint_now() waits (the GIL is released).
# The import orders of cairn and mpi4py (import_order.py): the ones that cannot track mpi4py's
# messages in non-blocking mode raise cairn.Error at init with what to do.
# usage: api_errors.sh                       (ctest sets PYTHON, TEST_BUILD_DIR, ...)
set -uo pipefail
source "$(dirname "$0")/common.sh"
work=$PWD/api_errors
rm -rf "$work" && mkdir -p "$work" && cd "$work" || fail "cannot use $work"
export CAIRN_VERBOSE=0

run_case() {  # run_case [SCRIPT] CASE DIR
    local script=cases.py
    [ $# -eq 3 ] && { script=$1; shift; }
    "$MPIEXEC" -n 2 "$PYTHON" "$PYDIR/$script" "$1" "$2" > "$1.log" 2>&1
    local rc=$?
    cat "$1.log"
    [ $rc -eq 0 ] && grep -qF "$script: $1 OK" "$1.log" || fail "case $1 of $script (exit $rc)"
}
for c in mpi4py-first mpi4py-first-noinit mpi4py-first-blocking cairn-first; do
    run_case import_order.py $c "$work/$c"
done
for c in mpi4py-first-preload preload-mode-keyword; do  # libcairn preloaded into the ranks only
    "$MPIEXEC" -n 2 -x LD_PRELOAD="$TEST_BUILD_DIR/runtime/libcairn.so" "$PYTHON" \
        "$PYDIR/import_order.py" $c "$work/$c" > $c.log 2>&1
    rc=$?
    cat $c.log
    [ $rc -eq 0 ] && grep -qF "import_order.py: $c OK" $c.log || fail "case $c of import_order.py"
done
run_case misuse "$work/misuse"
run_case no-finalize "$work/no-finalize"
run_case gil "$work/gil"
run_case save-error "$work/save-error"
run_case subcomm "$work/subcomm"
run_case subcomm "$work/subcomm"
grep -q "cases.py: subcomm restored" subcomm.log || fail "the second subcomm run did not restore"
run_case badvalue "$work/badvalue"
run_case write "$work/ckpt"
run_case read "$work/ckpt"
run_case read-dtype "$work/ckpt"
run_case read-format "$work/ckpt"
[ "$(committed_checkpoints "$work/ckpt" | wc -l)" -eq 1 ] || fail "the checkpoint did not survive"
run_case read "$work/ckpt"
echo "PASS: misuse and bad settings raise cairn.Error; all dtypes round-trip; mismatches reported"
