#!/usr/bin/env bash
# The cost of cairn's interposition on the wire, measured as a user's standard point-to-point
# suite does: the same program (apps/bench/wire_bench.c, plain C MPI at MPI_THREAD_SINGLE, no
# cairn call) launched as plain Open MPI (no libcairn in the process) and with libcairn preloaded
# (LD_PRELOAD: every message goes through the wrappers and carries the epoch color), the two
# launches interleaved, medians over the rounds.
#   latency  blocking ping-pong, 1 B to 4 MiB in powers of 4 (half round trip, us)
#   bw       64 nonblocking sends in flight then MPI_Waitall, 1 B to 4 MiB (MB/s)
#   bibw     the same in both directions at once (MB/s)
#   mrate    8-byte messages, windows of 64, 2 pairs at once on 4 ranks (messages/s)
#
# usage: scripts/bench-wire.sh [--build DIR] [--rounds N] [--quick] [--tests LIST] [--out FILE]
#                              [--lib DIR] [--thread-multiple]
#   --build DIR   build tree with apps/bench/wire_bench and runtime/libcairn.so (default: build)
#   --rounds N    launches per (test, variant), alternating plain and interposed (default 5;
#                 --quick: 1)
#   --quick       fewer repetitions per size and one round (a smoke test, CI)
#   --tests LIST  comma-separated subset of latency,bw,bibw,mrate (default: all)
#   --out FILE    the summary as CSV (test,bytes,plain,interposed,ratio)
#   --lib DIR     preload libcairn.so from DIR instead of the build's runtime/
#   --thread-multiple  a third launch, plain_mt: plain Open MPI with the program asking for
#                 MPI_THREAD_MULTIPLE, the level cairn's runtime raises every process to (its
#                 column shows what the thread level alone costs)
# The summary's ratio is interposed/plain in every row: for latency lower is better (goal
# <= 1.10), for bandwidth and message rate higher is better (goal >= 0.90). Timing goals are never
# checked here: read the table.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=$root/build
rounds=""
quick=0
tests=latency,bw,bibw,mrate
out=""
libdir=""
with_mt=0
while [ $# -gt 0 ]; do
    case $1 in
        --build) build=$2; shift ;;
        --rounds) rounds=$2; shift ;;
        --quick) quick=1 ;;
        --tests) tests=$2; shift ;;
        --out) out=$2; shift ;;
        --lib) libdir=$2; shift ;;
        --thread-multiple) with_mt=1 ;;
        -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d'; exit 0 ;;
        *) echo "bench-wire.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
    shift
done
[ -n "$rounds" ] || rounds=$((quick ? 1 : 5))
[[ $rounds =~ ^[1-9][0-9]*$ ]] || { echo "bench-wire.sh: --rounds must be a positive integer" >&2; exit 2; }
bench=$build/apps/bench/wire_bench
lib=${libdir:-$build/runtime}/libcairn.so
[ -x "$bench" ] || { echo "bench-wire.sh: $bench not found (build first)" >&2; exit 2; }
[ -e "$lib" ] || { echo "bench-wire.sh: $lib not found" >&2; exit 2; }
for t in ${tests//,/ }; do
    case $t in latency | bw | bibw | mrate) ;; *) echo "bench-wire.sh: unknown test $t" >&2; exit 2 ;; esac
done

source "$root/scripts/bench-common.sh"
bench_environment
work=$(mktemp -d "${TMPDIR:-/tmp}/cairn-wire.XXXXXX")
trap 'rm -rf "$work"' EXIT
raw=$work/raw.csv
echo "variant,test,bytes,round,value" > "$raw"

# launch VARIANT TEST ROUND
launch() {
    local variant=$1 test=$2 round=$3 np=2 log=$work/run.log args=()
    [ "$variant" = plain_mt ] && args+=(--thread-multiple)
    args+=(--test "$2")
    [ "$test" = mrate ] && np=4 args+=(--min 8)
    [ "$quick" = 1 ] && args+=(--quick)
    local env=()
    # Interposed: libcairn preloaded, its default non-blocking mode (the color on every message).
    [ "$variant" = interposed ] && env=(-x LD_PRELOAD="$lib" -x CAIRN_DIR="$work/ckpt")
    if ! "$MPIEXEC" -n "$np" "${env[@]}" "$bench" "${args[@]}" > "$log" 2>&1; then
        cat "$log"
        echo "bench-wire.sh: $variant $test launch failed" >&2
        exit 1
    fi
    awk -v v="$variant" -v r="$round" '$1 == "result" { print v "," $2 "," $3 "," r "," $4 }' \
        "$log" >> "$raw"
}

for ((round = 1; round <= rounds; ++round)); do
    for t in ${tests//,/ }; do
        # Alternate which variant goes first, so that neither always follows the other.
        if ((round % 2)); then order="plain interposed"; else order="interposed plain"; fi
        [ $with_mt = 1 ] && order="$order plain_mt"
        for v in $order; do
            echo "bench-wire.sh: round $round/$rounds, $t, $v" >&2
            launch "$v" "$t" "$round"
        done
    done
done

summary=$work/summary.csv
header="test,bytes,plain,interposed,ratio"
[ $with_mt = 1 ] && header="$header,plain_mt,plain_mt/plain"
echo "$header" > "$summary"
awk -F, -v mt=$with_mt 'NR > 1 { key = $2 "," $3; vals[$1 "," key] = vals[$1 "," key] " " $5; keys[key] = 1 }
    function median(s,   m, v, i, j, t) {
        m = split(substr(s, 2), v, " ");
        for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++) if (v[j] + 0 < v[i] + 0) { t = v[i]; v[i] = v[j]; v[j] = t }
        return (m % 2) ? v[(m + 1) / 2] : (v[m / 2] + v[m / 2 + 1]) / 2
    }
    END {
        for (k in keys) {
            p = median(vals["plain," k]); i = median(vals["interposed," k]);
            printf "%s,%.4g,%.4g,%.3f", k, p, i, (p > 0 ? i / p : 0)
            if (mt) { q = median(vals["plain_mt," k]); printf ",%.4g,%.3f", q, (p > 0 ? q / p : 0) }
            printf "\n"
        }
    }' "$raw" | sort -t, -k1,1 -k2,2n >> "$summary"
[ -n "$out" ] && cp "$summary" "$out"
echo
echo "interposed / plain, medians of $rounds round(s): latency in us (goal ratio <= 1.10),"
echo "bw and bibw in MB/s, mrate in messages/s (goal ratio >= 0.90)"
column -t -s, "$summary"
