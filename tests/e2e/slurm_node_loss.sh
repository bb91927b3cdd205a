#!/usr/bin/env bash
# Node loss on a real local Slurm with two simulated nodes (scripts/slurm-local.sh start DIR 2):
# `cairn submit -N 2 -n 4 --simulated-nodes` the heat demo (ranks 0-1 on n1, 2-3 on n2); after
# its second checkpoint a node is lost: its slurmd and every job process on it are killed
# (slurm-local.sh node-kill, which also marks it DOWN as slurmctld would after SlurmdTimeout)
# and its node-local checkpoint directory is deleted. Slurm ends the job and requeues it; the
# node comes back empty (node-start, a replaced node) and the requeued job restarts and ends
# with the checksum of an uninterrupted run.
#   MODE=partner  local tier + partner copies, no flush before the end: n2 is lost, the restart
#                 restores n2's ranks from their partner copies on n1; the shared directory holds
#                 no checkpoint when the job restarts (it is never read).
#   MODE=shared   local tier + partner copies, flush to the shared directory every 2nd
#                 checkpoint: n2 AND its partner n1 are lost (both local directories deleted);
#                 the restart falls back to the shared directory's newest complete checkpoint
#                 and says why.
#   MODE=plain    no local tier (every checkpoint in the shared directory): n2 is lost, the
#                 restart reads the shared directory.
# Exits 77 (skipped) when Slurm is not installed or the test is not run as root.
# usage: slurm_node_loss.sh CAIRN_EXE HEAT_EXE SLURM_LOCAL_SCRIPT MODE
set -u
source "$(dirname "$0")/cairn_tool_common.sh"
cairn=$1
heat=$2
slurm_local=$3
mode=$4

if [ ! -x /usr/sbin/slurmctld ] || [ ! -x /usr/sbin/slurmd ] || [ ! -x /usr/sbin/munged ]; then
    echo "SKIP: Slurm is not installed (scripts/install-deps.sh installs slurmctld, slurmd, munge)"
    exit 77
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "SKIP: the local Slurm cluster needs root"
    exit 77
fi

case "$mode" in
    partner) port=16837 lost=(n2) tier=(CAIRN_LOCAL_DIR="$PWD/local" CAIRN_PARTNER=1 CAIRN_FLUSH=end) ;;
    shared) port=16847 lost=(n2 n1) tier=(CAIRN_LOCAL_DIR="$PWD/local" CAIRN_PARTNER=1 CAIRN_FLUSH=every:2) ;;
    plain) port=16857 lost=(n2) tier=() ;;
    *) fail "unknown MODE '$mode' (partner, shared or plain)" ;;
esac
cluster=$PWD/cluster
export SLURM_LOCAL_CTLD_PORT=${SLURM_LOCAL_CTLD_PORT:-$port}
export SLURM_LOCAL_SLURMD_PORT=${SLURM_LOCAL_SLURMD_PORT:-$((port + 1))}
"$slurm_local" stop "$cluster" > /dev/null 2>&1 || true
rm -rf "$cluster" job ref local
mkdir -p job
export SLURM_CONF=$cluster/slurm.conf
cleanup() {
    if [ -n "${job_id:-}" ]; then scancel "$job_id" 2> /dev/null || true; sleep 1; fi
    "$slurm_local" stop "$cluster" || true
}
trap cleanup EXIT
"$slurm_local" start "$cluster" 2 || fail "cannot start the local Slurm cluster"

heat_args=(--nx 64 --ny 64 --steps 500 --print-every 100 --checkpoint-every 40)
CAIRN_DIR=ref CAIRN_INTERVAL=off "$MPIEXEC" -n 4 "$heat" "${heat_args[@]}" --sleep-ms 0 > ref.log 2>&1 ||
    { cat ref.log; fail "reference run failed"; }
ref=$(final_checksum ref.log)
[ -n "$ref" ] || fail "no checksum in the reference run"
pass "reference checksum $ref"

# 500 steps x 40 ms = 20 s of work, a checkpoint every 40 steps (1.6 s).
out=$PWD/job/job.out
shared=$PWD/job/ck
env "${tier[@]}" "$cairn" submit --nodes 2 --ntasks 4 --simulated-nodes \
    --time 10 --max-restarts 2 --checkpoint-dir "$shared" --output "$out" \
    --job-name cairn-node-loss -- "$heat" "${heat_args[@]}" --sleep-ms 40 > submit.log 2>&1 ||
    { cat submit.log; fail "cairn submit failed"; }
cat submit.log
job_id=$(sed -n 's/^Submitted batch job \([0-9]*\).*/\1/p' submit.log)
[ -n "$job_id" ] || fail "no job id from sbatch"

show() {
    echo "--- job output"; cat "$out" 2>/dev/null
    echo "--- squeue"; squeue 2>&1
    echo "--- sinfo"; sinfo -N 2>&1
}
wait_for() {  # wait_for SECONDS TEXT: the job output contains TEXT (grep -E)
    local deadline=$((SECONDS + $1))
    while [ $SECONDS -lt $deadline ]; do
        grep -qE -- "$2" "$out" 2>/dev/null && return 0
        grep -q "^cairn-job: finished\|giving up" "$out" 2>/dev/null && break
        sleep 0.5
    done
    show
    fail "job $job_id: '$2' not seen in its output within $1 s"
}

wait_for 120 "checkpoint 2 committed"
heat_name=$(basename "$heat")
for node in n1 n2; do
    [ -n "$(pids_with_env "$heat_name" "SLURM_JOB_ID=$job_id" "SLURMD_NODENAME=$node")" ] ||
        { show; fail "no heat rank of job $job_id runs on $node"; }
done
pass "job $job_id checkpointed twice with heat ranks on n1 and n2"

# The node loss.
for node in "${lost[@]}"; do
    "$slurm_local" node-kill "$cluster" "$node" || fail "node-kill $node failed"
    rm -rf "local/$node"
done
before_restart=$(committed_checkpoints "$shared" | wc -l)
echo "shared directory at the node loss: $before_restart committed checkpoint(s)"
for node in "${lost[@]}"; do
    "$slurm_local" node-start "$cluster" "$node" || fail "node-start $node failed"
done

wait_for 120 "SLURM_RESTART_COUNT=1"
wait_for 120 "^cairn-job: finished"
echo "--- job output"; cat "$out"
job_id=

expect_in "$out" "heat: restarted from epoch"
case "$mode" in
    partner)
        [ "$before_restart" = 0 ] || fail "the shared directory had checkpoints before the restart"
        grep -iE "partner" "$out" || fail "no message that the restart used partner copies"
        ;;
    shared)
        [ "$before_restart" -gt 0 ] || fail "no flushed checkpoint in the shared directory to fall back on"
        grep -iE "shared" "$out" || fail "no message that the restart fell back to the shared directory"
        ;;
    plain)
        [ "$before_restart" -gt 0 ] || fail "no checkpoint in the shared directory"
        ;;
esac
got=$(final_checksum "$out")
[ "$got" = "$ref" ] || fail "checksum after the node loss $got differs from the uninterrupted run $ref"
pass "node loss ($mode): requeued, restarted, same checksum"
echo "PASS"
