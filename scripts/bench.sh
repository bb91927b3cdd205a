#!/usr/bin/env bash
# Benchmarks of cairn against memcpy, dd and two naive writers (a POSIX file per rank, one shared
# HDF5 file written independently), and of the PMPI wrappers (docs/benchmarks.md).
#
# usage: scripts/bench.sh [--quick] [--incremental-only] [--io-only] [--lost-only] [--build DIR]
#                         [--out DIR] [--scratch DIR]
#   --quick        4 ranks x 4 MiB, 2 repetitions, caches kept (smoke test; numbers meaningless)
#   --incremental-only  only the blocking checkpoint and the incremental case (5% of the 64 KiB
#                  blocks changed): incremental.csv and incremental_ratios.csv, no plot
#   --io-only      shared-file write and restore bandwidth, A/B in alternating order, one launch
#                  per repetition: blocking checkpoint and restore with direct_io on and off, a
#                  plain 4-rank pwrite of the same layout, dd (rewrite, new file, O_DIRECT, read):
#                  io.csv and io_ratios.csv, no plot
#   --lost-only    only the lost application time per checkpoint (1, 2 and 4 ranks, a compute-
#                  and a memory-bound kernel, no checkpoints / blocking / non-blocking):
#                  lost.csv and lost_ratios.csv, no plot
#   --build DIR    build tree holding apps/bench/cairn_bench (default: build)
#   --out DIR      where results.csv, ratios.csv and results.png go (default: docs/bench)
#   --scratch DIR  directory for checkpoint and dd files (default: a new temporary directory)
# Full mode: 4 ranks x {64, 256} MiB per rank, 5 repetitions, medians; the disk-bound cases run
# interleaved, each repetition every writer and then every reader once. Needs about 3x the state
# in memory and 2x on disk, plus up to 4x the state in /dev/shm for the node-local tier cases
# (tier_*: blocking checkpoint_now() and restore() with local_dir in /dev/shm, flush=end, without
# and with partner copies between 2 simulated nodes). Page caches are dropped before read
# measurements when permitted.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=$root/build
out=$root/docs/bench
scratch=""
quick=0
only_incr=0
only_io=0
only_lost=0
while [ $# -gt 0 ]; do
    case $1 in
        --quick) quick=1 ;;
        --incremental-only) only_incr=1 ;;
        --io-only) only_io=1 ;;
        --lost-only) only_lost=1 ;;
        --build) build=$2; shift ;;
        --out) out=$2; shift ;;
        --scratch) scratch=$2; shift ;;
        -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d'; exit 0 ;;
        *) echo "bench.sh: unknown option $1" >&2; exit 2 ;;
    esac
    shift
done
bench=$build/apps/bench/cairn_bench
[ -x "$bench" ] || { echo "bench.sh: $bench not found (build first)" >&2; exit 2; }

source "$root/scripts/bench-common.sh"
bench_environment
NP=4
if [ $quick -eq 1 ]; then sizes=(4); reps=2; warmup=0.5; else sizes=(64 256); reps=5; warmup=5; fi

bench_scratch bench
shm=""
cleanup() {
    [ $made_scratch -eq 1 ] && rm -rf "$scratch"
    [ -n "$shm" ] && rm -rf "$shm"
    return 0
}
trap cleanup EXIT
mkdir -p "$out" "$scratch"
raw=$scratch/raw.txt
: > "$raw"

cold=0
[ $quick -eq 1 ] && cold=-1  # the smoke test leaves the machine's page cache alone
drop_caches() {
    sync
    if [ $cold -ge 0 ] && { echo 3 > /proc/sys/vm/drop_caches; } 2>/dev/null; then cold=1; else cold=-1; fi
}
drop_caches

# run NP MODE MIB [args...]: one launch; its result lines go to the raw file.
run() {
    local np=$1 mode=$2 mib=$3
    shift 3
    "$MPIEXEC" -n "$np" "$bench" --mode "$mode" --mib "$mib" "$@" > "$scratch/run.log" 2>&1 ||
        { cat "$scratch/run.log"; echo "bench.sh: $mode run failed" >&2; exit 1; }
    grep '^result ' "$scratch/run.log" >> "$raw" || true
}

# timed NAME MIB REP command...: wall time of a shell command as a result line.
timed() {
    local name=$1 mib=$2 rep=$3
    shift 3
    local t0 t1
    t0=$(date +%s.%N)
    "$@" > /dev/null 2>&1
    t1=$(date +%s.%N)
    echo "result $name $mib $rep $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.9f", b - a }')" >> "$raw"
}

# incremental MIB: full and delta checkpoints alternate (CAIRN_FULL_EVERY=1), 5% of the blocks
# changed before each one.
incremental() {
    CAIRN_MODE=blocking CAIRN_INCREMENTAL=on CAIRN_FULL_EVERY=1 CAIRN_BLOCK_SIZE=64KiB \
        CAIRN_DIR=$scratch/ckpt_incr run $NP incremental "$1" --reps $reps --changed 5 --block-kib 64
    rm -rf "$scratch/ckpt_incr"
}

# dd_writer CASE MIB REP: one dd write of the state's bytes (all ranks together) as a result line.
#   dd_rw      dd_write: conv=fdatasync into a file deleted right after (the next repetition
#              reuses its freed page cache)
#   dd_new     dd_write_new: the same into a new file per repetition, two older ones kept, as
#              cairn's checkpoints with CAIRN_KEEP=2
#   dd_direct  dd_write_direct: oflag=direct, 8 MiB blocks, new file per repetition, two kept
dd_writer() {
    local c=$1 mib=$2 rep=$3 total=$(($2 * NP))
    case $c in
        dd_rw)
            timed dd_write "$mib" "$rep" dd if=/dev/zero of="$scratch/dd.bin" bs=1M count=$total conv=fdatasync
            rm -f "$scratch/dd.bin" ;;
        dd_new)
            timed dd_write_new "$mib" "$rep" dd if=/dev/zero of="$scratch/dd.$rep.bin" bs=1M count=$total conv=fdatasync
            rm -f "$scratch/dd.$((rep - 2)).bin" ;;
        dd_direct)
            timed dd_write_direct "$mib" "$rep" dd if=/dev/zero of="$scratch/ddd.$rep.bin" bs=8M count=$((total / 8)) oflag=direct conv=fdatasync
            rm -f "$scratch/ddd.$((rep - 2)).bin" ;;
    esac
}

# disk_ab MIB: everything the disk limits, side by side. The disk's speed drifts by up to 1.7x
# within minutes on the development VM (the same 1 GiB O_DIRECT dd took 0.53-0.93 s in one
# sequence), so each repetition runs every writer once and then every reader once, in an order
# that flips between repetitions, instead of each case's repetitions in a block:
#   blocking_checkpoint  one launch of checkpoint_now() per repetition (the directory persists:
#                        from the third on, two older checkpoints stay, CAIRN_KEEP=2)
#   dd_write, dd_write_new, dd_write_direct  (dd_writer above; dd_write_direct is the
#                        page-cache-free limit that cairn's direct_io path has)
#   posix_write          the naive baseline: every rank write()s and fsync()s its own file
#   hdf5_independent     the naive HDF5 baseline: one shared file through HDF5's MPI-IO driver,
#                        each rank writing its block independently, flushed and closed
#   restore              restore() of the newest checkpoint in a fresh launch
#   dd_read              dd of the newest dd_write_new file; dd_read_direct: iflag=direct, 8 MiB
#                        blocks, of the newest dd_write_direct file
# Page caches are dropped before each reader.
disk_ab() {
    local mib=$1 rep c writers readers
    for ((rep = 0; rep < reps; ++rep)); do
        writers="blocking dd_rw dd_new dd_direct posix h5indep"
        readers="restore dd_read dd_read_direct"
        if [ $((rep % 2)) -eq 1 ]; then
            writers="h5indep posix dd_direct dd_new dd_rw blocking"
            readers="dd_read_direct dd_read restore"
        fi
        for c in $writers; do
            case $c in
                blocking)
                    CAIRN_MODE=blocking CAIRN_DIR=$scratch/ckpt_blocking run $NP blocking "$mib" --reps 1
                    sed -i "\$s/^result blocking_checkpoint $mib 0 /result blocking_checkpoint $mib $rep /" "$raw" ;;
                dd_*) dd_writer "$c" "$mib" $rep ;;
                posix)
                    run $NP posix "$mib" --reps 1 --dir "$scratch"
                    sed -i "\$s/^result posix_write $mib 0 /result posix_write $mib $rep /" "$raw" ;;
                h5indep)
                    mkdir -p "$scratch/h5indep"
                    CAIRN_MODE=blocking run $NP h5indep "$mib" --reps 1 --dir "$scratch/h5indep"
                    sed -i "\$s/^result hdf5_independent $mib 0 /result hdf5_independent $mib $rep /" "$raw" ;;
            esac
        done
        for c in $readers; do
            drop_caches
            case $c in
                restore)
                    CAIRN_MODE=blocking CAIRN_DIR=$scratch/ckpt_blocking run $NP restore "$mib" --reps 1
                    sed -i "\$s/^result restore $mib 0 /result restore $mib $rep /" "$raw" ;;
                dd_read) timed dd_read "$mib" $rep dd if="$scratch/dd.$rep.bin" of=/dev/null bs=1M ;;
                dd_read_direct)
                    timed dd_read_direct "$mib" $rep dd if="$scratch/ddd.$rep.bin" of=/dev/null bs=8M iflag=direct ;;
            esac
        done
    done
    rm -rf "$scratch/ckpt_blocking" "$scratch"/dd.*.bin "$scratch"/ddd.*.bin "$scratch/h5indep"
}

# io_ab MIB: the issue-5 bandwidth comparison. Each repetition runs every case once, in an order
# that flips between repetitions; the checkpoint directories persist, so from the third
# repetition on every checkpoint is written while two older ones stay (CAIRN_KEEP=2).
io_ab() {
    local mib=$1 rep d cases
    for ((rep = 0; rep < reps; ++rep)); do
        cases="direct mpiio shared dd_new dd_rw dd_direct"
        [ $((rep % 2)) -eq 1 ] && cases="dd_direct dd_rw dd_new shared mpiio direct"
        for c in $cases; do
            case $c in
                direct | mpiio)
                    d=on; [ $c = mpiio ] && d=off
                    CAIRN_MODE=blocking CAIRN_DIRECT_IO=$d CAIRN_DIR=$scratch/io_$c run $NP blocking "$mib" --reps 1
                    sed -i "\$s/^result blocking_checkpoint $mib 0 /result blocking_$c $mib $rep /" "$raw" ;;
                shared)
                    mkdir -p "$scratch/io_shared"
                    run $NP shared "$mib" --reps 1 --dir "$scratch/io_shared"
                    sed -i "\$s/^result shared_pwrite $mib 0 /result shared_pwrite $mib $rep /" "$raw" ;;
                dd_*) dd_writer "$c" "$mib" $rep ;;
            esac
        done
        cases="direct mpiio dd"
        [ $((rep % 2)) -eq 1 ] && cases="dd mpiio direct"
        for c in $cases; do
            drop_caches
            case $c in
                dd) timed dd_read "$mib" $rep dd if="$(ls "$scratch"/io_direct/ckpt.*.h5 | tail -n 1)" of=/dev/null bs=1M ;;
                *)
                    d=on; [ $c = mpiio ] && d=off
                    CAIRN_MODE=blocking CAIRN_DIRECT_IO=$d CAIRN_DIR=$scratch/io_direct run $NP restore "$mib" --reps 1
                    sed -i "\$s/^result restore $mib 0 /result restore_$c $mib $rep /" "$raw" ;;
            esac
        done
    done
    rm -rf "$scratch"/io_* "$scratch"/dd.*.bin "$scratch"/ddd.*.bin
}

for mib in "${sizes[@]}"; do
    [ $only_lost -eq 1 ] && break
    echo "== $NP ranks x $mib MiB, $reps repetitions"
    if [ $only_io -eq 1 ]; then
        io_ab "$mib"
        continue
    fi
    if [ $only_incr -eq 1 ]; then
        CAIRN_MODE=blocking CAIRN_DIR=$scratch/ckpt_blocking run $NP blocking "$mib" --reps $reps
        rm -rf "$scratch/ckpt_blocking"
        incremental "$mib"
        continue
    fi
    run $NP memcpy "$mib" --reps $reps
    disk_ab "$mib"
    # Compression: the same blocking checkpoint with HDF5's shuffle + deflate level 1.
    first=$(($(wc -l < "$raw") + 1))
    CAIRN_MODE=blocking CAIRN_COMPRESSION=deflate:1 CAIRN_DIR=$scratch/ckpt_deflate run $NP blocking "$mib" --reps $reps
    sed -i "$first,\$ s/^result blocking_checkpoint /result deflate_checkpoint /" "$raw"
    newest=$(ls -t "$scratch"/ckpt_deflate/ckpt.*.h5 | head -n 1)
    echo "$mib $(stat -c %s "$newest")" >> "$scratch/deflate_sizes.txt"
    rm -rf "$scratch/ckpt_deflate"
    # Compute before the first checkpoint (5 s), as an application does: the staging memory is
    # prepared meanwhile (staging_prefault), not at the first cut. staging_prefault prepares only
    # when checkpoints are scheduled, so this run has an interval that never fires within it (the
    # checkpoints are the benchmark's requests), as an application with a checkpoint interval.
    CAIRN_MODE=nonblocking CAIRN_INTERVAL=fixed:1000h CAIRN_DIR=$scratch/ckpt_nonblocking \
        run $NP nonblocking "$mib" --reps $reps --warmup $warmup
    rm -rf "$scratch/ckpt_nonblocking"
    # Time to durable: from the cut to the commit, computing with no safe point and with one
    # every ~1 ms (compare with blocking_checkpoint, the same state written at the safe point).
    for sp in 0 1; do
        CAIRN_MODE=nonblocking CAIRN_INTERVAL=steps:10000 CAIRN_DIR=$scratch/ckpt_durable \
            run $NP durable "$mib" --reps $reps --safe-point-ms $sp
        rm -rf "$scratch/ckpt_durable"
    done
    # Node-local tier in /dev/shm (flush=end: the timed commits do not touch the shared
    # directory; the final flush at finalize is not timed): commit without and with partner
    # copies (2 simulated nodes), then restore from the local tier.
    shm=$(mktemp -d /dev/shm/cairn-bench.XXXXXX)
    for variant in local partner; do
        partner=0 split=off
        [ $variant = partner ] && partner=1 split=ranks:2
        before=$(wc -l < "$raw")
        CAIRN_MODE=blocking CAIRN_DIR=$scratch/ckpt_tier CAIRN_LOCAL_DIR=$shm CAIRN_FLUSH=end \
            CAIRN_PARTNER=$partner CAIRN_NODE_SPLIT=$split run $NP blocking "$mib" --reps $reps
        sed -i "$((before + 1)),\$ s/^result blocking_checkpoint $mib /result tier_${variant}_checkpoint $mib /" "$raw"
        for ((rep = 0; rep < reps; ++rep)); do
            CAIRN_MODE=blocking CAIRN_DIR=$scratch/ckpt_tier CAIRN_LOCAL_DIR=$shm CAIRN_FLUSH=end \
                CAIRN_PARTNER=$partner CAIRN_NODE_SPLIT=$split run $NP restore "$mib" --reps 1
            sed -i "\$s/^result restore $mib 0 /result tier_${variant}_restore $mib $rep /" "$raw"
        done
        rm -rf "$scratch/ckpt_tier" "${shm:?}"/*
    done
    rmdir "$shm"
    shm=""
    incremental "$mib"
done
if [ $only_incr -eq 0 ] && [ $only_io -eq 0 ]; then
if [ $only_lost -eq 0 ]; then
echo "== ping-pong between 2 ranks: blocking mode without interposition (plain) and non-blocking mode (interposed)"
CAIRN_MODE=blocking CAIRN_INTERPOSE=off CAIRN_DIR=$scratch/ckpt_pp run 2 pingpong 1 --reps $reps
sed -i -e 's/^result latency_8B /result latency_plain /' -e 's/^result time_1MiB /result time_1MiB_plain /' "$raw"
CAIRN_MODE=nonblocking CAIRN_DIR=$scratch/ckpt_pp run 2 pingpong 1 --reps $reps
sed -i -e 's/^result latency_8B /result latency_interposed /' \
    -e 's/^result time_1MiB /result time_1MiB_interposed /' "$raw"
fi

# Lost application time per checkpoint: the same fixed work (cairn_bench --mode losttime, about
# 20 ms per iteration, a safe point after each) without checkpoints, with blocking and with
# non-blocking checkpoints every lt_every iterations, on 1 rank (a core free for cairn's
# threads), 2 (ranks = cores) and 4 ranks (2 x cores); launches interleaved per repetition.
lt_mib=${sizes[0]}
if [ $quick -eq 1 ]; then lt_iters=20 lt_every=5 lt_reps=1; else lt_iters=300 lt_every=25 lt_reps=3; fi
echo "== lost time per checkpoint: $lt_mib MiB per rank, $lt_iters iterations, a checkpoint every $lt_every"
for ((rep = 0; rep < lt_reps; ++rep)); do
    for np in 1 2 4; do
        for kernel in compute memory; do
            for variant in none blocking nonblocking; do
                mode=$variant interval=steps:$lt_every
                [ $variant = none ] && mode=nonblocking interval=off
                before=$(wc -l < "$raw")
                CAIRN_MODE=$mode CAIRN_INTERVAL=$interval CAIRN_DIR=$scratch/ckpt_lost \
                    run "$np" losttime "$lt_mib" --kernel $kernel --iters $lt_iters
                sed -i -e "$((before + 1)),\$ s/^result losttime_$kernel $lt_mib 0 /result lost_${variant}_np${np}_$kernel $lt_mib $rep /" \
                    -e "$((before + 1)),\$ s/^result losttime_stall_$kernel $lt_mib 0 /result lost_stall_${variant}_np${np}_$kernel $lt_mib $rep /" \
                    -e "$((before + 1)),\$ s/^result losttime_checkpoints $lt_mib 0 /result lost_cuts_${variant}_np${np}_$kernel $lt_mib $rep /" "$raw"
                rm -rf "$scratch/ckpt_lost"
            done
        done
    done
done
fi

# Medians per (metric, size); bandwidth in MB/s (10^6 B/s) of the bytes each metric moves.
csv=$out/results.csv
[ $only_incr -eq 1 ] && csv=$out/incremental.csv
[ $only_io -eq 1 ] && csv=$out/io.csv
[ $only_lost -eq 1 ] && csv=$out/lost.csv
echo "metric,mib_per_rank,ranks,reps,median_s,min_s,max_s,mb_per_s" > "$csv"
awk -v np=$NP '
    { key = $2 " " $3; vals[key] = vals[key] " " $5; n[key]++ }
    END {
        for (k in vals) {
            split(k, kk, " "); m = split(substr(vals[k], 2), v, " ");
            for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++) if (v[j] + 0 < v[i] + 0) { t = v[i]; v[i] = v[j]; v[j] = t }
            med = (m % 2) ? v[(m + 1) / 2] : (v[m / 2] + v[m / 2 + 1]) / 2;
            metric = kk[1]; mib = kk[2];
            bytes = np * mib * 1048576;
            if (metric ~ /^time_1MiB/) bytes = 1048576;
            if (metric ~ /^lost_/) bytes = 0;
            if (metric ~ /^latency/ || metric ~ /stall$/ || metric ~ /^incremental_delta/ || metric ~ /_bytes$/) bytes = 0;
            bw = (bytes > 0 && med > 0) ? sprintf("%.1f", bytes / med / 1e6) : "";
            printf "%s,%s,%d,%d,%.9f,%.9f,%.9f,%s\n", metric, mib, (metric ~ /latency|time_1MiB/) ? 2 : np, m, med, v[1], v[m], bw
        }
    }' "$raw" | sort -t, -k2,2n -k1,1 >> "$csv"

med() { awk -F, -v m="$1" -v s="$2" '$1 == m && $2 == s { print $5 }' "$csv"; }
# fastest METRIC...: the smallest median of the metrics at size $mib.
fastest() {
    local m best=""
    for m in "$@"; do
        best=$(awk -v a="$best" -v b="$(med "$m" "$mib")" \
            'BEGIN { if (b == "") print a; else if (a == "" || b + 0 < a + 0) print b; else print a }')
    done
    echo "$best"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b + 0 == 0) print "n/a"; else printf "%.3f", a / b }'; }
rcsv=$out/ratios.csv
[ $only_incr -eq 1 ] && rcsv=$out/incremental_ratios.csv
[ $only_io -eq 1 ] && rcsv=$out/io_ratios.csv
[ $only_lost -eq 1 ] && rcsv=$out/lost_ratios.csv
echo "mib_per_rank,ratio,value" > "$rcsv"
for mib in "${sizes[@]}"; do
    [ $only_lost -eq 1 ] && break
    if [ $only_io -eq 1 ]; then
        {
            echo "$mib,write bandwidth direct_io=on / dd (file rewritten; target >= 0.7),$(ratio "$(med dd_write "$mib")" "$(med blocking_direct "$mib")")"
            echo "$mib,write bandwidth direct_io=off / dd (file rewritten),$(ratio "$(med dd_write "$mib")" "$(med blocking_mpiio "$mib")")"
            echo "$mib,write bandwidth direct_io=on / dd new file,$(ratio "$(med dd_write_new "$mib")" "$(med blocking_direct "$mib")")"
            echo "$mib,write bandwidth direct_io=off / dd new file,$(ratio "$(med dd_write_new "$mib")" "$(med blocking_mpiio "$mib")")"
            echo "$mib,write bandwidth direct_io=on / dd O_DIRECT,$(ratio "$(med dd_write_direct "$mib")" "$(med blocking_direct "$mib")")"
            echo "$mib,plain 4-rank pwrite of the layout / dd new file,$(ratio "$(med dd_write_new "$mib")" "$(med shared_pwrite "$mib")")"
            echo "$mib,write time direct_io=on / off,$(ratio "$(med blocking_direct "$mib")" "$(med blocking_mpiio "$mib")")"
            echo "$mib,restore bandwidth direct_io=on / dd read (target >= 0.7),$(ratio "$(med dd_read "$mib")" "$(med restore_direct "$mib")")"
            echo "$mib,restore bandwidth direct_io=off / dd read,$(ratio "$(med dd_read "$mib")" "$(med restore_mpiio "$mib")")"
            echo "$mib,restore time direct_io=on / off,$(ratio "$(med restore_direct "$mib")" "$(med restore_mpiio "$mib")")"
        } >> "$rcsv"
        continue
    fi
    {
        echo "$mib,incremental delta bytes / full bytes,$(ratio "$(med incremental_delta_bytes "$mib")" "$(med incremental_full_bytes "$mib")")"
        echo "$mib,incremental delta time / full time (same launch),$(ratio "$(med incremental_delta "$mib")" "$(med incremental_full "$mib")")"
        echo "$mib,incremental delta time / blocking checkpoint (incremental off),$(ratio "$(med incremental_delta "$mib")" "$(med blocking_checkpoint "$mib")")"
        echo "$mib,incremental full time / blocking checkpoint (hashing cost),$(ratio "$(med incremental_full "$mib")" "$(med blocking_checkpoint "$mib")")"
    } >> "$rcsv"
    [ $only_incr -eq 1 ] && continue
    {
        echo "$mib,nonblocking stall / memcpy,$(ratio "$(med nonblocking_stall "$mib")" "$(med memcpy "$mib")")"
        echo "$mib,nonblocking stall / memcpy in the same launch,$(ratio "$(med nonblocking_stall "$mib")" "$(med nonblocking_memcpy "$mib")")"
        echo "$mib,blocking checkpoint / memcpy,$(ratio "$(med blocking_checkpoint "$mib")" "$(med memcpy "$mib")")"
        echo "$mib,nonblocking stall / blocking checkpoint,$(ratio "$(med nonblocking_stall "$mib")" "$(med blocking_checkpoint "$mib")")"
        echo "$mib,nonblocking first stall / memcpy,$(ratio "$(med nonblocking_first_stall "$mib")" "$(med memcpy "$mib")")"
        echo "$mib,time to durable without safe points / blocking checkpoint,$(ratio "$(med durable_no_safe_point "$mib")" "$(med blocking_checkpoint "$mib")")"
        echo "$mib,time to durable with a safe point every 1 ms / blocking checkpoint,$(ratio "$(med durable_safe_point_1ms "$mib")" "$(med blocking_checkpoint "$mib")")"
        echo "$mib,time to durable without / with safe points,$(ratio "$(med durable_no_safe_point "$mib")" "$(med durable_safe_point_1ms "$mib")")"
        echo "$mib,blocking write bandwidth / dd,$(ratio "$(med dd_write "$mib")" "$(med blocking_checkpoint "$mib")")"
        echo "$mib,blocking write bandwidth / dd new file,$(ratio "$(med dd_write_new "$mib")" "$(med blocking_checkpoint "$mib")")"
        echo "$mib,naive POSIX write bandwidth / dd new file,$(ratio "$(med dd_write_new "$mib")" "$(med posix_write "$mib")")"
        echo "$mib,nonblocking commit bandwidth / dd,$(ratio "$(med dd_write "$mib")" "$(med nonblocking_commit "$mib")")"
        echo "$mib,naive POSIX write bandwidth / dd,$(ratio "$(med dd_write "$mib")" "$(med posix_write "$mib")")"
        echo "$mib,naive shared HDF5 (independent) bandwidth / dd new file,$(ratio "$(med dd_write_new "$mib")" "$(med hdf5_independent "$mib")")"
        echo "$mib,blocking write bandwidth / naive shared HDF5,$(ratio "$(med hdf5_independent "$mib")" "$(med blocking_checkpoint "$mib")")"
        echo "$mib,local tier (/dev/shm) commit / blocking checkpoint,$(ratio "$(med tier_local_checkpoint "$mib")" "$(med blocking_checkpoint "$mib")")"
        echo "$mib,local tier + partner commit / blocking checkpoint,$(ratio "$(med tier_partner_checkpoint "$mib")" "$(med blocking_checkpoint "$mib")")"
        echo "$mib,local tier restore / shared restore,$(ratio "$(med tier_local_restore "$mib")" "$(med restore "$mib")")"
        echo "$mib,restore read bandwidth / dd read,$(ratio "$(med dd_read "$mib")" "$(med restore "$mib")")"
        echo "$mib,blocking write bandwidth / dd O_DIRECT write,$(ratio "$(med dd_write_direct "$mib")" "$(med blocking_checkpoint "$mib")")"
        echo "$mib,restore read bandwidth / dd O_DIRECT read,$(ratio "$(med dd_read_direct "$mib")" "$(med restore "$mib")")"
        # The strictest reading: against the fastest of the dd variants in this run.
        echo "$mib,blocking write bandwidth / fastest dd write,$(ratio "$(fastest dd_write dd_write_new dd_write_direct)" "$(med blocking_checkpoint "$mib")")"
        echo "$mib,restore read bandwidth / fastest dd read,$(ratio "$(fastest dd_read dd_read_direct)" "$(med restore "$mib")")"
        echo "$mib,deflate:1 checkpoint / blocking checkpoint,$(ratio "$(med deflate_checkpoint "$mib")" "$(med blocking_checkpoint "$mib")")"
        echo "$mib,deflate:1 stored bytes / data bytes,$(ratio "$(awk -v s="$mib" '$1 == s { print $2 }' "$scratch/deflate_sizes.txt")" $((mib * NP * 1048576)))"
    } >> "$rcsv"
done
if [ $only_incr -eq 0 ] && [ $only_io -eq 0 ]; then
if [ $only_lost -eq 0 ]; then
lp=$(med latency_plain 0)
li=$(med latency_interposed 0)
echo "0,latency overhead %,$(awk -v a="$li" -v b="$lp" 'BEGIN { printf "%.1f", (a / b - 1) * 100 }')" >> "$rcsv"
echo "0,bandwidth ratio interposed / plain,$(ratio "$(med time_1MiB_plain 0)" "$(med time_1MiB_interposed 0)")" >> "$rcsv"
fi
# lost NP KERNEL VARIANT: milliseconds of application time lost per checkpoint.
lost() {
    awk -v w="$(med "lost_$3_np$1_$2" "$lt_mib")" -v n="$(med "lost_none_np$1_$2" "$lt_mib")" \
        -v c="$(med "lost_cuts_$3_np$1_$2" "$lt_mib")" \
        'BEGIN { if (w == "" || n == "" || c + 0 == 0) print ""; else printf "%.2f", (w - n) / c * 1000 }'
}
for np in 1 2 4; do
    for kernel in compute memory; do
        lb=$(lost $np $kernel blocking)
        ln=$(lost $np $kernel nonblocking)
        stall=$(awk -v s="$(med "lost_stall_nonblocking_np${np}_$kernel" "$lt_mib")" 'BEGIN { if (s != "") printf "%.2f", s * 1000 }')
        {
            echo "$lt_mib,lost time per checkpoint $np rank(s) $kernel: blocking (ms),$lb"
            echo "$lt_mib,lost time per checkpoint $np rank(s) $kernel: non-blocking (ms),$ln"
            echo "$lt_mib,lost time per checkpoint $np rank(s) $kernel: non-blocking stall (ms),$stall"
            echo "$lt_mib,lost time per checkpoint $np rank(s) $kernel: non-blocking / blocking (goal <= 0.3),$(ratio "$ln" "$lb")"
            echo "$lt_mib,lost time per checkpoint $np rank(s) $kernel: non-blocking / its stall,$(ratio "$ln" "$stall")"
        } >> "$rcsv"
    done
done
fi

echo
echo "Medians ($csv):"
column -t -s, "$csv"
echo
echo "Ratios ($rcsv):"
column -t -s, "$rcsv"
case $cold in
    1) echo "(reads measured after dropping the page cache)" ;;
    *) echo "(page cache NOT dropped: reads may come from memory)" ;;
esac

echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
if [ $only_incr -eq 1 ] || [ $only_io -eq 1 ] || [ $only_lost -eq 1 ]; then
    :
elif command -v gnuplot > /dev/null; then
    dat=$scratch/bw.dat
    metrics="memcpy blocking_checkpoint deflate_checkpoint nonblocking_commit tier_local_checkpoint tier_partner_checkpoint restore tier_local_restore posix_write hdf5_independent dd_write dd_write_new dd_write_direct dd_read dd_read_direct"
    {
        printf "metric"; for mib in "${sizes[@]}"; do printf " %sMiB" "$mib"; done; echo
        for m in $metrics; do
            printf "%s" "$m"
            for mib in "${sizes[@]}"; do
                v=$(awk -F, -v m="$m" -v s="$mib" '$1 == m && $2 == s { print $8 }' "$csv")
                printf " %s" "${v:-NaN}"
            done
            echo
        done
    } > "$dat"
    gnuplot <<EOF
set terminal pngcairo size 960,540 noenhanced
set output "$out/results.png"
set rmargin 8
set bmargin 7
set title "cairn on $NP ranks: aggregate bandwidth (median of $reps), MB/s"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set logscale y
set ylabel "MB/s (log)"
set xtics rotate by -35
set key top right
set grid ytics
plot for [c=2:$(( ${#sizes[@]} + 1 ))] "$dat" using c:xtic(1) title columnheader(c)
EOF
    echo "plot: $out/results.png"
else
    echo "gnuplot not found: no plot (scripts/install-deps.sh installs gnuplot-nox)"
fi
