#!/usr/bin/env bash
# The cairn demo: a 4-rank heat-equation job is killed part-way (SIGKILL of one rank), the same
# command is run again, it resumes from the newest committed checkpoint, and its final checksum
# must equal that of an uninterrupted run bit for bit. Prints PASS or FAIL and exits accordingly.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

NP=4
VICTIM_RANK=1
ARGS=(--nx 512 --ny 512 --steps 400 --print-every 50)
EVERY=40       # checkpoint every EVERY steps
SLEEP_MS=20    # slows the checkpointed run down so the kill lands part-way

if [ -t 1 ]; then bold=$'\033[1m' green=$'\033[1;32m' red=$'\033[1;31m' plain=$'\033[0m'
else bold="" green="" red="" plain=""; fi
say() { printf '\n%s== %s%s\n' "$bold" "$*" "$plain"; }

say "1/6 dependencies"
bash scripts/install-deps.sh || { echo "FAIL: could not install dependencies"; exit 1; }

say "2/6 build"
mkdir -p build
bash scripts/build.sh > build/build.log 2>&1 ||
    { tail -n 40 build/build.log; echo "FAIL: build failed (see build/build.log)"; exit 1; }
echo "built build/apps/heat/heat (full log in build/build.log)"
HEAT=$root/build/apps/heat/heat

# Clears CAIRN_* from the environment, sets the Open MPI variables for root/oversubscription,
# defines fail, final_checksum, committed_checkpoints and rank_pid.
source "$root/tests/e2e/heat_common.sh"
work=$root/build/demo
rm -rf "$work" && mkdir -p "$work" && cd "$work" || fail "cannot create $work"

say "3/6 reference: uninterrupted $NP-rank run"
echo "\$ mpiexec -n $NP heat ${ARGS[*]}"
CAIRN_DIR=$work/reference CAIRN_INTERVAL=off CAIRN_RESTART=never \
    "$MPIEXEC" -n $NP "$HEAT" "${ARGS[@]}" 2>&1 | tee reference.log
ref=$(final_checksum reference.log)
[ -n "$ref" ] || fail "the reference run printed no final checksum"
echo "reference checksum: $ref"

say "4/6 checkpointed run, one rank killed with SIGKILL part-way"
export CAIRN_DIR=$work/checkpoints CAIRN_INTERVAL=steps:$EVERY
CMD=("$MPIEXEC" -n $NP "$HEAT" "${ARGS[@]}" --sleep-ms $SLEEP_MS)
echo "\$ CAIRN_DIR=$CAIRN_DIR CAIRN_INTERVAL=$CAIRN_INTERVAL mpiexec -n $NP heat ${ARGS[*]} --sleep-ms $SLEEP_MS"
"${CMD[@]}" > crashed.log 2>&1 &
mpirun_pid=$!
tail -f --pid=$mpirun_pid crashed.log 2>/dev/null &
deadline=$((SECONDS + 300))
while [ "$(committed_checkpoints "$CAIRN_DIR" | wc -l)" -lt 2 ]; do
    kill -0 $mpirun_pid 2>/dev/null || break
    [ $SECONDS -lt $deadline ] || { kill -9 $mpirun_pid; fail "no checkpoint within 300 s"; }
    sleep 0.05
done
sleep 0.5
victim=$(rank_pid $mpirun_pid $VICTIM_RANK)
if [ -n "$victim" ]; then
    printf '\n>>> two checkpoints committed; kill -9 rank %s (pid %s)\n\n' $VICTIM_RANK "$victim"
    kill -9 "$victim"
fi
wait $mpirun_pid
rc=$?
sleep 0.2
[ $rc -ne 0 ] || fail "the job was not interrupted (mpirun exited 0); nothing to restart"
echo
echo "mpiexec exited with status $rc (the job crashed, as intended)"
echo "checkpoint directory:"
ls -l "$CAIRN_DIR"
newest=$(committed_checkpoints "$CAIRN_DIR" | tail -n 1)
[ -n "$newest" ] || fail "no committed checkpoint survived the crash"
if command -v h5ls > /dev/null; then
    echo "contents of $(basename "$newest") (plain HDF5; h5dump and h5py read it too):"
    h5ls -r "$newest" | head -n 20
fi

say "5/6 rerun the same command: it restarts from the newest committed checkpoint"
"${CMD[@]}" 2>&1 | tee restarted.log
grep -q '^heat: restarted from epoch' restarted.log || fail "the second run did not restart from a checkpoint"
got=$(final_checksum restarted.log)
[ -n "$got" ] || fail "the restarted run printed no final checksum"

say "6/6 compare"
echo "uninterrupted run: $ref"
echo "killed + restarted: $got"
if [ "$got" = "$ref" ]; then
    printf '\n%sPASS%s: the restarted job ended bit-identical to the uninterrupted one\n' "$green" "$plain"
    exit 0
fi
printf '\n%sFAIL%s: checksums differ\n' "$red" "$plain"
exit 1
