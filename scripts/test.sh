#!/usr/bin/env bash
# The CI command. Installs missing dependencies, builds into build/ and runs the whole test suite
# with ctest, then builds with AddressSanitizer + UndefinedBehaviorSanitizer into build-asan/ and
# runs the suite again there (scripts/test-sanitize.sh; tests labelled nosan are left out, each
# for a reason given in docs/developer.md). SANITIZE=0 skips the sanitizer part.
# Scheduling (docs/developer.md "CI time budget"): the Slurm tests (label slurm) mostly wait for
# their jobs, so they run in the background from build/ while the sanitizer tree is built; the
# other tests run with -j6 (TEST_JOBS): MPI tests declare how many ranks they use (PROCESSORS), so
# the slots count ranks, not tests, and most tests wait (sleeps, polls, mpirun start-up) more than
# they compute: with -j2 a 2-core machine was mostly idle (the sum of the test times equalled the
# wall time of the suite). Each phase prints its wall and CPU time (user + sys of its processes).
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
t0=$SECONDS
TIMEFORMAT='test.sh: phase took %R s wall, %U s user + %S s sys CPU'

time bash scripts/install-deps.sh || { echo "test.sh: FAILED to install dependencies"; exit 1; }
time bash scripts/build.sh || { echo "test.sh: FAILED to build"; exit 1; }

echo "test.sh: running tests (all but label slurm)"
start=$SECONDS
time (cd build && ctest --output-on-failure -j "${TEST_JOBS:-6}" -LE slurm)
rc=$?
normal=$((SECONDS - start))
echo
if [ $rc -eq 0 ]; then
    echo "test.sh: all tests but the Slurm ones passed ($normal s)"
else
    echo "test.sh: FAILED (ctest exit status $rc, $normal s); failed tests are listed above"
    echo "test.sh: rerun one with: (cd build && ctest --output-on-failure -R <name>)"
fi

# The Slurm tests in the background (each starts its own local cluster on its own ports). Their
# ctest log goes to build/slurm-tests.log and is printed when they end.
echo "test.sh: starting the Slurm tests in the background (build/slurm-tests.log)"
slurm_start=$SECONDS
(cd build && ctest --output-on-failure -j4 -L slurm > slurm-tests.log 2>&1) &
slurm_pid=$!

san_rc=0
if [ "${SANITIZE:-1}" != 0 ]; then
    echo "test.sh: sanitizer suite (ASan + UBSan, build-asan/)"
    start=$SECONDS
    time bash scripts/test-sanitize.sh
    san_rc=$?
    if [ $san_rc -eq 0 ]; then
        echo "test.sh: sanitizer suite passed ($((SECONDS - start)) s)"
    else
        echo "test.sh: sanitizer suite FAILED (exit status $san_rc, $((SECONDS - start)) s)"
        echo "test.sh: rerun one with: (cd build-asan && ctest --output-on-failure -R <name>)" \
             "with the ASAN/LSAN/UBSAN_OPTIONS of scripts/test-sanitize.sh"
    fi
fi

wait "$slurm_pid"
slurm_rc=$?
echo "--- Slurm tests (started at +$((slurm_start - t0)) s, ended at +$((SECONDS - t0)) s)"
cat build/slurm-tests.log
if [ $slurm_rc -eq 0 ]; then
    echo "test.sh: Slurm tests passed"
else
    echo "test.sh: Slurm tests FAILED (ctest exit status $slurm_rc)"
    echo "test.sh: rerun with: (cd build && ctest --output-on-failure -L slurm)"
fi
echo "test.sh: total $((SECONDS - t0)) s (load average: $(cut -d' ' -f1-3 /proc/loadavg))"
times
[ $rc -eq 0 ] && [ $san_rc -eq 0 ] && [ $slurm_rc -eq 0 ]
