#!/usr/bin/env bash
# e2e: the kvstore's delta checkpoints and operation log, checked against the clients' ledgers of
# acknowledged operations (docs/kvstore.md).
#   delta: a clean 3-rank run with the log off, full image every 3rd checkpoint (puts, overwrites
#          and deletes); the restored map must equal the one the ledgers give at that checkpoint.
#   kill:  a 3-rank run under load with the log on; kill -9 of owner rank 1; after restart every
#          acknowledged write must be present.
#   kill-nolog: the same with the log off; the restored map must equal the ledgers' state at the
#          restored checkpoint (one consistent snapshot).
# usage: kvstore.sh <kvstore executable> delta|kill|kill-nolog   (run in a scratch directory)
set -uo pipefail
KV=${1:?usage: kvstore.sh <kvstore> delta|kill|kill-nolog}
MODE=${2:?usage: kvstore.sh <kvstore> delta|kill|kill-nolog}
source "$(dirname "$0")/heat_common.sh"
work=$PWD/kv_$MODE
rm -rf "$work" && mkdir -p "$work" || fail "cannot create $work"
cd "$work" || fail "cannot enter $work"
export CAIRN_DIR=$work/ckpt CAIRN_INTERVAL=off CAIRN_VERBOSE=0 CAIRN_KEEP=3
COMMON=(--keys 300 --checkpoint-every 8 --full-every 3 --ledger --group-commit 16)

case $MODE in
    delta)
        "$MPIEXEC" -n 3 "$KV" "${COMMON[@]}" --ops 4000 --log off > run.log 2>&1 ||
            { cat run.log; fail "kvstore run failed"; }
        cat run.log
        grep -q "deltas [1-9]" run.log || fail "no delta checkpoint was written"
        LOG=off
        ;;
    kill | kill-nolog)
        LOG=on
        [ "$MODE" = kill-nolog ] && LOG=off
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
    *) fail "unknown mode $MODE" ;;
esac

echo "== restart and compare with the ledgers (log $LOG)"
"$MPIEXEC" -n 3 "$KV" --check --log $LOG > check.log 2>&1
rc=$?
cat check.log
[ $rc -eq 0 ] && grep -q "kvstore check: OK" check.log || fail "the restored map does not match"
if [ "$MODE" = kill ]; then
    grep -q "[1-9][0-9]* log records replayed" check.log ||
        echo "note: no log record was replayed (the kill landed right after a checkpoint)"
fi
echo "PASS ($MODE)"
