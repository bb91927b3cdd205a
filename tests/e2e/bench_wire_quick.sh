#!/usr/bin/env bash
# Smoke test of scripts/bench-wire.sh --quick: one round of every wire test, plain Open MPI
# against the same program with libcairn preloaded. Checks what it produced, not how fast
# anything was: every (test, size) row is there with positive values for both launches.
# usage: bench_wire_quick.sh SOURCE_DIR BUILD_DIR
set -uo pipefail
src=${1:?usage: bench_wire_quick.sh SOURCE_DIR BUILD_DIR}
build=${2:?usage: bench_wire_quick.sh SOURCE_DIR BUILD_DIR}
fail() {
    echo "FAIL: $*"
    exit 1
}
rm -f wire.csv
bash "$src/scripts/bench-wire.sh" --quick --build "$build" --out wire.csv > wire.log 2>&1
rc=$?
cat wire.log
[ $rc -eq 0 ] || fail "bench-wire.sh --quick exited with $rc"
[ -s wire.csv ] || fail "no wire.csv"
for t in latency bw bibw; do
    for ((b = 1; b <= 4194304; b *= 4)); do
        line=$(grep "^$t,$b," wire.csv) || fail "no row for $t at $b bytes"
        awk -F, -v l="$line" '!($3 > 0 && $4 > 0 && $5 > 0) { print "FAIL: not positive: " l; exit 1 }' \
            <<< "$line" || exit 1
    done
done
grep -q "^mrate,8," wire.csv || fail "no message-rate row"
echo "PASS: bench-wire.sh --quick measured every size of every test, plain and interposed"
