# Shared helpers for the cairn tool end-to-end tests (sourced, not run).

# The cairn runtime rejects unknown CAIRN_* variables; start every test from a clean slate.
for var in $(compgen -e); do
    case "$var" in CAIRN_*) unset "$var" ;; esac
done
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_rmaps_base_oversubscribe=1 OMPI_MCA_mpi_yield_when_idle=1
export HDF5_USE_FILE_LOCKING=FALSE
MPIEXEC=${MPIEXEC:-mpiexec}

fail() {
    echo "FAIL: $*"
    exit 1
}

pass() {
    echo "ok: $*"
}

# expect_status WANT CMD...: runs CMD (output to out.log/err.log) and checks its exit status.
expect_status() {
    local want=$1 got
    shift
    "$@" > out.log 2> err.log
    got=$?
    if [ "$got" != "$want" ]; then
        echo "--- stdout"; cat out.log; echo "--- stderr"; cat err.log
        fail "exit status $got, expected $want: $*"
    fi
}

# expect_in FILE TEXT: FILE contains TEXT (fixed string).
expect_in() {
    grep -qF -- "$2" "$1" || { echo "--- $1"; cat "$1"; fail "'$2' not found in $1"; }
}

# final_checksum LOG: the checksum of the 'heat: final checksum' line, or "".
final_checksum() {
    sed -n 's/^heat: final checksum \([0-9a-f]\{16\}\) .*/\1/p' "$1" | tail -n 1
}
