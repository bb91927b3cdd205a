#!/usr/bin/env bash
# cairn inspect on a good checkpoint directory, a corrupted file and a foreign HDF5 file.
# usage: cairn_inspect.sh CAIRN_EXE HEAT_EXE
set -u
source "$(dirname "$0")/cairn_tool_common.sh"
cairn=$1
heat=$2
rm -rf good bad foreign
mkdir -p bad foreign

CAIRN_DIR=good CAIRN_INTERVAL=steps:10 CAIRN_KEEP=3 "$MPIEXEC" -n 4 "$heat" --steps 40 --print-every 0 \
    > heat.log 2>&1 || { cat heat.log; fail "heat run failed"; }
touch good/ckpt.000099.h5.tmp

# Good directory: listing, verify, JSON.
expect_status 0 "$cairn" inspect good --verify
cat out.log
expect_in out.log "good: 3 committed checkpoints (epochs 2..4, newest last)"
expect_in out.log "uncommitted: good/ckpt.000099.h5.tmp"
expect_in out.log "good/ckpt.000004.h5"
expect_in out.log "epoch 4, safe point 40"
expect_in out.log "4 ranks"
expect_in out.log "mode: non-blocking snapshot, channel log: empty"
expect_in out.log "interval: "
expect_in out.log "temperature"
expect_in out.log "verify: OK"
pass "good directory verifies"
expect_status 0 "$cairn" inspect good/ckpt.000004.h5 --json --verify
/usr/bin/python3 - out.log <<'PY' || fail "--json output is not the expected JSON"
import json, sys
doc = json.load(open(sys.argv[1]))
c = doc["checkpoints"][0]
assert c["epoch"] == 4 and c["nranks"] == 4 and c["verified"] is True, c
assert any(b["name"] == "temperature" for b in c["buffers"]), c
assert c["mode"] == "nonblocking" and c["channel_log_messages"] == 0, c
assert c["channel_log_bytes"] == 0, c
PY
pass "JSON output"

# Corrupted copy: bytes flipped inside the data; --verify fails and names the file.
cp good/ckpt.000004.h5 bad/ckpt.000004.h5
/usr/bin/python3 - bad/ckpt.000004.h5 <<'PY'
import sys
path = sys.argv[1]
with open(path, "r+b") as f:
    data = bytearray(f.read())
    mid = len(data) // 2
    for i in range(mid, mid + 64):
        data[i] ^= 0xFF
    f.seek(0)
    f.write(data)
PY
expect_status 0 "$cairn" inspect bad
expect_status 1 "$cairn" inspect bad --verify
cat out.log err.log
expect_in err.log "cairn inspect: bad/ckpt.000004.h5: verification failed:"
expect_in out.log "verify: FAILED"
pass "corrupted file fails --verify and is named"

# Truncated file: unreadable, named.
head -c 3000 good/ckpt.000004.h5 > bad/ckpt.000005.h5
expect_status 1 "$cairn" inspect bad/ckpt.000005.h5
expect_in err.log "cairn inspect: bad/ckpt.000005.h5: not a readable cairn checkpoint"
pass "truncated file is reported"

# Foreign HDF5 file.
/usr/bin/python3 -c 'import h5py, numpy; f = h5py.File("foreign/ckpt.000001.h5", "w"); f["x"] = numpy.arange(10); f.close()' ||
    fail "cannot create a foreign HDF5 file with h5py"
expect_status 1 "$cairn" inspect foreign
cat out.log err.log
expect_in err.log "cairn inspect: foreign/ckpt.000001.h5: not a readable cairn checkpoint"
expect_status 1 "$cairn" inspect foreign/ckpt.000001.h5 --verify
pass "foreign HDF5 file is rejected"
if grep -q "HDF5-DIAG" out.log err.log; then fail "HDF5 error stack printed"; fi

expect_status 1 "$cairn" inspect does-not-exist
expect_in err.log "does-not-exist: no such file or directory"
expect_status 2 "$cairn" inspect
expect_status 2 "$cairn" inspect good --bogus
expect_status 0 "$cairn" inspect --help
pass "usage"
echo "PASS"
