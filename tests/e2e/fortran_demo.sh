#!/usr/bin/env bash
# e2e: the Fortran demo checkpoints every 50 steps and aborts after step 270 (a simulated
# failure); rerunning it must restart from the checkpoint of step 250 and end with the checksum of
# an uninterrupted run. The two runs differ in their arguments (--stop-after), so they share a run
# key set in the environment; a rerun with another run key must be refused first.
# usage: fortran_demo.sh <fortran_demo executable>     (run in an empty scratch directory)
set -uo pipefail
DEMO=${1:?usage: fortran_demo.sh <fortran_demo executable>}
source "$(dirname "$0")/heat_common.sh"
NP=2
ARGS=(--n 1000 --steps 400 --checkpoint-every 50)
work=$PWD/fortran_demo
rm -rf "$work" && mkdir -p "$work" && cd "$work" || fail "cannot use $work"
checksum() { sed -n 's/^fortran_demo: final checksum \([0-9A-Fa-f]\{16\}\) .*/\1/p' "$1" | tail -n 1; }

echo "== uninterrupted run"
CAIRN_DIR=$work/ref CAIRN_INTERVAL=off CAIRN_RESTART=never \
    "$MPIEXEC" -n $NP "$DEMO" "${ARGS[@]}" > ref.log 2>&1 || { cat ref.log; fail "reference run failed"; }
ref=$(checksum ref.log)
[ -n "$ref" ] || { cat ref.log; fail "no final checksum in the reference run"; }
echo "reference checksum $ref"

echo "== run that fails after step 270"
export CAIRN_DIR=$work/ckpt CAIRN_INTERVAL=off CAIRN_KEEP=2 CAIRN_RUN_KEY="n=1000"
"$MPIEXEC" -n $NP "$DEMO" "${ARGS[@]}" --stop-after 270 > run1.log 2>&1
rc=$?
cat run1.log
[ $rc -ne 0 ] || fail "the failing run exited 0"
[ -z "$(checksum run1.log)" ] || fail "the failing run finished"
[ -n "$(committed_checkpoints "$CAIRN_DIR")" ] || fail "no committed checkpoint after the failure"
ls "$CAIRN_DIR"

echo "== rerun as another run (default run key: the arguments): refused"
committed_before=$(committed_checkpoints "$CAIRN_DIR")
env -u CAIRN_RUN_KEY "$MPIEXEC" -n $NP "$DEMO" "${ARGS[@]}" > foreign.log 2>&1 &&
    { cat foreign.log; fail "a run with another run key restored the checkpoint"; }
cat foreign.log
grep -q "belongs to another run" foreign.log || fail "no run-identity error"
grep -q "run_key 'n=1000'" foreign.log || fail "the error does not name the checkpoint's run key"
grep -q "run_key '--n 1000 --steps 400 --checkpoint-every 50'" foreign.log ||
    fail "the error does not name this job's run key (its arguments)"
grep -q "restart=force" foreign.log || fail "the error does not name the override"
[ "$(committed_checkpoints "$CAIRN_DIR")" = "$committed_before" ] ||
    fail "the refused run changed the committed checkpoints"

echo "== rerun"
"$MPIEXEC" -n $NP "$DEMO" "${ARGS[@]}" > run2.log 2>&1 || { cat run2.log; fail "rerun failed"; }
cat run2.log
grep -q '^fortran_demo: restarted from epoch [0-9]* at step 250$' run2.log ||
    fail "the rerun did not restart at step 250"
# CAIRN_KEEP=2: the checkpoints of steps 200 and 250 (epochs 4 and 5) are the ones kept.
grep -q '^fortran_demo: kept checkpoints 4 5$' run2.log ||
    fail "cairn_committed_epochs did not list the kept checkpoints 4 and 5"
got=$(checksum run2.log)
[ "$got" = "$ref" ] || fail "checksum after restart $got differs from the uninterrupted run $ref"
# Its halo exchange uses the Fortran MPI bindings, which bypass cairn's interposition: init must
# say so (the messages must be complete at every safe point, which they are here).
grep -q "warning: the Fortran MPI bindings (.*) are loaded" run2.log ||
    fail "cairn_init did not report the Fortran MPI bindings"
echo "PASS: restarted at step 250, checksum $got matches"
