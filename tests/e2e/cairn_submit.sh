#!/usr/bin/env bash
# cairn submit --dry-run: the batch script has the expected #SBATCH lines, trap and requeue logic,
# and is valid bash; multi-node options; --script-out writes it; usage errors exit with status 2.
# usage: cairn_submit.sh CAIRN_EXE
set -u
source "$(dirname "$0")/cairn_tool_common.sh"
cairn=$1

expect_status 0 "$cairn" submit --dry-run --nodes 1 --ntasks 4 --time 2 --signal-before 60 \
    --max-restarts 2 --partition debug --job-name heatjob --checkpoint-dir ck --output 'heat-%j.out' \
    --mpirun-args "--bind-to none" -- ./heat --steps 100 --sleep-ms 50
script=out.log
for line in '#!/bin/bash' '#SBATCH --job-name=heatjob' '#SBATCH --nodes=1' '#SBATCH --ntasks=4' \
    '#SBATCH --time=2' '#SBATCH --signal=B:USR1@60' '#SBATCH --open-mode=append' \
    '#SBATCH --requeue' '#SBATCH --output=heat-%j.out' '#SBATCH --partition=debug' \
    'export OMPI_MCA_mpi_yield_when_idle=1' 'max_restarts=2' 'trap on_usr1 USR1' \
    'kill -USR1 "$mpirun_pid"' 'scontrol requeue "$SLURM_JOB_ID"' \
    'mpirun -n 4 --bind-to none ./heat --steps 100 --sleep-ms 50 &'; do
    expect_in "$script" "$line"
done
expect_in "$script" "export CAIRN_DIR=$PWD/ck"
grep -q '{{' "$script" && fail "unfilled placeholder in the script"
bash -n "$script" || fail "the generated script is not valid bash"
pass "dry-run script has the expected lines and is valid bash"

expect_status 0 "$cairn" submit --dry-run --script-out job.sbatch --signal-before 2m -- ./app 'an arg'
[ -x job.sbatch ] || fail "--script-out did not write an executable file"
expect_in job.sbatch '#SBATCH --signal=B:USR1@120'
expect_in job.sbatch "./app 'an arg' &"
expect_in job.sbatch '#SBATCH --job-name=cairn-app'
grep -q -- '--partition' job.sbatch && fail "no partition was asked for"
pass "--script-out, duration for --signal-before, quoting"

# Multi-node: -N, --simulated-nodes (overcommit, TCP between nodes that share one host),
# extra launcher arguments after the simulated-node ones.
expect_status 0 "$cairn" submit --dry-run -N 2 -n 4 --simulated-nodes --mpirun-args "--bind-to none" \
    --checkpoint-dir ck2 -- ./heat --steps 10
for line in '#SBATCH --nodes=2' '#SBATCH --ntasks=4' '#SBATCH --overcommit' '#SBATCH --requeue' \
    'mpirun -n 4 --mca btl self,tcp --bind-to none ./heat --steps 10 &' 'SLURM_JOB_NODELIST'; do
    expect_in out.log "$line"
done
bash -n out.log || fail "the multi-node script is not valid bash"
expect_status 0 "$cairn" submit --dry-run -N 3 -n 6 --overcommit -- ./app
expect_in out.log '#SBATCH --nodes=3'
expect_in out.log '#SBATCH --overcommit'
grep -q -- 'btl' out.log && fail "--overcommit alone must not change the MPI transport"
expect_status 0 "$cairn" submit --dry-run -N 2 -n 2 -- ./app
grep -q -- '--overcommit' out.log && fail "no --overcommit was asked for"
expect_status 2 "$cairn" submit --dry-run -N 0 -- ./app
expect_in err.log "--nodes must be at least 1"
pass "multi-node scripts (-N, --overcommit, --simulated-nodes)"

expect_status 2 "$cairn" submit --dry-run
expect_in err.log "no program given"
expect_status 2 "$cairn" submit --dry-run --time abc -- ./app
expect_in err.log 'invalid Slurm time "abc"'
expect_status 2 "$cairn" submit --dry-run --ntasks 0 -- ./app
expect_status 2 "$cairn" submit --dry-run --signal-before -1 -- ./app
expect_status 0 "$cairn" submit --help
expect_in out.log "usage: cairn submit"
expect_in out.log "--simulated-nodes"
expect_status 1 "$cairn" submit --sbatch ./no-such-sbatch --checkpoint-dir sub -- ./app
expect_in err.log "cannot run ./no-such-sbatch"
pass "usage errors and a missing sbatch"
echo "PASS"
