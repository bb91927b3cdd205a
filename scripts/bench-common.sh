# Shared set-up of the benchmark scripts (sourced, not run): a clean cairn environment and MPI's
# settings for a root run on oversubscribed cores, and a scratch directory.

# bench_environment: unsets every CAIRN_* variable (cairn rejects unknown ones; each run sets
# what it needs), allows mpirun as root with more ranks than cores, ranks yield the core while
# they wait (unless OMPI_MCA_mpi_yield_when_idle is set beforehand), no scheduled checkpoints,
# quiet runtime, two checkpoints kept; MPIEXEC defaults to mpiexec.
bench_environment() {
    local var
    for var in $(compgen -e); do
        case "$var" in CAIRN_*) unset "$var" ;; esac
    done
    export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
    export OMPI_MCA_rmaps_base_oversubscribe=1
    export OMPI_MCA_mpi_yield_when_idle=${OMPI_MCA_mpi_yield_when_idle:-1}
    export HDF5_USE_FILE_LOCKING=FALSE CAIRN_INTERVAL=off CAIRN_VERBOSE=0 CAIRN_KEEP=2
    MPIEXEC=${MPIEXEC:-mpiexec}
}

# bench_scratch NAME: when $scratch is empty, makes a new temporary directory cairn-NAME.XXXXXX
# and sets made_scratch=1 (the caller's cleanup removes it); else made_scratch=0.
bench_scratch() {
    made_scratch=0
    if [ -z "$scratch" ]; then
        scratch=$(mktemp -d "${TMPDIR:-/tmp}/cairn-$1.XXXXXX")
        made_scratch=1
    fi
}
