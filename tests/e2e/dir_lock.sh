#!/usr/bin/env bash
# Two jobs pointed at the same checkpoint directory: the second gets a clear error naming the
# directory and the holder, and the first job's checkpoints are untouched.
set -uo pipefail
heat=$1
source "$(dirname "$0")/heat_common.sh"
rm -rf ckpt a.log b.log
export CAIRN_DIR=ckpt CAIRN_INTERVAL=steps:5 CAIRN_KEEP=100

"$MPIEXEC" -n 2 "$heat" --nx 64 --ny 64 --steps 400 --sleep-ms 20 > a.log 2>&1 &
a=$!
for _ in $(seq 1 300); do
    [ -n "$(committed_checkpoints ckpt)" ] && break
    sleep 0.1
done
[ -n "$(committed_checkpoints ckpt)" ] || { kill -9 $a; fail "job A never committed a checkpoint"; }
before=$(committed_checkpoints ckpt | head -n 1)
sum_before=$(md5sum "$before" | cut -d' ' -f1)

"$MPIEXEC" -n 2 "$heat" --nx 64 --ny 64 --steps 10 > b.log 2>&1
rc=$?
kill -TERM $a 2>/dev/null
wait $a 2>/dev/null
cat b.log
[ $rc -ne 0 ] || fail "job B ran on a directory held by job A"
grep -q "is in use by another job" b.log || fail "job B's error does not say the directory is in use"
grep -q "pid [0-9]* on " b.log || fail "job B's error does not name the holder"
[ "$(md5sum "$before" | cut -d' ' -f1)" = "$sum_before" ] || fail "job A's checkpoint changed"
echo "PASS: second job refused with a clear error; first job's checkpoint intact"
