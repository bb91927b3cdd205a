#!/usr/bin/env bash
# A real local Slurm: `cairn submit` the heat demo with a 2-minute limit and SIGUSR1 60 s before
# it; the batch script forwards the signal, heat checkpoints (to the shared checkpoint directory)
# and exits, the job requeues itself, resumes from the checkpoint and finishes with the checksum
# of an uninterrupted run. NODES=1: one node, 2 ranks; NODES=2: two simulated Slurm nodes on this
# host, 4 ranks spread over both (cairn submit -N 2 --simulated-nodes).
# Exits 77 (skipped) when Slurm is not installed or the test is not run as root.
# usage: slurm_requeue.sh CAIRN_EXE HEAT_EXE SLURM_LOCAL_SCRIPT [NODES]
set -u
source "$(dirname "$0")/cairn_tool_common.sh"
cairn=$1
heat=$2
slurm_local=$3
nodes=${4:-1}

if [ ! -x /usr/sbin/slurmctld ] || [ ! -x /usr/sbin/slurmd ] || [ ! -x /usr/sbin/munged ]; then
    echo "SKIP: Slurm is not installed (scripts/install-deps.sh installs slurmctld, slurmd, munge)"
    exit 77
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "SKIP: the local Slurm cluster needs root"
    exit 77
fi

cluster=$PWD/cluster
if [ "$nodes" = 1 ]; then
    ranks=2 submit_nodes=() tier=()
    export SLURM_LOCAL_CTLD_PORT=${SLURM_LOCAL_CTLD_PORT:-16817}
    export SLURM_LOCAL_SLURMD_PORT=${SLURM_LOCAL_SLURMD_PORT:-16818}
else
    # Node-local tier with partner copies and no flush but the time-limit checkpoint's: the
    # SIGUSR1 checkpoint must reach the shared directory.
    ranks=$((2 * nodes)) submit_nodes=(--nodes "$nodes" --simulated-nodes)
    tier=(CAIRN_LOCAL_DIR="$PWD/job/local" CAIRN_PARTNER=1 CAIRN_FLUSH=end)
    export SLURM_LOCAL_CTLD_PORT=${SLURM_LOCAL_CTLD_PORT:-16827}
    export SLURM_LOCAL_SLURMD_PORT=${SLURM_LOCAL_SLURMD_PORT:-16828}
fi
"$slurm_local" stop "$cluster" > /dev/null 2>&1 || true
rm -rf "$cluster" job ref
mkdir -p job
export SLURM_CONF=$cluster/slurm.conf
cleanup() {
    if [ -n "${job_id:-}" ]; then scancel "$job_id" 2> /dev/null || true; sleep 1; fi
    "$slurm_local" stop "$cluster" || true
}
trap cleanup EXIT
"$slurm_local" start "$cluster" "$nodes" || fail "cannot start the local Slurm cluster"

heat_args=(--nx 64 --ny 64 --steps 1400 --print-every 200)
CAIRN_DIR=ref CAIRN_INTERVAL=off "$MPIEXEC" -n "$ranks" "$heat" "${heat_args[@]}" --sleep-ms 0 > ref.log 2>&1 ||
    { cat ref.log; fail "reference run failed"; }
ref=$(final_checksum ref.log)
[ -n "$ref" ] || fail "no checksum in the reference run"
pass "reference checksum $ref"

# 1400 steps x 50 ms = 70 s of work: longer than the first SIGUSR1 (which Slurm sends 60-90 s
# before the 2-minute limit), short enough to finish after one requeue.
out=$PWD/job/job.out
env CAIRN_INTERVAL=off "${tier[@]}" "$cairn" submit "${submit_nodes[@]}" --ntasks "$ranks" --time 2 --signal-before 60 --max-restarts 2 \
    --checkpoint-dir job/ck --output "$out" --job-name cairn-requeue-test -- \
    "$heat" "${heat_args[@]}" --sleep-ms 50 > submit.log 2>&1 || { cat submit.log; fail "cairn submit failed"; }
cat submit.log
job_id=$(sed -n 's/^Submitted batch job \([0-9]*\).*/\1/p' submit.log)
[ -n "$job_id" ] || fail "no job id from sbatch"

deadline=$((SECONDS + 270))
seen_nodes=""
while [ $SECONDS -lt $deadline ]; do
    if [ -f "$out" ] && grep -q "^cairn-job: finished\|giving up" "$out"; then break; fi
    # Where the ranks run: each simulated node's ranks see SLURMD_NODENAME=n<i>.
    for i in $(seq "$nodes"); do
        [ "$nodes" -gt 1 ] && [ -n "$(pids_with_env "$(basename "$heat")" "SLURM_JOB_ID=$job_id" "SLURMD_NODENAME=n$i")" ] &&
            [[ " $seen_nodes " != *" n$i "* ]] && seen_nodes="$seen_nodes n$i"
    done
    sleep 2
done
echo "--- job output"; cat "$out" 2>/dev/null
echo "--- history"; cat job/ck/history 2>/dev/null
[ -f "$out" ] && grep -q "^cairn-job: finished" "$out" || fail "job $job_id did not finish within the bounded wait"
job_id=

expect_in "$out" "cairn-job: SIGUSR1 (time limit near): forwarding to mpirun"
expect_in "$out" "cairn: checkpoint 1 committed"
expect_in "$out" "requeueing job"
expect_in "$out" "SLURM_RESTART_COUNT=1"
expect_in "$out" "heat: restarted from epoch"
if [ "$nodes" -gt 1 ]; then
    expect_in "$out" "nodes n[1-$nodes]"
    [ "$(grep -c "nodes n\[1-$nodes\]" "$out")" -ge 2 ] || fail "the requeued run did not run on all $nodes nodes"
    [ "$(wc -w <<< "$seen_nodes")" = "$nodes" ] || fail "heat ranks seen only on:$seen_nodes (want $nodes nodes)"
    pass "heat ranks ran on the simulated nodes:$seen_nodes"
    # Every time-limit checkpoint was flushed to the shared directory; the restart preferred the
    # node-local copies.
    stopped=$(sed -n 's/^heat: checkpointed at step [0-9]* (epoch \([0-9]*\)).*/\1/p' "$out" | tail -n 1)
    [ -n "$stopped" ] || fail "no time-limit checkpoint"
    [ -f "job/ck/$(printf 'ckpt.%06d.h5' "$stopped")" ] ||
        { ls job/ck; fail "the time-limit checkpoint $stopped is not in the shared directory"; }
    expect_in "$out" "restored checkpoint $stopped from the node-local tier: $ranks rank(s) from local copies"
    pass "time-limit checkpoint $stopped flushed to the shared directory, restart from the local tier"
fi
[ -n "$(committed_checkpoints job/ck)" ] || fail "no checkpoint in the shared directory job/ck"
got=$(final_checksum "$out")
[ "$got" = "$ref" ] || fail "checksum after the requeue $got differs from the uninterrupted run $ref"
grep -q 'cause=timeout' job/ck/history || fail "the time-limit stop is not in the job history"
grep -q 'cause=ok' job/ck/history || fail "the finishing run is not in the job history"
pass "checkpoint on SIGUSR1, requeue, resume, same checksum"
echo "PASS"
