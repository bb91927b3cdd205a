#!/usr/bin/env bash
# Build the libFuzzer targets (tests/fuzz) with clang and run each for a while.
# usage: scripts/fuzz.sh [seconds per target, default 20] [target ...]
# Environment: FUZZ_BUILD_DIR (default <repo>/build-fuzz), FUZZ_JOBS (build jobs, default 2).
# Each target starts from tests/fuzz/corpus/<target>/ (read only) and keeps what it finds in
# <build>/corpus/<target>/; a crash leaves crash-* / leak-* files in <build>/artifacts/ and makes
# the script exit non-zero after reporting the target and the input. Inputs that once failed are
# kept in tests/fuzz/regressions/<target>/ and replayed first.
set -uo pipefail
seconds=${1:-20}
shift || true
src=$(cd "$(dirname "$0")/.." && pwd)
build=${FUZZ_BUILD_DIR:-$src/build-fuzz}
CC=${FUZZ_CC:-clang}
CXX=${FUZZ_CXX:-clang++}
command -v "$CXX" > /dev/null || { echo "fuzz: $CXX not found (apt-get install clang libclang-rt-14-dev)"; exit 77; }

mkdir -p "$build"
cmake -S "$src/tests/fuzz" -B "$build" -DCMAKE_C_COMPILER="$CC" -DCMAKE_CXX_COMPILER="$CXX" \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo > "$build/configure.log" 2>&1 ||
    { cat "$build/configure.log"; echo "fuzz: configure failed"; exit 1; }
cmake --build "$build" -j "${FUZZ_JOBS:-2}" > "$build/build.log" 2>&1 ||
    { tail -50 "$build/build.log"; echo "fuzz: build failed"; exit 1; }

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    targets=(fuzz_config fuzz_duration fuzz_size fuzz_job_history fuzz_naming fuzz_checkpoint_file
             fuzz_rank_image)
fi
# HDF5 trusts sizes read from a damaged file and may ask for gigabytes: such a malloc returns NULL
# (HDF5 then reports an error) instead of ending the run as an out-of-memory finding.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:abort_on_error=1:allocator_may_return_null=1:max_allocation_size_mb=2048}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
export HDF5_USE_FILE_LOCKING=FALSE
mkdir -p "$build/artifacts"
status=0
for t in "${targets[@]}"; do
    corpus=$build/corpus/$t
    mkdir -p "$corpus"
    log=$build/$t.log
    regress=("$src/tests/fuzz/regressions/$t"/*)
    if [ -e "${regress[0]}" ]; then
        echo "fuzz: $t: replaying ${#regress[@]} saved finding(s) from tests/fuzz/regressions/$t"
        if ! "$build/$t" "${regress[@]}" > "$build/$t.regress.log" 2>&1; then
            status=1
            echo "fuzz: $t FAILED on a saved finding; the end of $build/$t.regress.log:"
            grep -E 'Running:|SUMMARY|runtime error|ERROR' "$build/$t.regress.log" | head -n 20
            continue
        fi
    fi
    # FUZZ_RUNS/FUZZ_SEED make a run repeatable (CI); FUZZ_REPLAY_ONLY lists targets that only
    # replay their seed corpus (the HDF5-file target: random files crash HDF5 1.10 itself, see
    # docs/developer.md).
    limit=(-max_total_time="$seconds")
    [ -n "${FUZZ_RUNS:-}" ] && limit=(-runs="$FUZZ_RUNS")
    [ -n "${FUZZ_SEED:-}" ] && limit+=(-seed="$FUZZ_SEED")
    case " ${FUZZ_REPLAY_ONLY:-} " in *" $t "*) limit=(-runs=0) ;; esac
    echo "fuzz: $t ${limit[*]}"
    if "$build/$t" "${limit[@]}" -timeout=10 -rss_limit_mb=4096 -malloc_limit_mb=65536 -max_len=65536 \
        -print_final_stats=1 -artifact_prefix="$build/artifacts/$t-" \
        "$corpus" "$src/tests/fuzz/corpus/$t" > "$log" 2>&1; then
        grep -E '^stat::number_of_executed_units|^#[0-9]+ *DONE' "$log" | tail -n 2 | sed 's/^/  /'
    else
        status=1
        echo "fuzz: $t FAILED; the end of $log:"
        tail -n 60 "$log"
        ls -l "$build/artifacts/$t-"* 2>/dev/null
    fi
done
[ $status -eq 0 ] && echo "fuzz: all ${#targets[@]} targets ran without a finding"
exit $status
