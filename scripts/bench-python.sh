#!/usr/bin/env bash
# Benchmarks of the Python package (docs/python.md, "Costs"): the stall of a non-blocking
# checkpoint taken from Python against the same checkpoint from C++, and mpi4py's small-message
# time with cairn against without.
#
# usage: scripts/bench-python.sh [--build DIR] [--mib N] [--ranks N] [--reps N] [--rounds N]
#                                [--count N] [--bytes B] [--scratch DIR] [--out FILE]
#   --build DIR    build tree (default: build): apps/bench/cairn_bench, python/cairn
#   --mib N        state per rank of the stall case, MiB (default 256)
#   --ranks N      ranks of the stall case (default 4)
#   --reps N       repetitions inside each launch (default 5)
#   --rounds N     launches per side, alternating which side goes first (default 3)
#   --count N      round trips per repetition of the message case (default 20000)
#   --bytes B      message size of the message case (default 8)
#   --scratch DIR  checkpoint directories (default: a new temporary directory, removed)
#   --out FILE     every measurement as `result <metric> <size> <rep> <seconds>` (default: none)
# Stall: 4 ranks x 256 MiB by default; the C++ side is `cairn_bench --mode nonblocking` (one
# distributed array of touched doubles, compute ~1 ms between safe points), the Python side
# scripts/bench_python.py stall (the same as a numpy array), both after 3 s of warm-up with safe
# points (staging memory prepared), CAIRN_MODE=nonblocking, CAIRN_INTERVAL=off; medians of the
# longest safe_point() per checkpoint, next to each side's memcpy of the same bytes in the same
# launch. Messages: 2 ranks, comm.Send/comm.Recv of B-byte numpy arrays, half round trip, with
# cairn (mode nonblocking: header and counters on every message) and without cairn (not
# imported). Needs about 3x the stall state in memory. Timing on a machine shared with other
# work is not a valid measurement: the script prints the load average before and after.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=$root/build
mib=256
ranks=4
reps=5
rounds=3
count=20000
bytes=8
scratch=""
out=""
while [ $# -gt 0 ]; do
    case $1 in
        --build) build=$2; shift ;;
        --mib) mib=$2; shift ;;
        --ranks) ranks=$2; shift ;;
        --reps) reps=$2; shift ;;
        --rounds) rounds=$2; shift ;;
        --count) count=$2; shift ;;
        --bytes) bytes=$2; shift ;;
        --scratch) scratch=$2; shift ;;
        --out) out=$2; shift ;;
        -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "bench-python.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
    shift
done
build=$(cd "$build" && pwd)
bench=$build/apps/bench/cairn_bench
python=$(sed -n 's/^CAIRN_PYTHON_EXECUTABLE:INTERNAL=//p' "$build/CMakeCache.txt")
[ -x "$bench" ] || { echo "bench-python.sh: no $bench (build first)" >&2; exit 1; }
[ -n "$python" ] && [ -d "$build/python/cairn" ] ||
    { echo "bench-python.sh: no Python package in $build (CAIRN_PYTHON=ON, build first)" >&2; exit 1; }
source "$root/scripts/bench-common.sh"
bench_environment  # also lets mpiexec run as root, as the other benchmarks do
export PYTHONPATH=$build/python${PYTHONPATH:+:$PYTHONPATH}
export CAIRN_MODE=nonblocking CAIRN_KEEP=1
own_scratch=0
if [ -z "$scratch" ]; then scratch=$(mktemp -d); own_scratch=1; fi
raw=$(mktemp)
cleanup() { rm -f "$raw"; [ $own_scratch = 1 ] && rm -rf "$scratch"; return 0; }
trap cleanup EXIT

launch() {  # launch NP DIR command...: appends its result lines
    local np=$1 dir=$2
    shift 2
    rm -rf "$dir"
    CAIRN_DIR=$dir "$MPIEXEC" -n "$np" "$@" > "$scratch/run.log" 2>&1 ||
        { cat "$scratch/run.log"; echo "bench-python.sh: run failed: $*" >&2; exit 1; }
    grep '^result ' "$scratch/run.log" >> "$raw" || true
    rm -rf "$dir"
}
cpp_stall() { launch "$ranks" "$scratch/cpp" "$bench" --mode nonblocking --mib "$mib" --reps "$reps" --warmup 3; }
py_stall() { launch "$ranks" "$scratch/py" "$python" "$root/scripts/bench_python.py" stall --mib "$mib" --reps "$reps" --warmup 3; }
msg_plain() { launch 2 "$scratch/m" "$python" "$root/scripts/bench_python.py" messages --count "$count" --bytes "$bytes" --reps "$reps" --no-cairn; }
msg_cairn() { launch 2 "$scratch/m" "$python" "$root/scripts/bench_python.py" messages --count "$count" --bytes "$bytes" --reps "$reps"; }

echo "bench-python.sh: load average before: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPUs"
for ((r = 0; r < rounds; ++r)); do
    echo "bench-python.sh: round $((r + 1)) of $rounds"
    if [ $((r % 2)) = 0 ]; then cpp_stall; py_stall; msg_plain; msg_cairn
    else py_stall; cpp_stall; msg_cairn; msg_plain; fi
done
echo "bench-python.sh: load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
[ -n "$out" ] && cp "$raw" "$out"

med() {  # med METRIC: median seconds of the metric
    awk -v m="$1" '$2 == m {print $5}' "$raw" | sort -g |
        awk '{v[NR] = $1} END {if (NR == 0) print "nan"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2}'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (b > 0) printf "%.3f", a / b; else print "nan"}'; }
ms() { awk -v s="$1" 'BEGIN {printf "%.2f ms", s * 1000}'; }
us() { awk -v s="$1" 'BEGIN {printf "%.2f us", s * 1e6}'; }

py=$(med python_nonblocking_stall); cpp=$(med nonblocking_stall)
echo
echo "Stall of a non-blocking checkpoint, $ranks ranks x $mib MiB (median of $((rounds * reps)))"
echo "  C++     $(ms "$cpp")   (memcpy of the same bytes in the launch: $(ms "$(med nonblocking_memcpy)"))"
echo "  Python  $(ms "$py")   (numpy copy of the same bytes in the launch: $(ms "$(med python_nonblocking_memcpy)"))"
echo "  Python / C++ = $(ratio "$py" "$cpp")   (goal: within 5%)"
echo "  first checkpoint of a launch: C++ $(ms "$(med nonblocking_first_stall)"), Python $(ms "$(med python_nonblocking_first_stall)")"
with=$(med python_msg_with_cairn); plain=$(med python_msg_plain)
echo
echo "mpi4py Send/Recv of $bytes-byte numpy arrays, half round trip (median of $((rounds * reps)))"
echo "  without cairn  $(us "$plain")"
echo "  with cairn     $(us "$with")"
echo "  with / without = $(ratio "$with" "$plain")   (goal: at most 1.05)"
echo
echo "Numbers from a machine with other work running (load average above ~0.5 per CPU) are not"
echo "valid measurements: rerun on an idle node."
