#!/usr/bin/env bash
# Build cairn with AddressSanitizer and UndefinedBehaviorSanitizer (Debug) in build-asan and run
# the unit and MPI tests. Leak detection is off: Open MPI leaks by design.
# usage: scripts/test-sanitize.sh [extra ctest arguments]
# Environment: ASAN_BUILD_DIR (default <repo>/build-asan), JOBS (default 2).
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
build=${ASAN_BUILD_DIR:-$src/build-asan}
jobs=${JOBS:-2}
flags="-fsanitize=address,undefined -fno-omit-frame-pointer"
start=$SECONDS

cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=Debug \
    -DCMAKE_C_FLAGS="$flags" -DCMAKE_CXX_FLAGS="$flags" -DCMAKE_Fortran_FLAGS="$flags" \
    -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" \
    -DCMAKE_SHARED_LINKER_FLAGS="-fsanitize=address,undefined"
cmake --build "$build" -j "$jobs"
built=$SECONDS

# verify_asan_link_order=0: the wrapper-transparency tests LD_PRELOAD libcairn.so into a program.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:verify_asan_link_order=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
cd "$build"
rc=0
ctest -L "unit|mpi" -j "$jobs" --output-on-failure "$@" || rc=$?
echo "test-sanitize: build $((built - start)) s, tests $((SECONDS - built)) s, exit $rc"
exit $rc
