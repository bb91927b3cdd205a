#!/usr/bin/env bash
# e2e: the kvstore's delta checkpoints and operation log, checked against the clients' ledgers of
# acknowledged operations (docs/kvstore.md), in cairn's blocking or non-blocking mode.
#   delta: a clean 3-rank run with the log off, full image every 3rd checkpoint (puts, overwrites
#          and deletes); the restored map must equal the one the ledgers give at that checkpoint.
#   kill:  a 3-rank run under load with the log on; kill -9 of owner rank 1; after restart every
#          acknowledged write must be present.
#   kill-nolog: the same with the log off; the restored map must equal the ledgers' state at the
#          restored checkpoint (one consistent snapshot).
#   cleanup: rank 1 kills itself (SIGKILL) right after writing the chain file of its 5th
#          checkpoint, which therefore never commits; restart, run more checkpoints to the end;
#          then every chain file left in r<rank>/ must be referenced by a kept checkpoint, and
#          every acknowledged write must be present.
# Mode blocking: CAIRN_MODE=blocking, checkpoint_now(). Mode nonblocking: CAIRN_MODE=nonblocking,
# request_checkpoint() (--async-checkpoint): the cut is taken at an agreed safe point and the
# commit is noticed rounds later, while the store keeps serving.
# usage: kvstore.sh <kvstore executable> delta|kill|kill-nolog|cleanup blocking|nonblocking
#        (run in a scratch directory)
set -uo pipefail
USAGE="usage: kvstore.sh <kvstore> delta|kill|kill-nolog|cleanup blocking|nonblocking"
KV=${1:?$USAGE}
TEST=${2:?$USAGE}
CMODE=${3:?$USAGE}
source "$(dirname "$0")/heat_common.sh"
work=$PWD/kv_${TEST}_$CMODE
rm -rf "$work" && mkdir -p "$work" || fail "cannot create $work"
cd "$work" || fail "cannot enter $work"
export CAIRN_DIR=$work/ckpt CAIRN_INTERVAL=off CAIRN_VERBOSE=0 CAIRN_KEEP=2 CAIRN_MODE=$CMODE
COMMON=(--keys 300 --checkpoint-every 8 --full-every 3 --ledger --group-commit 16)
case $CMODE in
    blocking) ;;
    nonblocking) COMMON+=(--async-checkpoint) ;;
    *) fail "$USAGE" ;;
esac

# chain_files: every full/delta chain file under ckpt/kv/r*/ (rank dir/name).
chain_files() {
    (cd ckpt/kv && find r* -maxdepth 1 -type f -regex '.*/\(full\|delta\)\..*\.bin' | sort)
}
# referenced_names: chain file names found in the kept checkpoints' object bytes (all ranks).
referenced_names() {
    local f
    for f in $(committed_checkpoints ckpt); do
        strings -n 8 "$f" | grep -oE '(full|delta)\.[0-9]{20}-[0-9]{20}(\.[0-9]+)?\.bin'
    done | sort -u
}
# unreferenced: chain files no kept checkpoint names.
unreferenced() {
    local refs f
    refs=$(referenced_names)
    for f in $(chain_files); do
        grep -qxF "$(basename "$f")" <<< "$refs" || echo "$f"
    done
}

case $TEST in
    delta)
        "$MPIEXEC" -n 3 "$KV" "${COMMON[@]}" --ops 4000 --log off > run.log 2>&1 ||
            { cat run.log; fail "kvstore run failed"; }
        cat run.log
        grep -q "deltas [1-9]" run.log || fail "no delta checkpoint was written"
        LOG=off
        ;;
    kill | kill-nolog)
        LOG=on
        [ "$TEST" = kill-nolog ] && LOG=off
        "$MPIEXEC" -n 3 "$KV" "${COMMON[@]}" --ops 100000000 --log $LOG --sleep-us 2000 \
            > run.log 2>&1 &
        job=$!
        for _ in $(seq 1 100); do
            [ -s ckpt/kv/r1/pid ] && [ -n "$(committed_checkpoints ckpt)" ] && break
            sleep 0.2
        done
        sleep 1.5
        victim=$(cat ckpt/kv/r1/pid 2>/dev/null)
        [ -n "$victim" ] || { kill -9 $job; fail "rank 1 never started"; }
        echo "== kill -9 of owner rank 1 (pid $victim) under load"
        kill -9 "$victim"
        wait $job
        echo "job exit status $?"
        [ -n "$(committed_checkpoints ckpt)" ] || fail "no checkpoint committed before the kill"
        ;;
    cleanup)
        LOG=on
        ARGS=("${COMMON[@]}" --checkpoint-every 4 --ops 3000 --log on)
        echo "== run 1: rank 1 dies after writing the chain file of its 5th checkpoint"
        "$MPIEXEC" -n 3 "$KV" "${ARGS[@]}" --kill-after-save 5 > run1.log 2>&1
        echo "job exit status $?"
        cat run1.log
        grep -q "kill-after-save 5: SIGKILL" run1.log || fail "the test hook did not fire"
        [ -n "$(committed_checkpoints ckpt)" ] || fail "no checkpoint committed before the kill"
        stale=$(unreferenced)
        echo "chain files no kept checkpoint references before the restart:"
        echo "${stale:-(none)}"
        grep -q '^r1/' <<< "$stale" ||
            fail "rank 1's chain file of the uncommitted checkpoint was expected to be unreferenced"
        echo "== run 2: restart and continue to the end (more checkpoints)"
        "$MPIEXEC" -n 3 "$KV" "${ARGS[@]}" > run2.log 2>&1 || { cat run2.log; fail "run 2 failed"; }
        cat run2.log
        grep -q "kvstore: 3 ranks, restored" run2.log || fail "run 2 did not restore"
        newest=$(basename "$(committed_checkpoints ckpt | tail -n 1)")
        restored=$(sed -n 's/^kvstore: 3 ranks, restored, epoch \([0-9]*\),.*/\1/p' run2.log)
        echo "run 2 restored epoch $restored, newest checkpoint now $newest"
        newest=${newest#ckpt.}
        [ $((10#${newest%.h5})) -ge $((restored + 3)) ] ||
            fail "run 2 committed fewer than 3 checkpoints"
        ;;
    *) fail "unknown test $TEST" ;;
esac

echo "== restart and compare with the ledgers (log $LOG)"
"$MPIEXEC" -n 3 "$KV" --check --log $LOG > check.log 2>&1
rc=$?
cat check.log
[ $rc -eq 0 ] && grep -q "kvstore check: OK" check.log || fail "the restored map does not match"
if [ "$TEST" = kill ]; then
    grep -q "[1-9][0-9]* log records replayed" check.log ||
        echo "note: no log record was replayed (the kill landed right after a checkpoint)"
fi
if [ "$TEST" = cleanup ]; then
    echo "kept checkpoints: $(committed_checkpoints ckpt | xargs -n1 basename | tr '\n' ' ')"
    echo "chain files left:"
    chain_files
    left=$(unreferenced)
    [ -z "$left" ] || fail "chain files no kept checkpoint references are left: $left"
    for f in $stale; do
        [ -e "ckpt/kv/$f" ] && ! grep -qxF "$(basename "$f")" <<< "$(referenced_names)" &&
            fail "stale $f is still there"
    done
    [ -n "$(chain_files)" ] || fail "no chain file left at all"
fi
echo "PASS ($TEST, $CMODE)"
