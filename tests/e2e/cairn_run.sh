#!/usr/bin/env bash
# cairn run end to end: the heat demo with an injected rank failure restarts and finishes with
# the checksum of an uninterrupted run; SIGUSR1 makes it checkpoint and stop, a rerun resumes;
# a job that always fails stops with a clear summary and exit status 1.
# usage: cairn_run.sh CAIRN_EXE HEAT_EXE
set -u
source "$(dirname "$0")/cairn_tool_common.sh"
cairn=$1
heat=$2
heat_args=(--steps 300 --print-every 100)
# Paces the runs that are killed or signalled mid-run; the reference run needs no pacing.
pace=(--sleep-ms 20)
rm -rf ref ck usr1 false-dir progress-dir

# 1. Reference: an uninterrupted run without checkpoints.
CAIRN_DIR=ref CAIRN_INTERVAL=off "$MPIEXEC" -n 4 "$heat" "${heat_args[@]}" > ref.log 2>&1 ||
    { cat ref.log; fail "reference run failed"; }
ref=$(final_checksum ref.log)
[ -n "$ref" ] || { cat ref.log; fail "no final checksum in the reference run"; }
pass "reference checksum $ref"

# 2. One injected SIGKILL once the first attempt has committed 2 checkpoints (progress-based, so
#    the test does not depend on the machine's speed); the second attempt resumes and finishes.
CAIRN_INTERVAL=steps:20 "$cairn" run -n 4 --max-restarts 3 --checkpoint-dir ck \
    --inject-failure-at-checkpoint 2 --mpirun "$MPIEXEC" -- "$heat" "${heat_args[@]}" "${pace[@]}" \
    > run.log 2>&1
status=$?
cat run.log
[ "$status" = 0 ] || fail "cairn run exited with $status"
expect_in run.log "cairn run: attempt 1/4 starting (newest checkpoint: none)"
expect_in run.log "cairn run: injecting a failure: SIGKILL to rank process"
expect_in run.log "cairn run: attempt 1 failed: rank killed by the injected SIGKILL"
expect_in run.log "cairn run: attempt 2/4 starting (newest checkpoint: epoch"
expect_in run.log "heat: restarted from epoch"
expect_in run.log "cairn run: the job finished: 2 attempts, 1 failure"
got=$(final_checksum run.log)
[ "$got" = "$ref" ] || fail "checksum after restart $got differs from the uninterrupted run $ref"
pass "restarted run finished with the reference checksum"
[ "$(head -n 1 ck/history)" = "cairn-history 1" ] || fail "history header missing"
grep -q '^attempt=1 .*cause=injected epoch_before=0 epoch_after=[1-9]' ck/history || { cat ck/history; fail "attempt 1 not recorded"; }
grep -q '^attempt=2 .*exit=0 cause=ok' ck/history || { cat ck/history; fail "attempt 2 not recorded"; }
pass "job history records both attempts"

# 3. SIGUSR1 to cairn run: forwarded to mpirun, the ranks checkpoint and exit cleanly; a rerun
#    of the same command resumes and finishes with the reference checksum.
CAIRN_INTERVAL=off "$cairn" run -n 4 --checkpoint-dir usr1 --mpirun "$MPIEXEC" -- \
    "$heat" "${heat_args[@]}" "${pace[@]}" > usr1.log 2>&1 &
pid=$!
for _ in $(seq 100); do grep -q "heat: step 100/300" usr1.log && break; sleep 0.1; done
grep -q "heat: step 100/300" usr1.log || { kill -TERM "$pid"; cat usr1.log; fail "heat did not start"; }
kill -USR1 "$pid"
wait "$pid"
status=$?
cat usr1.log
[ "$status" = 0 ] || fail "cairn run after SIGUSR1 exited with $status"
expect_in usr1.log "forwarding it to mpirun"
expect_in usr1.log "checkpointed and stopped on SIGUSR1"
grep -q 'cause=timeout' usr1/history || fail "SIGUSR1 stop not recorded as cause=timeout"
[ -z "$(final_checksum usr1.log)" ] || fail "heat finished although it was asked to stop"
CAIRN_INTERVAL=off "$cairn" run -n 4 --checkpoint-dir usr1 --mpirun "$MPIEXEC" -- \
    "$heat" "${heat_args[@]}" "${pace[@]}" > usr1b.log 2>&1 || { cat usr1b.log; fail "resumed run failed"; }
expect_in usr1b.log "heat: restarted from epoch"
got=$(final_checksum usr1b.log)
[ "$got" = "$ref" ] || fail "checksum after SIGUSR1 stop and resume $got differs from $ref"
pass "SIGUSR1: checkpoint, stop, resume, same checksum"

# 4. A job that always fails before any checkpoint: stops after two attempts without progress.
"$cairn" run -n 1 --max-restarts 3 --checkpoint-dir false-dir --mpirun "$MPIEXEC" -- false > false.log 2>&1
status=$?
cat false.log
[ "$status" = 1 ] || fail "always-failing job: exit status $status, expected 1"
expect_in false.log "cairn run: attempt 2 failed: exit status 1"
expect_in false.log "giving up: 2 attempts in a row failed without committing a new checkpoint: 2 attempts, 2 failures"
[ "$(grep -c '^attempt=' false-dir/history)" = 2 ] || fail "expected 2 history lines"
pass "always-failing job stops without progress"

# 5. A job that commits a 'checkpoint' and then fails, every time: stops after --max-restarts.
cat > progress-then-fail.sh <<'SCRIPT'
#!/bin/sh
n=$(ls "$CAIRN_DIR" | grep -c '^ckpt\.[0-9]*\.h5$')
touch "$CAIRN_DIR/ckpt.$(printf %06d $((n + 1))).h5"
exit 3
SCRIPT
chmod +x progress-then-fail.sh
"$cairn" run -n 1 --max-restarts 2 --checkpoint-dir progress-dir --mpirun "$MPIEXEC" -- \
    ./progress-then-fail.sh > progress.log 2>&1
status=$?
cat progress.log
[ "$status" = 1 ] || fail "failing job: exit status $status, expected 1"
expect_in progress.log "cairn run: attempt 3/3 starting (newest checkpoint: epoch 2)"
expect_in progress.log "cairn run: attempt 3 failed: exit status 3"
expect_in progress.log "giving up: no restarts left (--max-restarts 2): 3 attempts, 3 failures"
[ "$(grep -c 'cause=failed' progress-dir/history)" = 3 ] || fail "expected 3 failed attempts in the history"
pass "failing job stops after --max-restarts"

expect_status 2 "$cairn" run -n 4
expect_in err.log "no program given"
expect_status 2 "$cairn" run -- true
expect_in err.log "-n/--np is required"
pass "usage errors"
echo "PASS"
