#!/usr/bin/env bash
# Install missing dependencies, build into build/ and run the whole test suite with ctest, then
# build with AddressSanitizer + UndefinedBehaviorSanitizer into build-asan/ and run the suite
# again there (scripts/test-sanitize.sh; tests labelled nosan are left out, each for a reason
# given in docs/developer.md). Off by default (SANITIZE=1 turns it on): with it the suite does not fit the 20-minute CI budget on 2 cores.
# MPI tests declare how many ranks they use (PROCESSORS), so -j2 counts ranks, not tests.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
t0=$SECONDS

bash scripts/install-deps.sh || { echo "test.sh: FAILED to install dependencies"; exit 1; }
bash scripts/build.sh || { echo "test.sh: FAILED to build"; exit 1; }

echo "test.sh: running tests"
start=$SECONDS
(cd build && ctest --output-on-failure -j2)
rc=$?
normal=$((SECONDS - start))
echo
if [ $rc -eq 0 ]; then
    echo "test.sh: all tests passed ($normal s)"
else
    echo "test.sh: FAILED (ctest exit status $rc, $normal s); failed tests are listed above"
    echo "test.sh: rerun one with: (cd build && ctest --output-on-failure -R <name>)"
fi

san_rc=0
if [ "${SANITIZE:-0}" != 0 ]; then
    echo "test.sh: sanitizer suite (ASan + UBSan, build-asan/)"
    start=$SECONDS
    bash scripts/test-sanitize.sh
    san_rc=$?
    if [ $san_rc -eq 0 ]; then
        echo "test.sh: sanitizer suite passed ($((SECONDS - start)) s)"
    else
        echo "test.sh: sanitizer suite FAILED (exit status $san_rc, $((SECONDS - start)) s)"
        echo "test.sh: rerun one with: (cd build-asan && ctest --output-on-failure -R <name>)" \
             "with the ASAN/LSAN/UBSAN_OPTIONS of scripts/test-sanitize.sh"
    fi
fi
echo "test.sh: total $((SECONDS - t0)) s (load average: $(cut -d' ' -f1-3 /proc/loadavg))"
[ $rc -eq 0 ] && [ $san_rc -eq 0 ]
