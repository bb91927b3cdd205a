#!/usr/bin/env bash
# The CI command: installs missing dependencies, builds and runs every test once.
#
# Default (SANITIZE=1): the tests run in an AddressSanitizer + UndefinedBehaviorSanitizer build
# (build-asan/, scripts/test-sanitize.sh); the tests that cannot or need not run there (label
# nosan, each with its reason beside it and in docs/developer.md: the Slurm tests, fuzzing, the
# benchmark drivers, packaging, the random kills) run in the normal RelWithDebInfo build (build/),
# in the background while build-asan/ is compiled and tested. build/ then holds only what those
# tests use: the library, the tool and the applications (target cairn_programs); the test
# programs are compiled in build-asan/ only. SANITIZE=0 builds everything in build/ and runs the
# whole suite there (quicker, no sanitizers).
# Why each test runs once (docs/developer.md "CI time budget"): on 2 cores, the normal suite plus
# the sanitized suite took 25.8 min; most MPI tests spin (sched_yield) while they wait, so running
# more of them at once did not make the suite faster.
# MPI tests declare how many ranks they use (PROCESSORS), so ctest's -j counts ranks, not tests.
# Each phase prints its wall and CPU time (user + sys of its processes).
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
t0=$SECONDS
TIMEFORMAT='test.sh: phase took %R s wall, %U s user + %S s sys CPU'

time bash scripts/install-deps.sh || { echo "test.sh: FAILED to install dependencies"; exit 1; }
if [ "${SANITIZE:-1}" = 0 ]; then
    time bash scripts/build.sh || { echo "test.sh: FAILED to build"; exit 1; }
    echo "test.sh: running every test in build/ (SANITIZE=0: no sanitizer build)"
    time (cd build && ctest --output-on-failure -j2)
    rc=$?
    if [ $rc -eq 0 ]; then echo "test.sh: all tests passed"; else
        echo "test.sh: FAILED (ctest exit status $rc); failed tests are listed above"
        echo "test.sh: rerun one with: (cd build && ctest --output-on-failure -R <name>)"
    fi
    echo "test.sh: total $((SECONDS - t0)) s (load average: $(cut -d' ' -f1-3 /proc/loadavg))"
    exit $rc
fi

# build/ gets the library, the tool and the applications (target cairn_programs), which the nosan
# tests use; the test programs are built and run in build-asan/ only.
time BUILD_TARGET=cairn_programs bash scripts/build.sh || { echo "test.sh: FAILED to build"; exit 1; }

# In build/, in the background: the Slurm tests (each starts its own local cluster on its own
# ports; they mostly wait for their jobs) and the other nosan tests. Logs are printed at the end.
echo "test.sh: starting the nosan tests in build/ in the background (build/slurm-tests.log," \
     "build/nosan-tests.log)"
bg_start=$SECONDS
(cd build && ctest --output-on-failure -j4 -L slurm > slurm-tests.log 2>&1) &
slurm_pid=$!
(cd build && ctest --output-on-failure -j2 -L nosan -LE slurm > nosan-tests.log 2>&1) &
nosan_pid=$!

echo "test.sh: sanitizer build and every other test under ASan + UBSan (build-asan/)"
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

bg_rc=0
for part in nosan slurm; do
    pid_var=${part}_pid
    wait "${!pid_var}"
    rc=$?
    echo "--- $part tests in build/ (started at +$((bg_start - t0)) s, all done by +$((SECONDS - t0)) s)"
    cat "build/$part-tests.log"
    if [ $rc -eq 0 ]; then
        echo "test.sh: $part tests in build/ passed"
    else
        bg_rc=$rc
        echo "test.sh: $part tests in build/ FAILED (ctest exit status $rc)"
        echo "test.sh: rerun one with: (cd build && ctest --output-on-failure -R <name>)"
    fi
done
echo "test.sh: total $((SECONDS - t0)) s (load average: $(cut -d' ' -f1-3 /proc/loadavg))"
times
[ $san_rc -eq 0 ] && [ $bg_rc -eq 0 ]
