#!/usr/bin/env bash
# Install test: installs the build tree into a scratch prefix, runs the installed `cairn --help`
# with a clean environment (no LD_LIBRARY_PATH: the install RPATH must find libcairn), builds the
# consumer project in tests/install against the prefix with find_package(cairn), and runs each
# consumer twice on 2 ranks (checkpoint, then restore), also with a clean environment. Then builds
# the same consumers with make, the MPI compiler wrappers and pkg-config (cairn.pc,
# cairn-fortran.pc), C++ as -std=c++17, and runs them the same way.
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

# clean_env CMD...: runs CMD with only what a fresh login would have (no LD_LIBRARY_PATH, no
# CAIRN_*), plus the variables that let Open MPI run as root in a container.
clean_env() {
    env -i PATH=/usr/local/bin:/usr/bin:/bin HOME="$work" HDF5_USE_FILE_LOCKING=FALSE \
        OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 \
        OMPI_MCA_rmaps_base_oversubscribe=1 OMPI_MCA_mpi_yield_when_idle=1 "$@"
}

echo "== installed cairn --help (clean environment)"
readelf -d "$work/prefix/bin/cairn" | grep -E 'RPATH|RUNPATH' ||
    fail "the installed cairn has no RPATH/RUNPATH"
clean_env "$work/prefix/bin/cairn" --help > cli_help.log 2>&1 ||
    { cat cli_help.log; fail "the installed cairn --help failed in a clean environment"; }
head -n 3 cli_help.log
grep -q 'inspect' cli_help.log || fail "the installed cairn --help printed no command list"
# cairn run --help and docs/tools.md name the same forwarded signals.
clean_env "$work/prefix/bin/cairn" run --help > run_help.log 2>&1 || { cat run_help.log; fail "cairn run --help failed"; }
for sig in SIGINT SIGTERM SIGHUP SIGUSR1; do
    grep -q "$sig" run_help.log || fail "cairn run --help does not name $sig"
    grep -q "$sig" "$TEST_SOURCE_DIR/docs/tools.md" || fail "docs/tools.md does not name $sig"
done

echo "== configure and build the consumer"
"$CMAKE" -S "$TEST_SOURCE_DIR/tests/install" -B build -DCMAKE_PREFIX_PATH="$work/prefix" \
    > configure.log 2>&1 || { cat configure.log; fail "consumer configure failed"; }
grep 'consumer:' configure.log
"$CMAKE" --build build -j 2 > build.log 2>&1 || { cat build.log; fail "consumer build failed"; }
# The consumer must use the installed library, not the build tree's. (`grep` reads all of ldd's
# output: `grep -q` may exit first, and under pipefail ldd's SIGPIPE would then fail the check.)
ldd build/consumer_cxx | grep libcairn
ldd build/consumer_cxx | grep "$work/prefix" > /dev/null || fail "consumer_cxx is not linked to the installed libcairn"

# run_twice DIR PROGRAM: runs DIR/PROGRAM on 2 ranks twice (checkpoint, then restore).
run_twice() {
    local p=$2 run
    for run in checkpoint restore; do
        echo "== $p ($run)"
        clean_env CAIRN_DIR="$work/ckpt-$p" CAIRN_INTERVAL=off "$MPIEXEC" -n 2 "$1/$p" \
            > "$p.$run.log" 2>&1 ||
            { cat "$p.$run.log"; fail "$p ($run run) failed"; }
        cat "$p.$run.log"
    done
    grep -q "restored" "$p.restore.log" || fail "$p did not restore in its second run"
}

programs=(consumer_cxx consumer_c)
[ -x build/consumer_f ] && programs+=(consumer_f)
for p in "${programs[@]}"; do run_twice build "$p"; done

echo "== pkg-config and make"
pcdir=$(dirname "$(find "$work/prefix" -name cairn.pc | head -n 1)")
[ -f "$pcdir/cairn.pc" ] || fail "no cairn.pc installed"
export PKG_CONFIG_PATH=$pcdir
pkg-config --modversion cairn || fail "pkg-config does not find cairn"
echo "cflags: $(pkg-config --cflags cairn)"
echo "libs:   $(pkg-config --libs cairn)"
mk_programs=(mk_consumer_cxx mk_consumer_c)
if [ -f "$pcdir/cairn-fortran.pc" ] && command -v mpifort > /dev/null; then
    mk_programs+=(mk_consumer_f)
fi
mkdir -p make && make -C make -f "$TEST_SOURCE_DIR/tests/install/Makefile" \
    SRC="$TEST_SOURCE_DIR/tests/install" "${mk_programs[@]}" > make.log 2>&1 ||
    { cat make.log; fail "the make build against pkg-config failed"; }
cat make.log
ldd make/mk_consumer_cxx | grep "$work/prefix" > /dev/null ||
    fail "mk_consumer_cxx is not linked to the installed libcairn"
for p in "${mk_programs[@]}"; do run_twice make "$p"; done
echo "PASS: installed package consumed by ${programs[*]} (CMake) and ${mk_programs[*]} (make)"
