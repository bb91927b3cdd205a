#!/usr/bin/env bash
# e2e: erasure-coded redundancy sets of the node-local tier (docs/tiers.md). A 4-rank heat job on
# 4 simulated nodes (node_split=ranks:1, one set of 4 members) is SIGKILLed after checkpoints
# with parity committed; the local tier is saved, and for each loss scenario the saved tier is
# restored, damaged, the shared directory emptied, and the same command rerun: it must restart
# from the expected source and end bit-identical to an uninterrupted run.
# usage: tier_parity.sh <heat> <case> [<cairn>]     (run in an empty scratch directory)
#   xor          redundancy=xor:4: each single node lost in turn -> its rank rebuilt
#   rs           redundancy=rs:2+2: every pair of nodes lost -> both ranks rebuilt
#   too_many     rs:2+2, flush=every:2: three nodes lost -> clear message, fallback to the
#                newest checkpoint of the shared directory
#   damaged      rs:2+2: node1 lost and the parity share rank 1's rebuild would use first
#                damaged -> detected, the other share used; xor:4: one byte of a rank image
#                flipped (no node lost) -> detected, that rank rebuilt from parity
# With <cairn>, `cairn inspect --local` must show the tier and redundancy of the saved tier.
set -uo pipefail
HEAT=${1:?usage: tier_parity.sh <heat> <case>}
CASE=${2:?missing case}
CAIRN_TOOL=${3:-}
source "$(dirname "$0")/heat_common.sh"
NP=4
ARGS=(--nx 128 --ny 96 --steps 240 --print-every 80)
work=$PWD/parity_$CASE
rm -rf "$work" && mkdir -p "$work" || fail "cannot create $work"
cd "$work" || fail "cannot enter $work"

case $CASE in
    xor) SCHEME=xor:4 FLUSH=end ;;
    rs | damaged) SCHEME=rs:2+2 FLUSH=end ;;
    too_many) SCHEME=rs:2+2 FLUSH=every:2 ;;
    *) fail "unknown case $CASE" ;;
esac

# parity_epoch: newest epoch whose marker on every node records the parity.
parity_epoch() {
    local best=0 f e n
    for f in "$work"/local/node0/epoch.*.done; do
        [ -f "$f" ] || continue
        e=$(basename "$f" | cut -d. -f2)
        local ok=1
        for n in 0 1 2 3; do
            grep -q "^tiers = local,$SCHEME" "$work/local/node$n/epoch.$e.done" 2>/dev/null || ok=0
        done
        e=$((10#$e))
        [ $ok = 1 ] && [ "$e" -gt "$best" ] && best=$e
    done
    echo "$best"
}

# flip FILE: flips one byte in the middle of FILE.
flip() {
    local size off byte
    size=$(stat -c %s "$1") || fail "no file $1"
    off=$((size / 2))
    byte=$(dd if="$1" bs=1 skip=$off count=1 2>/dev/null | od -An -tu1 | tr -d ' ')
    printf "$(printf '\\%03o' $(((byte ^ 0x10) & 0xff)))" |
        dd of="$1" bs=1 seek=$off count=1 conv=notrunc 2>/dev/null
    echo "flipped one byte of $1 at offset $off"
}

echo "== reference run (no checkpoints)"
CAIRN_DIR=$work/ref CAIRN_INTERVAL=off CAIRN_RESTART=never \
    "$MPIEXEC" -n $NP "$HEAT" "${ARGS[@]}" > ref.log 2>&1 || { cat ref.log; fail "reference run failed"; }
ref=$(final_checksum ref.log)
[ -n "$ref" ] || { cat ref.log; fail "no final checksum in the reference run"; }

echo "== run with redundancy=$SCHEME flush=$FLUSH on 4 simulated nodes; SIGKILL rank 2"
export CAIRN_DIR=$work/shared CAIRN_INTERVAL=steps:20 CAIRN_KEEP=2
export CAIRN_LOCAL_DIR=$work/local CAIRN_FLUSH=$FLUSH CAIRN_NODE_SPLIT=ranks:1
export CAIRN_REDUNDANCY=$SCHEME
"$MPIEXEC" -n $NP "$HEAT" "${ARGS[@]}" --sleep-ms 25 > run1.log 2>&1 &
mpirun_pid=$!
deadline=$((SECONDS + 120))
until [ "$(parity_epoch)" -ge 2 ] &&
    { [ "$CASE" != too_many ] || [ -n "$(committed_checkpoints "$CAIRN_DIR")" ]; }; do
    kill -0 "$mpirun_pid" 2>/dev/null || { cat run1.log; fail "job ended before two checkpoints"; }
    [ $SECONDS -lt $deadline ] || { kill -9 "$mpirun_pid"; fail "no checkpoints within 120 s"; }
    sleep 0.05
done
victim=$(rank_pid "$mpirun_pid" 2)
[ -n "$victim" ] || { cat run1.log; fail "no rank process found under mpirun $mpirun_pid"; }
kill -9 "$victim"
wait "$mpirun_pid"
[ -z "$(final_checksum run1.log)" ] || fail "the job finished before the kill; nothing tested"
grep -q "committed to the node-local tier (local,$SCHEME" run1.log ||
    { cat run1.log; fail "no checkpoint with parity reported"; }
expected=$(parity_epoch)
echo "newest checkpoint with parity on every node: $expected"
[ "$expected" -gt 0 ] || fail "no checkpoint with parity"
# Newer epochs (parity not recorded everywhere) are dropped, so the restart is deterministic.
for f in "$work"/local/node*/epoch.*.done; do
    e=$((10#$(basename "$f" | cut -d. -f2)))
    [ "$e" -gt "$expected" ] && rm -f "$f"
done
ls "$work"/local/node1/epoch.*/
mv "$work/local" "$work/saved"
shared_saved=$(committed_checkpoints "$CAIRN_DIR")
if [ -n "$CAIRN_TOOL" ]; then
    mkdir -p "$CAIRN_DIR"
    "$CAIRN_TOOL" inspect "$CAIRN_DIR" --local "$work/saved" > inspect.txt 2>&1 ||
        { cat inspect.txt; fail "cairn inspect --local failed"; }
    cat inspect.txt
    grep -q "^  epoch $expected: tiers local,$SCHEME[,a-z]*, redundancy $SCHEME, 4 ranks, markers on 4 node(s)" inspect.txt ||
        fail "cairn inspect does not show checkpoint $expected with tiers local,$SCHEME"
    grep -q "4 rank image(s) .*, 4 parity file(s)" inspect.txt || fail "cairn inspect does not count the parity files"
    "$CAIRN_TOOL" inspect "$CAIRN_DIR" --local "$work/saved" --json > inspect.json 2>&1 ||
        fail "cairn inspect --local --json failed"
    python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); e=[x for x in d["local_tier"] if x["epoch"]==int(sys.argv[2])][0]; assert e["redundancy"]==sys.argv[3] and e["parity_files"]==4, e' \
        inspect.json "$expected" "$SCHEME" || fail "cairn inspect --json: no local tier entry for $expected"
fi

# restart NAME EXPECT_EPOCH MESSAGE...: reruns the job without the sleep and checks its log.
restart() {
    local name=$1 want=$2 msg line got
    shift 2
    "$MPIEXEC" -n $NP "$HEAT" "${ARGS[@]}" > "$name.log" 2>&1 || { cat "$name.log"; fail "$name: restarted run failed"; }
    for msg in "$@"; do
        grep -qF -- "$msg" "$name.log" || { cat "$name.log"; fail "$name: expected the message: $msg"; }
    done
    line=$(grep -m1 '^heat: restarted from epoch' "$name.log")
    [ -n "$line" ] || { cat "$name.log"; fail "$name: did not restart from a checkpoint"; }
    got=$((10#$(echo "$line" | awk '{print $5}')))
    [ "$got" -eq "$want" ] || { cat "$name.log"; fail "$name: restarted from epoch $got, expected $want"; }
    [ "$(final_checksum "$name.log")" = "$ref" ] ||
        { cat "$name.log"; fail "$name: checksum after the restart differs from the uninterrupted run"; }
    grep -m1 "restored checkpoint\|falling back" "$name.log"
    echo "ok: $name"
}

# scenario NODES...: a fresh copy of the saved local tier without the given nodes' directories,
# and (flush=end) an empty shared directory.
scenario() {
    rm -rf "$work/local" && cp -a "$work/saved" "$work/local" || fail "cannot copy the local tier"
    if [ "$FLUSH" = end ]; then
        rm -rf "$CAIRN_DIR"
    fi
    local n
    for n in "$@"; do rm -rf "$work/local/node$n"; done
}
epoch_dir() { printf '%s/local/node%d/epoch.%06d' "$work" "$1" "$expected"; }

case $CASE in
    xor)
        [ -z "$shared_saved" ] || fail "flush=end wrote to the shared directory before the end"
        for lost in 0 1 2 3; do
            scenario $lost
            restart "lost_node$lost" "$expected" \
                "restored checkpoint $expected from the node-local tier: 3 rank(s) from local copies, 1 rebuilt from xor:4 parity (rank $lost from the parity of set 0)"
        done
        ;;
    rs)
        [ -z "$shared_saved" ] || fail "flush=end wrote to the shared directory before the end"
        for pair in "0 1" "0 2" "0 3" "1 2" "1 3" "2 3"; do
            set -- $pair
            scenario "$1" "$2"
            restart "lost_nodes$1$2" "$expected" \
                "restored checkpoint $expected from the node-local tier: 2 rank(s) from local copies, 2 rebuilt from rs:2+2 parity (ranks $1,$2 from the parity of set 0)"
        done
        ;;
    too_many)
        [ -n "$shared_saved" ] || fail "flush=every:2 left no checkpoint in the shared directory"
        newest_shared=$((10#$(basename "$(echo "$shared_saved" | tail -n 1)" | cut -d. -f2)))
        scenario 1 2 3
        restart lost_three "$newest_shared" \
            "redundancy set 0 (ranks 0-3) lost 3 of its 4 members (ranks 1-3: no valid own image); its parity rebuilds at most 2" \
            "falling back to the newest complete checkpoint in the shared directory"
        ;;
    damaged)
        scenario 1
        flip "$(epoch_dir 2)/parity.2.img"
        restart damaged_parity "$expected" "parity share of checkpoint $expected not usable" \
            "checksum mismatch in parity share" \
            "3 rank(s) from local copies, 1 rebuilt from rs:2+2 parity (rank 1 from the parity of set 0)"
        scenario 1
        flip "$(epoch_dir 3)/rank.3.img"
        restart damaged_image "$expected" \
            "2 rank(s) from local copies, 2 rebuilt from rs:2+2 parity (ranks 1,3 from the parity of set 0)"
        ;;
esac
echo "PASS: $CASE"
