# Shared helpers for the heat end-to-end tests (sourced, not run).

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

# final_checksum LOG: the 16-hex-digit checksum of the 'heat: final checksum' line, or "".
final_checksum() {
    sed -n 's/^heat: final checksum \([0-9a-f]\{16\}\) .*/\1/p' "$1" | tail -n 1
}

# committed_checkpoints DIR: committed checkpoint files (ckpt.<epoch>.h5), oldest first.
committed_checkpoints() {
    find "$1" -maxdepth 1 -type f -regex '.*/ckpt\.[0-9]+\.h5' 2>/dev/null | sort -t. -k2,2n
}

# rank_pid MPIRUN_PID RANK: PID of the given rank among mpirun's children (any child if the
# rank cannot be read from the environment).
rank_pid() {
    local child any=""
    for child in $(pgrep -P "$1"); do
        any=$child
        if tr '\0' '\n' < "/proc/$child/environ" 2>/dev/null |
            grep -qx "OMPI_COMM_WORLD_RANK=$2"; then
            echo "$child"
            return
        fi
    done
    echo "$any"
}

# kill_rank_and_wait MPIRUN_PID RANK LOG RESULT_FN: SIGKILLs that rank of the job under mpirun,
# waits for mpirun and prints LOG; fails unless mpirun exited non-zero and LOG shows no final
# result (RESULT_FN LOG prints it, e.g. final_checksum). Sets rc to mpirun's exit status.
kill_rank_and_wait() {
    local mpirun_pid=$1 rank=$2 log=$3 result_fn=$4 victim
    victim=$(rank_pid "$mpirun_pid" "$rank")
    [ -n "$victim" ] || { cat "$log"; fail "no rank process found under mpirun $mpirun_pid"; }
    echo "killing rank $rank (pid $victim)"
    kill -9 "$victim"
    rc=0
    wait "$mpirun_pid" || rc=$?
    cat "$log"
    [ "$rc" -ne 0 ] || fail "mpirun exited 0 although a rank was killed"
    [ -z "$("$result_fn" "$log")" ] || fail "the job finished before the kill; nothing tested"
}

# pids_with_env NAME VAR=VALUE...: PIDs of processes called NAME whose environment has every
# VAR=VALUE (e.g. the ranks of one Slurm job on one simulated node).
pids_with_env() {
    local name=$1 pid kv ok
    shift
    for pid in $(pgrep -x "$name"); do
        ok=1
        for kv in "$@"; do
            tr '\0' '\n' < "/proc/$pid/environ" 2>/dev/null | grep -x -- "$kv" > /dev/null || { ok=0; break; }
        done
        [ "$ok" = 1 ] && echo "$pid"
    done
    return 0
}
