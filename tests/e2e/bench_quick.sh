#!/usr/bin/env bash
# Smoke test of the benchmark driver: scripts/bench.sh --quick (4 ranks x 4 MiB, 2 repetitions)
# into ./bench-out, then checks what it produced, not how fast anything was: every metric has a
# positive median over both repetitions, every ratio is a number, and the plot exists.
# usage: bench_quick.sh SOURCE_DIR BUILD_DIR
set -uo pipefail
src=${1:?usage: bench_quick.sh SOURCE_DIR BUILD_DIR}
build=${2:?usage: bench_quick.sh SOURCE_DIR BUILD_DIR}
fail() {
    echo "FAIL: $*"
    exit 1
}
rm -rf bench-out
bash "$src/scripts/bench.sh" --quick --build "$build" --out bench-out > bench.log 2>&1
rc=$?
cat bench.log
[ $rc -eq 0 ] || fail "bench.sh --quick exited with $rc"

csv=bench-out/results.csv
[ -s "$csv" ] || fail "no $csv"
for m in memcpy blocking_checkpoint nonblocking_stall nonblocking_commit nonblocking_memcpy \
         nonblocking_first_stall restore posix_write hdf5_independent dd_write dd_write_new \
         dd_write_direct \
         dd_read dd_read_direct deflate_checkpoint incremental_full incremental_delta \
         incremental_full_bytes incremental_delta_bytes durable_no_safe_point \
         durable_safe_point_1ms tier_local_checkpoint \
         tier_local_restore tier_partner_checkpoint tier_partner_restore latency_plain \
         latency_interposed time_1MiB_plain time_1MiB_interposed; do
    line=$(grep "^$m," "$csv") || fail "metric $m missing from $csv"
    awk -F, -v m="$m" '{
        if ($5 + 0 <= 0) { print "FAIL: " m ": median " $5 " is not positive"; exit 1 }
        if (m !~ /first/ && $4 + 0 != 2) { print "FAIL: " m ": " $4 " samples, expected 2"; exit 1 }
    }' <<< "$line" || exit 1
done

# The lost-time section: one launch per (ranks, kernel, variant) in quick mode.
for np in 1 2 4; do
    for kernel in compute memory; do
        for variant in none blocking nonblocking; do
            m=lost_${variant}_np${np}_$kernel
            line=$(grep "^$m," "$csv") || fail "metric $m missing from $csv"
            awk -F, -v m="$m" '$5 + 0 <= 0 { print "FAIL: " m ": median " $5 " is not positive"; exit 1 }' \
                <<< "$line" || exit 1
        done
        grep -q "^lost_cuts_blocking_np${np}_$kernel,[^,]*,[^,]*,[^,]*,4\." "$csv" ||
            fail "lost_cuts_blocking_np${np}_$kernel: expected 4 checkpoints in the loop"
    done
done

ratios=bench-out/ratios.csv
[ -s "$ratios" ] || fail "no $ratios"
n=$(tail -n +2 "$ratios" | wc -l)
[ "$n" -ge 24 ] || fail "only $n ratios in $ratios"
bad=$(tail -n +2 "$ratios" | awk -F, '$3 !~ /^-?[0-9]+(\.[0-9]+)?$/')
[ -z "$bad" ] || fail "ratios that are not numbers: $bad"
# The incremental delta stores a fraction of the full checkpoint's bytes (5% of blocks changed):
# a size, not a timing, so it is checked.
awk -F, '$2 == "incremental delta bytes / full bytes" && !($3 > 0 && $3 < 0.25) {
    print "FAIL: delta bytes / full bytes = " $3; exit 1 }' "$ratios" || exit 1
[ -s bench-out/results.png ] || fail "no plot bench-out/results.png"
echo "PASS: bench.sh --quick produced every metric, numeric ratios and the plot"
