#!/usr/bin/env bash
# Install test of the Python package: `cmake --install` into a scratch prefix puts cairn/ into
# <prefix>/<CAIRN_PYTHON_INSTALL_DIR>; python3 with that directory on its path imports the
# installed package (not the build tree's), whose extension loads the installed libcairn, and a
# 2-rank job checkpoints and then restores with it.
# usage: install.sh <cmake> <python install dir, relative to the prefix>
set -uo pipefail
CMAKE=${1:?usage: install.sh <cmake> <python install dir>}
PYREL=${2:?usage: install.sh <cmake> <python install dir>}
source "$(dirname "$0")/common.sh"
unset PYTHONPATH  # not the build tree
work=$PWD/python_install
rm -rf "$work" && mkdir -p "$work" && cd "$work" || fail "cannot use $work"

"$CMAKE" --install "$TEST_BUILD_DIR" --prefix "$work/prefix" > install.log 2>&1 ||
    { cat install.log; fail "cmake --install failed"; }
site=$work/prefix/$PYREL
ls "$site/cairn" || fail "no cairn package in $site"
module=$(ls "$site"/cairn/_cairn*.so) || fail "no extension module installed"
ldd "$module" | grep libcairn
ldd "$module" | grep "$work/prefix" > /dev/null || fail "the installed module does not load the installed libcairn"

cat > prog.py <<'PY'
import cairn
from mpi4py import MPI
import numpy as np
assert cairn.__file__.startswith(__import__("sys").argv[1]), cairn.__file__
with cairn.session(MPI.COMM_WORLD, interval="off"):
    x = np.zeros(8)
    cairn.register("x", x)
    if cairn.restore():
        assert np.all(x == MPI.COMM_WORLD.Get_rank() + 1), x
        print("prog.py: restored", flush=True)
    else:
        x[:] = MPI.COMM_WORLD.Get_rank() + 1
        cairn.checkpoint_now()
PY
for run in checkpoint restore; do
    CAIRN_DIR=$work/ckpt PYTHONPATH=$site "$MPIEXEC" -n 2 "$PYTHON" prog.py "$site" > "$run.log" 2>&1 ||
        { cat "$run.log"; fail "$run run with the installed package failed"; }
done
grep -q "prog.py: restored" restore.log || { cat restore.log; fail "the second run did not restore"; }
echo "PASS: installed package at $site imports, checkpoints and restores"
