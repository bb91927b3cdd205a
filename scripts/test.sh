#!/usr/bin/env bash
# Install missing dependencies, build into build/ and run the whole test suite with ctest.
# MPI tests declare how many ranks they use (PROCESSORS), so -j2 counts ranks, not tests.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

bash scripts/install-deps.sh || { echo "test.sh: FAILED to install dependencies"; exit 1; }
bash scripts/build.sh || { echo "test.sh: FAILED to build"; exit 1; }

echo "test.sh: running tests"
start=$SECONDS
(cd build && ctest --output-on-failure -j2)
rc=$?
echo
if [ $rc -eq 0 ]; then
    echo "test.sh: all tests passed ($((SECONDS - start)) s)"
else
    echo "test.sh: FAILED (ctest exit status $rc, $((SECONDS - start)) s); failed tests are listed above"
    echo "test.sh: rerun one with: (cd build && ctest --output-on-failure -R <name>)"
fi
exit $rc
