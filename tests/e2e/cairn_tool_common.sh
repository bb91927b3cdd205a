# Shared helpers for the cairn tool end-to-end tests (sourced, not run).

# Clean CAIRN_* environment, Open MPI settings, fail(), final_checksum() and the other heat helpers.
source "$(dirname "${BASH_SOURCE[0]}")/heat_common.sh"

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

