#!/usr/bin/env bash
# Benchmarks of the kvstore (docs/kvstore.md): recovery time versus log length, delta versus full
# checkpoint bytes at 1% and 10% of the keys changed per interval, throughput with checkpoints and
# the log on versus off. Medians of the repetitions; no result is asserted.
#
# usage: scripts/bench-kvstore.sh [--quick] [--build DIR] [--out DIR] [--scratch DIR] [--reps N]
#   --quick        tiny sizes, 1 repetition, log length 400 only (smoke test; numbers meaningless)
#   --build DIR    build tree holding apps/kvstore/kvstore (default: build)
#   --out DIR      where kvstore.csv and kvstore-tables.md go (default: docs/bench)
#   --scratch DIR  directory for the runs' checkpoints and logs (default: a new temporary one)
#   --reps N       repetitions per configuration (default 3)
# Recovery: 4 ranks, log on, one checkpoint after 10000 operations per client, then L more
# writes (L = 0, 1000, 10000, 100000 log records in total), the store holds (--hold), rank 1 is
# killed with kill -9 by PID, the restart replays the log; the kvstore's own "recovery" figure
# (restore + replay, max over ranks) is recorded.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=$root/build
out=$root/docs/bench
scratch=""
quick=0
reps=3
while [ $# -gt 0 ]; do
    case $1 in
        --quick) quick=1 ;;
        --build) build=$2; shift ;;
        --out) out=$2; shift ;;
        --scratch) scratch=$2; shift ;;
        --reps) reps=$2; shift ;;
        -h | --help) sed -n '2,16p' "$0"; exit 0 ;;
        *) echo "bench-kvstore.sh: unknown option $1" >&2; exit 2 ;;
    esac
    shift
done
kv=$build/apps/kvstore/kvstore
[ -x "$kv" ] || { echo "bench-kvstore.sh: $kv not found (build first)" >&2; exit 2; }
case $reps in '' | *[!0-9]* | 0) echo "bench-kvstore.sh: --reps takes a positive number" >&2; exit 2 ;; esac

source "$root/scripts/bench-common.sh"
bench_environment
export CAIRN_MODE=nonblocking
NP=4

if [ $quick -eq 1 ]; then
    reps=1
    lengths=(400)
    pre_ops=400            # operations per client before the one checkpoint
    rec_batch=100
    ops=1000               # per client, bytes/throughput runs
    keys=500               # per client
    every1=2
    every10=5
    call10=now             # a few fast rounds: background requests could merge into one
else
    lengths=(0 1000 10000 100000)
    pre_ops=10000
    rec_batch=500
    ops=40000
    keys=5000
    every1=2
    every10=18
    call10=async
fi

bench_scratch bench-kvstore
job=""
cleanup() {
    [ -n "$job" ] && kill -9 "$job" 2>/dev/null
    [ $made_scratch -eq 1 ] && rm -rf "$scratch"
    return 0
}
trap cleanup EXIT
mkdir -p "$out" "$scratch"
csv=$out/kvstore.csv
echo "experiment,config,rep,metric,value" > "$csv"
load_start=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)
started=$(date -u +%Y-%m-%dT%H:%M:%SZ)

die() {
    echo "bench-kvstore.sh: $*" >&2
    exit 1
}

# --- recovery time versus log length -------------------------------------------------------
# One checkpoint at round pre_ops/rec_batch (checkpoint_now: committed when it returns), then
# len/NP more writes per client (write ratio 1: every operation is a logged put or delete).
for len in "${lengths[@]}"; do
    for rep in $(seq 1 "$reps"); do
        d=$scratch/rec-$len-$rep
        rm -rf "$d" && mkdir -p "$d"
        export CAIRN_DIR=$d/ckpt
        total=$((pre_ops + len / NP))
        args=(--keys "$keys" --zipf 0 --write-ratio 1 --batch "$rec_batch" --seed "$rep"
              --checkpoint-every $((pre_ops / rec_batch)) --checkpoints 1 --log on)
        "$MPIEXEC" -n $NP "$kv" "${args[@]}" --ops "$total" --hold > "$d/run.log" 2>&1 &
        job=$!
        for _ in $(seq 1 600); do
            grep -q "kvstore: holding" "$d/run.log" && break
            kill -0 "$job" 2>/dev/null || { cat "$d/run.log"; die "run for log length $len ended early"; }
            sleep 0.2
        done
        grep -q "kvstore: holding after $total ops per client, epoch 1" "$d/run.log" ||
            { cat "$d/run.log"; die "run for log length $len did not hold after one checkpoint"; }
        victim=$(cat "$d/ckpt/kv/r1/pid")
        kill -9 "$victim"
        wait "$job" || true
        job=""
        "$MPIEXEC" -n $NP "$kv" "${args[@]}" --ops 0 > "$d/restart.log" 2>&1 ||
            { cat "$d/restart.log"; die "restart for log length $len failed"; }
        line=$(grep "kvstore: $NP ranks, restored" "$d/restart.log") ||
            { cat "$d/restart.log"; die "restart for log length $len did not restore"; }
        replayed=$(sed -n 's/.* \([0-9]*\) log records replayed.*/\1/p' <<< "$line")
        secs=$(sed -n 's/.*recovery \([0-9.]*\) s.*/\1/p' <<< "$line")
        rsecs=$(sed -n 's/.*(restore \([0-9.]*\) s.*/\1/p' <<< "$line")
        psecs=$(sed -n 's/.*replay \([0-9.]*\) s).*/\1/p' <<< "$line")
        [ "$replayed" = "$len" ] || die "log length $len: $replayed records replayed"
        echo "recovery,log=$len,$rep,replayed,$replayed" >> "$csv"
        echo "recovery,log=$len,$rep,recovery_s,$secs" >> "$csv"
        echo "recovery,log=$len,$rep,restore_s,$rsecs" >> "$csv"
        echo "recovery,log=$len,$rep,replay_s,$psecs" >> "$csv"
        echo "recovery: log $len records, rep $rep: replayed $replayed, recovery $secs s (restore $rsecs s, replay $psecs s)"
    done
done

# --- bytes per checkpoint and throughput -----------------------------------------------------
# NP clients x 5000 keys, 10% of the writes are deletes: the map settles near 18000 keys. Each
# interval covers NP x 50 x every x 0.5 writes: every=2 -> 200 writes (about 1% of the map),
# every=18 -> 1800 (about 10%, fewer distinct keys). "none": no checkpoint, log off (baseline).
# call=async: checkpoints requested (request_checkpoint), committed in the background; a request
# made while the previous checkpoint is still in flight merges with it, so short intervals come out
# longer than asked. call=now: checkpoint_now() (returns once committed): exact intervals, used
# for the 1% configuration. The table reports the mean interval actually obtained.
run_cfg() {  # name every log call
    local name=$1 every=$2 log=$3 call=$4 rep d line extra=()
    [ "$call" = async ] && extra=(--async-checkpoint)
    for rep in $(seq 1 "$reps"); do
        d=$scratch/$name-$rep
        rm -rf "$d" && mkdir -p "$d"
        export CAIRN_DIR=$d/ckpt
        "$MPIEXEC" -n $NP "$kv" --ops "$ops" --keys "$keys" --zipf 0 --write-ratio 0.5 --batch 50 \
            --full-every 4 --checkpoint-every "$every" "${extra[@]}" --log "$log" \
            --seed "$rep" > "$d/run.log" 2>&1 || { cat "$d/run.log"; die "run $name failed"; }
        line=$(grep "ops/s" "$d/run.log") || die "run $name: no throughput line"
        echo "throughput,$name,$rep,ops_per_s,$(sed -n 's/.* = \([0-9]*\) ops\/s.*/\1/p' <<< "$line")" >> "$csv"
        line=$(grep "full checkpoints" "$d/run.log") || die "run $name: no checkpoint line"
        # kvstore: full checkpoints F, B bytes (P per full); deltas D, B bytes (P per delta)
        read -r nfull fullper ndelta deltaper < <(sed -n \
            's/.*full checkpoints \([0-9]*\), [0-9]* bytes (\([0-9]*\) per full); deltas \([0-9]*\), [0-9]* bytes (\([0-9]*\) per delta).*/\1 \2 \3 \4/p' <<< "$line")
        if [ "$every" != 0 ]; then
            [ "${nfull:-0}" -gt 0 ] && [ "${ndelta:-0}" -gt 0 ] || die "run $name: no full or no delta"
            # per owner: the driver sums over the NP owners
            echo "bytes,$name,$rep,full_bytes,$fullper" >> "$csv"
            echo "bytes,$name,$rep,delta_bytes,$deltaper" >> "$csv"
            echo "bytes,$name,$rep,rounds_per_checkpoint,$(awk -v r=$((ops / 50)) -v c=$(((nfull + ndelta) / NP)) 'BEGIN { printf "%.2f", r / c }')" >> "$csv"
        fi
        echo "$name rep $rep: $(sed -n 's/^kvstore: \(.*ops\/s\).*/\1/p' <<< "$(grep ops/s "$d/run.log")")"
    done
}
run_cfg ckpt1pct-logon "$every1" on now
run_cfg ckpt10pct-logon "$every10" on "$call10"
run_cfg ckpt10pct-logoff "$every10" off "$call10"
run_cfg none-logoff 0 off async

# --- medians and tables -------------------------------------------------------------------------
median() {  # experiment config metric
    awk -F, -v e="$1" -v c="$2" -v m="$3" '$1 == e && $2 == c && $4 == m { print $5 }' "$csv" |
        sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "-"; else if (NR % 2) print v[(NR + 1) / 2]; else printf "%.6g\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
values() {  # experiment config metric: the repetitions, comma separated
    awk -F, -v e="$1" -v c="$2" -v m="$3" '$1 == e && $2 == c && $4 == m { printf "%s%s", s, $5; s = ", " }' "$csv"
}
tables=$out/kvstore-tables.md
kind10="background checkpoint"
[ "$call10" = now ] && kind10=checkpoint_now
load_end=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)
{
    echo "Run started $started on $(nproc) cores; load average (1/5/15 min) $load_start at the start,"
    echo "$load_end at the end."
    echo
    echo "Recovery time (restore + replay, max over $NP ranks) versus log records after the checkpoint, $reps repetition(s):"
    echo
    echo "| log records | recovery s (runs) | median recovery s | median restore s | median replay s |"
    echo "|---|---|---|---|---|"
    for len in "${lengths[@]}"; do
        echo "| $len | $(values recovery "log=$len" recovery_s) | $(median recovery "log=$len" recovery_s)" \
             "| $(median recovery "log=$len" restore_s) | $(median recovery "log=$len" replay_s) |"
    done
    echo
    echo "Bytes per checkpoint per owner rank (median over runs of each run's average):"
    echo
    echo "| map changed per interval | checkpoint call | rounds per checkpoint (asked / median obtained) | full image B | delta B | delta / full |"
    echo "|---|---|---|---|---|---|"
    for c in "ckpt1pct-logon:1%:$every1:checkpoint_now" "ckpt10pct-logon:10%:$every10:$([ "$call10" = now ] && echo checkpoint_now || echo request_checkpoint)"; do
        IFS=: read -r cname pct asked how <<< "$c"
        f=$(median bytes "$cname" full_bytes)
        dl=$(median bytes "$cname" delta_bytes)
        echo "| $pct | $how | $asked / $(median bytes "$cname" rounds_per_checkpoint) | $f | $dl |" \
             "$(awk -v a="$dl" -v b="$f" 'BEGIN { if (b > 0) printf "%.4f", a / b; else print "-" }') |"
    done
    echo
    echo "Throughput, $((NP * ops)) operations per run, ops/s:"
    echo
    echo "| configuration | runs | median |"
    echo "|---|---|---|"
    for c in "none-logoff:no checkpoints, log off" "ckpt10pct-logoff:$kind10 every $every10 rounds (10%), log off" \
             "ckpt10pct-logon:$kind10 every $every10 rounds (10%), log on" \
             "ckpt1pct-logon:checkpoint_now every $every1 rounds (1%), log on"; do
        echo "| ${c#*:} | $(values throughput "${c%%:*}" ops_per_s) | $(median throughput "${c%%:*}" ops_per_s) |"
    done
} > "$tables"
cat "$tables"
! grep -q '| - |' "$tables" || die "a configuration has no result"
echo "bench-kvstore.sh: wrote $csv and $tables"
