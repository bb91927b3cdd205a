#!/usr/bin/env bash
# e2e: the node-local tier (docs/tiers.md). A 4-rank heat job (simulated nodes: node_split) is
# SIGKILLed in one rank after a checkpoint committed to the local tier; the local tier is then
# damaged as the case says, and rerunning the same command must restore from the expected tier
# and end bit-identical to an uninterrupted run.
# usage: tier_restart.sh <heat> <case> <mode>     (run in an empty scratch directory)
#   every          flush=every, ranks:2: restart prefers the local copies over the shared file
#   end            flush=end, ranks:2: the shared directory has no checkpoint before the restart;
#                  the restart is from local copies; the finished run flushes at its end
#   node_loss      flush=end, ranks:2: node1's directory deleted: ranks 2,3 from partner copies,
#                  the shared directory untouched
#   partner_loss   flush=every:2, ranks:1 (4 nodes): node1 and its partner node2 deleted: rank 1's
#                  data exists nowhere, so the newest complete shared checkpoint is used
#   corrupt        flush=end, ranks:2: one byte of rank 1's local copy flipped: its partner copy
#                  is used
#   signal         flush=end, ranks:2: SIGUSR1 instead of SIGKILL: the checkpoint taken on the
#                  signal is flushed to the shared directory; the restart still prefers local
#   mode: blocking | nonblocking
set -uo pipefail
HEAT=${1:?usage: tier_restart.sh <heat> <case> <mode>}
CASE=${2:?missing case}
MODE=${3:?missing mode}
source "$(dirname "$0")/heat_common.sh"
NP=4
VICTIM_RANK=2
ARGS=(--nx 128 --ny 96 --steps 240 --print-every 80)
work=$PWD/tier_${CASE}_$MODE
rm -rf "$work" && mkdir -p "$work" || fail "cannot create $work"
cd "$work" || fail "cannot enter $work"

case $CASE in
    every) FLUSH=every SPLIT=ranks:2 ;;
    end | node_loss | corrupt | signal) FLUSH=end SPLIT=ranks:2 ;;
    partner_loss) FLUSH=every:2 SPLIT=ranks:1 ;;
    *) fail "unknown case $CASE" ;;
esac

# newest_marker [PATTERN]: newest epoch with a marker (on any node) whose tiers match PATTERN.
newest_marker() {
    local pattern=${1:-local} best=0 f e
    for f in "$work"/local/node*/epoch.*.done; do
        [ -f "$f" ] || continue
        grep -q "^tiers = .*$pattern" "$f" || continue
        e=$(basename "$f" | cut -d. -f2)
        e=$((10#$e))
        [ "$e" -gt "$best" ] && best=$e
    done
    echo "$best"
}

echo "== reference run (no checkpoints)"
CAIRN_DIR=$work/ref CAIRN_INTERVAL=off CAIRN_RESTART=never CAIRN_MODE=$MODE \
    "$MPIEXEC" -n $NP "$HEAT" "${ARGS[@]}" > ref.log 2>&1 || { cat ref.log; fail "reference run failed"; }
ref=$(final_checksum ref.log)
[ -n "$ref" ] || { cat ref.log; fail "no final checksum in the reference run"; }
echo "reference checksum $ref"

echo "== $MODE run, local tier with flush=$FLUSH, node_split=$SPLIT; SIGKILL rank $VICTIM_RANK"
export CAIRN_MODE=$MODE CAIRN_DIR=$work/shared CAIRN_INTERVAL=steps:20 CAIRN_KEEP=2
export CAIRN_LOCAL_DIR=$work/local CAIRN_FLUSH=$FLUSH CAIRN_NODE_SPLIT=$SPLIT CAIRN_PARTNER=1
CMD=("$MPIEXEC" -n $NP "$HEAT" "${ARGS[@]}" --sleep-ms 25)
"${CMD[@]}" > run1.log 2>&1 &
mpirun_pid=$!
deadline=$((SECONDS + 120))
# Wait for two checkpoints with partner copies (partner_loss: also one in the shared directory).
until [ "$(newest_marker partner)" -ge 2 ] &&
    { [ "$CASE" != partner_loss ] || [ -n "$(committed_checkpoints "$CAIRN_DIR")" ]; }; do
    kill -0 "$mpirun_pid" 2>/dev/null || { cat run1.log; fail "job ended before two checkpoints"; }
    [ $SECONDS -lt $deadline ] || { kill -9 "$mpirun_pid"; fail "no checkpoints within 120 s"; }
    sleep 0.05
done
sleep 0.2
if [ "$CASE" = signal ]; then
    echo "sending SIGUSR1 to mpirun (pid $mpirun_pid)"
    kill -USR1 "$mpirun_pid"
    wait "$mpirun_pid"
    rc=$?
    cat run1.log
    [ $rc -eq 0 ] || fail "mpirun exited with $rc after SIGUSR1"
    stop_line=$(grep -m1 '^heat: checkpointed at step' run1.log)
    [ -n "$stop_line" ] || fail "the job did not checkpoint and stop on SIGUSR1"
    stop_epoch=$(echo "$stop_line" | sed -n 's/.*(epoch \([0-9]*\)).*/\1/p')
    [ -f "$(printf '%s/ckpt.%06d.h5' "$CAIRN_DIR" "$stop_epoch")" ] ||
        fail "the checkpoint $stop_epoch taken on the signal is not in the shared directory"
    grep -q "^tiers = local,partner,shared" "$(printf '%s/local/node0/epoch.%06d.done' "$work" "$stop_epoch")" ||
        fail "the marker of checkpoint $stop_epoch does not record the shared copy"
else
    kill_rank_and_wait "$mpirun_pid" $VICTIM_RANK run1.log final_checksum
fi
grep -q "committed to the node-local tier (local,partner" run1.log ||
    fail "no checkpoint with a partner copy reported"

echo "== local tier after the crash"
ls -R "$work/local" | head -n 40
shared_files=$(committed_checkpoints "$CAIRN_DIR")
echo "shared directory: $(echo $shared_files | xargs -rn1 basename | tr '\n' ' ')"
newest=$(newest_marker)
newest_partner=$(newest_marker partner)
echo "newest local-tier checkpoint $newest, newest with partner copies $newest_partner"

expect_msg=""
case $CASE in
    every)
        [ -n "$shared_files" ] || fail "flush=every left no checkpoint in the shared directory"
        expected=$newest
        expect_msg="restored checkpoint $expected from the node-local tier: 4 rank(s) from local copies, 0 from partner copies"
        ;;
    end)
        [ -z "$shared_files" ] || fail "flush=end wrote to the shared directory before the end"
        expected=$newest
        expect_msg="restored checkpoint $expected from the node-local tier: 4 rank(s) from local copies, 0 from partner copies"
        ;;
    node_loss)
        [ -z "$shared_files" ] || fail "flush=end wrote to the shared directory before the end"
        echo "deleting $work/local/node1 (node loss)"
        rm -rf "$work/local/node1"
        # The newest epoch node0 knows whose partner copies of ranks 2 and 3 are stored there
        # (the kill may fall between storing the copies and recording them in the marker).
        expected=0
        for f in $(ls "$work"/local/node0/epoch.*.done | sort -r); do
            e=$((10#$(basename "$f" | cut -d. -f2)))
            d=$(printf '%s/local/node0/epoch.%06d' "$work" "$e")
            if [ -f "$d/partner.2.img" ] && [ -f "$d/partner.3.img" ]; then expected=$e; break; fi
        done
        expect_msg="restored checkpoint $expected from the node-local tier: 2 rank(s) from local copies, 2 from partner copies (ranks 2,3)"
        ;;
    partner_loss)
        [ -n "$shared_files" ] || fail "flush=every:2 left no checkpoint in the shared directory"
        echo "deleting $work/local/node1 and its partner $work/local/node2"
        rm -rf "$work/local/node1" "$work/local/node2"
        newest_shared=$(echo "$shared_files" | tail -n 1)
        expected=$((10#$(basename "$newest_shared" | cut -d. -f2)))
        expect_msg="falling back to the newest complete checkpoint in the shared directory"
        ;;
    signal)
        expected=$stop_epoch
        expect_msg="restored checkpoint $expected from the node-local tier: 4 rank(s) from local copies, 0 from partner copies"
        ;;
    corrupt)
        [ -z "$shared_files" ] || fail "flush=end wrote to the shared directory before the end"
        expected=$newest_partner
        img=$(printf '%s/local/node0/epoch.%06d/rank.1.img' "$work" "$expected")
        [ -f "$img" ] || fail "no local copy $img"
        size=$(stat -c %s "$img")
        off=$((size / 2))
        byte=$(dd if="$img" bs=1 skip=$off count=1 2>/dev/null | od -An -tu1 | tr -d ' ')
        printf "$(printf '\\%03o' $(((byte ^ 0x10) & 0xff)))" |
            dd of="$img" bs=1 seek=$off count=1 conv=notrunc 2>/dev/null
        echo "flipped one byte of $img at offset $off"
        # The newer epoch (if any) must not be used instead: drop every newer marker.
        for f in "$work"/local/node*/epoch.*.done; do
            e=$((10#$(basename "$f" | cut -d. -f2)))
            [ "$e" -gt "$expected" ] && rm -f "$f"
        done
        expect_msg="restored checkpoint $expected from the node-local tier: 3 rank(s) from local copies, 1 from partner copies (ranks 1)"
        ;;
esac
[ "$expected" -gt 0 ] || fail "no checkpoint to expect"

echo "== rerun the same command"
"${CMD[@]}" > run2.log 2>&1 || { cat run2.log; fail "restarted run failed"; }
cat run2.log
grep -qF "$expect_msg" run2.log || fail "expected the message: $expect_msg"
restart_line=$(grep -m1 '^heat: restarted from epoch' run2.log)
[ -n "$restart_line" ] || fail "second run did not restart from a checkpoint"
restart_epoch=$((10#$(echo "$restart_line" | awk '{print $5}')))
[ "$restart_epoch" -eq "$expected" ] ||
    fail "restarted from epoch $restart_epoch, expected $expected"
got=$(final_checksum run2.log)
echo "reference $ref, restarted $got"
[ "$got" = "$ref" ] || fail "checksum after restart differs from the uninterrupted run"
if [ "$CASE" = end ] || [ "$CASE" = node_loss ]; then
    grep -q "flushed to the shared directory at the end of the job" run2.log ||
        fail "flush=end: no flush at the end of the finished run"
    [ -n "$(committed_checkpoints "$CAIRN_DIR")" ] || fail "flush=end: shared directory empty at the end"
fi
echo "PASS: $CASE ($MODE) restarted from epoch $restart_epoch as expected; checksum $got matches"
