#!/usr/bin/env bash
# Side-by-side ping-pong of the PMPI wrappers: plain (CAIRN_MODE=blocking CAIRN_INTERPOSE=off, the wrappers pass
# through) against interposed (CAIRN_MODE=nonblocking, every message carries the 2-byte header)
# and interposed_mt (the same with the application at MPI_THREAD_MULTIPLE: messages counted
# under a lock), alternating launches so that all see the same machine load
# (docs/benchmarks.md).
#
# usage: scripts/bench-pingpong.sh [--build DIR] [--lib LABEL=DIR]... [--rounds N] [--reps N]
#                                  [--out FILE]
#   --build DIR     build tree holding apps/bench/cairn_bench (default: build)
#   --lib LABEL=DIR also run the same binary with libcairn from DIR first in the library path
#                   (for example a copy of an older build's runtime/ to compare before and after);
#                   repeatable; the build's own library is labelled "build"
#   --rounds N      launches per (library, mode), alternating (default 5)
#   --reps N        repetitions inside each launch (default 5)
#   --out FILE      every measurement as CSV (default: a temporary file, removed)
# Each round launches `mpiexec -n 2 cairn_bench --mode pingpong` (8-byte and 1 MiB half round
# trips) and `mpiexec -n 1 cairn_bench --mode selfsend` (CPU cost of a send + receive pair to
# itself, no peer, no scheduling in the way) per library and mode. The summary gives medians (and
# minima) over all repetitions of all launches and the overheads, interposed against plain. The
# ping-pong also measures 8 and 16 bytes through PMPI_Send/PMPI_Recv (never interposed) right after
# each latency_8B repetition; the last table gives latency_8B over that PMPI 8-byte latency of the
# same repetition (median over pairs: launch-to-launch scheduling differences cancel) and what
# Open MPI itself charges for 16 bytes over 8.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=$root/build
rounds=5
reps=5
out=""
libs=()
while [ $# -gt 0 ]; do
    case $1 in
        --build) build=$2; shift ;;
        --lib) libs+=("$2"); shift ;;
        --rounds) rounds=$2; shift ;;
        --reps) reps=$2; shift ;;
        --out) out=$2; shift ;;
        -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d'; exit 0 ;;
        *) echo "bench-pingpong.sh: unknown option $1" >&2; exit 2 ;;
    esac
    shift
done
[[ $rounds =~ ^[1-9][0-9]*$ ]] || { echo "bench-pingpong.sh: --rounds must be a positive integer" >&2; exit 2; }
[[ $reps =~ ^[1-9][0-9]*$ ]] || { echo "bench-pingpong.sh: --reps must be a positive integer" >&2; exit 2; }
bench=$build/apps/bench/cairn_bench
[ -x "$bench" ] || { echo "bench-pingpong.sh: $bench not found (build first)" >&2; exit 2; }
for l in "${libs[@]}"; do
    [[ $l == *=* ]] && [ -d "${l#*=}" ] ||
        { echo "bench-pingpong.sh: --lib wants LABEL=DIR with an existing DIR, got '$l'" >&2; exit 2; }
done

# Ranks yield the core while they wait (as in the tests); set OMPI_MCA_mpi_yield_when_idle=0
# beforehand to spin instead.
source "$root/scripts/bench-common.sh"
bench_environment

work=$(mktemp -d "${TMPDIR:-/tmp}/cairn-pingpong.XXXXXX")
trap 'rm -rf "$work"' EXIT
raw=$work/raw.csv
echo "library,mode,metric,round,rep,seconds" > "$raw"

# launch LABEL LIBDIR MODE ROUND NP BENCHMODE
launch() {
    local label=$1 libdir=$2 mode=$3 round=$4 np=$5 bmode=$6 log=$work/run.log
    local cairn_mode=blocking interpose=off extra=()
    [ "$mode" != plain ] && cairn_mode=nonblocking interpose=on
    [ "$mode" = interposed_mt ] && extra=(--thread-multiple)
    if ! env ${libdir:+LD_LIBRARY_PATH=$libdir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}} \
        CAIRN_MODE=$cairn_mode CAIRN_INTERPOSE=$interpose CAIRN_DIR="$work/ckpt" \
        "$MPIEXEC" -n "$np" "$bench" --mode "$bmode" --reps "$reps" "${extra[@]}" > "$log" 2>&1; then
        cat "$log"
        echo "bench-pingpong.sh: $label $mode launch failed" >&2
        exit 1
    fi
    awk -v l="$label" -v m="$mode" -v r="$round" \
        '$1 == "result" { print l "," m "," $2 "," r "," $4 "," $5 }' "$log" >> "$raw"
}

entries=("build=")
entries+=("${libs[@]}")
for ((round = 1; round <= rounds; ++round)); do
    for e in "${entries[@]}"; do
        # Alternate which mode goes first, so that neither always follows the other.
        if ((round % 2)); then order="plain interposed interposed_mt"; else order="interposed_mt interposed plain"; fi
        for mode in $order; do
            launch "${e%%=*}" "${e#*=}" "$mode" "$round" 2 pingpong
            launch "${e%%=*}" "${e#*=}" "$mode" "$round" 1 selfsend
        done
    done
done

[ -n "$out" ] && cp "$raw" "$out"
echo "library,mode,metric,n,median_us,min_us"
awk -F, 'NR > 1 {
        key = $1 "," $2 "," $3; vals[key] = vals[key] " " $6; n[key]++
    }
    END {
        for (k in vals) {
            m = split(substr(vals[k], 2), v, " ");
            for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++) if (v[j] + 0 < v[i] + 0) { t = v[i]; v[i] = v[j]; v[j] = t }
            med = (m % 2) ? v[(m + 1) / 2] : (v[m / 2] + v[m / 2 + 1]) / 2;
            printf "%s,%d,%.3f,%.3f\n", k, m, med * 1e6, v[1] * 1e6
        }
    }' "$raw" | sort > "$work/summary.csv"
cat "$work/summary.csv"
echo
echo "library,8B latency overhead (median),8B overhead (min),1MiB bandwidth interposed/plain (median),selfsend overhead (median),selfsend overhead (min),8B latency overhead at MPI_THREAD_MULTIPLE (median)"
for e in "${entries[@]}"; do
    awk -F, -v l="${e%%=*}" '
        $1 == l { med[$2 "," $3] = $5; mn[$2 "," $3] = $6 }
        END {
            lp = med["plain,latency_8B"]; li = med["interposed,latency_8B"];
            mp = mn["plain,latency_8B"]; mi = mn["interposed,latency_8B"];
            tp = med["plain,time_1MiB"]; ti = med["interposed,time_1MiB"];
            sp = med["plain,selfsend_8B"]; si = med["interposed,selfsend_8B"];
            sm = mn["plain,selfsend_8B"]; smi = mn["interposed,selfsend_8B"];
            lt = med["interposed_mt,latency_8B"];
            printf "%s,%+.1f %%,%+.1f %%,%.2f,%+.1f %%,%+.1f %%,%+.1f %%\n", l, (li / lp - 1) * 100, (mi / mp - 1) * 100, tp / ti, (si / sp - 1) * 100, (smi / sm - 1) * 100, (lt / lp - 1) * 100
        }' "$work/summary.csv"
done
echo
echo "library,mode,latency_8B / latency_8B_pmpi (same repetition; median of pairs),(q1-q3),latency_16B_pmpi / latency_8B_pmpi (median)"
awk -F, 'NR > 1 { k = $1 "," $2 "," $4 "," $5; v[$3 "|" k] = $6; keys[k] = 1 }
    function med(s,    a, m, i, j, t) {
        m = split(substr(s, 2), a, " ");
        for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
        q1 = a[int((m + 3) / 4)]; q3 = a[int((3 * m + 3) / 4)];
        return (m % 2) ? a[(m + 1) / 2] : (a[m / 2] + a[m / 2 + 1]) / 2
    }
    END {
        for (k in keys) {
            split(k, f, ","); lm = f[1] "," f[2];
            l = v["latency_8B|" k]; p = v["latency_8B_pmpi|" k]; p16 = v["latency_16B_pmpi|" k];
            if (l == "" || p == "" || p + 0 <= 0) continue;
            r[lm] = r[lm] " " l / p; s[lm] = s[lm] " " p16 / p
        }
        for (lm in r) { m1 = med(r[lm]); a1 = q1; b1 = q3; m2 = med(s[lm]); printf "%s,%.3f,%.3f-%.3f,%.3f\n", lm, m1, a1, b1, m2 }
    }' "$raw" | sort
