#!/usr/bin/env bash
# Install test: installs the build tree into a scratch prefix, builds the consumer project in
# tests/install against it with find_package(cairn), and runs each consumer twice on 2 ranks
# (checkpoint, then restore).
# usage: install_test.sh <cmake>     (env: TEST_BUILD_DIR, TEST_SOURCE_DIR, MPIEXEC)
set -uo pipefail
CMAKE=${1:-cmake}
: "${TEST_BUILD_DIR:?}" "${TEST_SOURCE_DIR:?}"
source "$TEST_SOURCE_DIR/tests/e2e/heat_common.sh"
work=$PWD/install_test
rm -rf "$work" && mkdir -p "$work" && cd "$work" || fail "cannot use $work"

echo "== cmake --install into $work/prefix"
"$CMAKE" --install "$TEST_BUILD_DIR" --prefix "$work/prefix" > install.log 2>&1 ||
    { cat install.log; fail "cmake --install failed"; }
grep -E 'cairnConfig.cmake|libcairn|cairn.hpp|cairn.h$|cairn.mod|cairn.f90' install.log

echo "== configure and build the consumer"
"$CMAKE" -S "$TEST_SOURCE_DIR/tests/install" -B build -DCMAKE_PREFIX_PATH="$work/prefix" \
    > configure.log 2>&1 || { cat configure.log; fail "consumer configure failed"; }
grep 'consumer:' configure.log
"$CMAKE" --build build -j 2 > build.log 2>&1 || { cat build.log; fail "consumer build failed"; }
# The consumer must use the installed library, not the build tree's.
ldd build/consumer_cxx | grep libcairn
ldd build/consumer_cxx | grep -q "$work/prefix" || fail "consumer_cxx is not linked to the installed libcairn"

programs=(consumer_cxx consumer_c)
[ -x build/consumer_f ] && programs+=(consumer_f)
for p in "${programs[@]}"; do
    for run in checkpoint restore; do
        echo "== $p ($run)"
        CAIRN_DIR=$work/ckpt-$p CAIRN_INTERVAL=off "$MPIEXEC" -n 2 "build/$p" > "$p.$run.log" 2>&1 ||
            { cat "$p.$run.log"; fail "$p ($run run) failed"; }
        cat "$p.$run.log"
    done
    grep -q "restored" "$p.restore.log" || fail "$p did not restore in its second run"
done
echo "PASS: installed package consumed by ${programs[*]}"
