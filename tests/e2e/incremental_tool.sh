#!/usr/bin/env bash
# cairn inspect on a delta chain: kind, base, parent and chain in text and JSON; --verify;
# --materialize writes a full file whose /data h5diff finds identical to a full checkpoint of the
# same state (and different from an older state, so the comparison can fail); a damaged link
# makes --materialize fail naming it.
# Arguments: CAIRN_TOOL H5DIFF H5DUMP FILES_DIR (inc_tool/ left by mpi_incremental_2).
set -u
source "$(dirname "$0")/cairn_tool_common.sh"
cairn=$1
h5diff=$2
h5dump=$3
src=$4
[ -f "$src/chain/ckpt.000005.h5" ] || fail "no chain in $src (run mpi_incremental_2 first)"
rm -rf chain full && cp -r "$src/chain" chain && cp -r "$src/full" full

expect_status 0 "$cairn" inspect chain
expect_in out.log "kind: full"
expect_in out.log "kind: delta of epoch 4 (base 1), chain 1 -> 2 -> 3 -> 4 -> 5;"
expect_status 0 "$cairn" inspect --json chain
expect_in out.log '"kind": "delta", "base_epoch": 1, "parent_epoch": 4, "chain": [1, 2, 3, 4]'
expect_status 0 "$cairn" inspect --verify chain
pass "inspect shows the chain and verifies"

expect_status 0 "$cairn" inspect chain --materialize 5 --output m5.h5
expect_status 0 "$cairn" inspect --verify m5.h5
expect_in out.log "kind: full"
"$h5diff" m5.h5 full/ckpt.000001.h5 /data /data > diff.log 2>&1 ||
    { cat diff.log; fail "materialised epoch 5 differs from the full checkpoint in /data"; }
pass "materialised epoch 5 is identical in /data to a full checkpoint of the same state"

expect_status 0 "$cairn" inspect chain --materialize 4 --output m4.h5
if "$h5diff" m4.h5 full/ckpt.000001.h5 /data /data > diff.log 2>&1; then
    fail "h5diff finds epoch 4 identical to epoch 5's state: the comparison cannot fail"
fi
pass "an older state differs"

# Damage the changed bytes of link 3: materialising 5 fails and names the file.
layout=$("$h5dump" -p -H -d /delta/bytes/data chain/ckpt.000003.h5 | tr -s ' \n' ' ')
size=$(sed -n 's/.*CONTIGUOUS SIZE \([0-9]*\) OFFSET \([0-9]*\).*/\1/p' <<< "$layout")
start=$(sed -n 's/.*CONTIGUOUS SIZE \([0-9]*\) OFFSET \([0-9]*\).*/\2/p' <<< "$layout")
[ -n "$size" ] && [ -n "$start" ] || fail "no storage layout from h5dump: $layout"
off=$((start + size / 2))
old=$(od -An -tu1 -j "$off" -N1 chain/ckpt.000003.h5 | tr -d ' ')
printf "\\$(printf %o $((255 - old)))" |
    dd of=chain/ckpt.000003.h5 bs=1 seek="$off" conv=notrunc status=none
expect_status 1 "$cairn" inspect chain --materialize 5 --output bad.h5
expect_in err.log "ckpt.000003.h5"
expect_status 1 "$cairn" inspect --verify chain/ckpt.000003.h5
pass "a damaged link is named by --materialize and --verify"

expect_status 2 "$cairn" inspect chain --materialize 5
expect_status 0 "$cairn" inspect --help
expect_in out.log "--materialize"
pass "usage"
