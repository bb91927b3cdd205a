#!/usr/bin/env bash
# Build cairn with AddressSanitizer and UndefinedBehaviorSanitizer in build-asan and run the test
# suite there: every test except those labelled nosan (see docs/developer.md for each reason).
# usage: scripts/test-sanitize.sh [extra ctest arguments]
# Environment: ASAN_BUILD_DIR (default <repo>/build-asan), JOBS (build jobs, default: number of
# cores), TEST_JOBS (ctest slots, default: number of cores).
set -uo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
build=${ASAN_BUILD_DIR:-$src/build-asan}
jobs=${JOBS:-$(nproc)}
# ctest slots (PROCESSORS = ranks). More slots than cores did not shorten the suite: waiting MPI
# ranks spin (sched_yield), so tests running side by side share the CPU rather than idle time.
test_jobs=${TEST_JOBS:-$(nproc)}
# -O1: several times faster than -O0 under ASan and still exact reports; no recovery from UB.
# -g1: line tables only, enough for symbolized file:line in every report, cheaper to compile.
flags="-O1 -g1 -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
start=$SECONDS

echo "test-sanitize: configuring and building into $build"
mkdir -p "$build" || exit 1
cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=None \
    -DCMAKE_C_FLAGS="$flags" -DCMAKE_CXX_FLAGS="$flags" -DCMAKE_Fortran_FLAGS="$flags" \
    -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" \
    -DCMAKE_SHARED_LINKER_FLAGS="-fsanitize=address,undefined" \
    -DCAIRN_BUILD_BENCH=OFF -DCAIRN_PYTHON=OFF -DCAIRN_CATCH_MAIN_OPTIONS="-O0;-g0;-fno-sanitize=all" \
    -DCAIRN_TEST_TIMEOUT_FACTOR=4 > "$build/sanitize-configure.log" 2>&1 ||
    { cat "$build/sanitize-configure.log"; echo "test-sanitize: FAILED to configure"; exit 1; }
TIMEFORMAT='test-sanitize: build took %R s wall, %U s user + %S s sys CPU'
time cmake --build "$build" -j "$jobs" > "$build/sanitize-build.log" 2>&1 ||
    { tail -n 60 "$build/sanitize-build.log"; echo "test-sanitize: FAILED to build (log: $build/sanitize-build.log)"; exit 1; }
built=$SECONDS

# Leak detection only for the unit tests (no MPI_Init): Open MPI loads its components with
# dlopen and unloads them at MPI_Finalize, so the allocations it keeps until exit are reported
# with "<unknown module>" frames that no suppression by library name can match, and suppressing
# unknown frames would hide ours too. So LeakSanitizer runs where MPI is not initialised.
# verify_asan_link_order=0: the wrapper-transparency tests LD_PRELOAD libcairn.so into a program.
asan_common=verify_asan_link_order=0:detect_stack_use_after_return=0
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
cd "$build" || exit 1
rc=0
TIMEFORMAT='test-sanitize: tests took %R s wall, %U s user + %S s sys CPU'
time {
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:$asan_common} \
    ctest -L unit -j "$test_jobs" --output-on-failure "$@" || rc=$?
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:$asan_common} \
    ctest -LE "nosan|unit" -j "$test_jobs" --output-on-failure "$@" || rc=$?
}
echo "test-sanitize: build $((built - start)) s, tests $((SECONDS - built)) s, exit $rc"
exit $rc
