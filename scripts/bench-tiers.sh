#!/usr/bin/env bash
# Benchmark of the checkpoint tiers on two simulated Slurm nodes (not a test; results in
# docs/slurm.md, "Tiers on simulated nodes, measured").
#
# usage: scripts/bench-tiers.sh [--build DIR] [--work DIR] [--local DIR] [--mib M] [--reps R]
#                               [--out FILE]
#   --build DIR  build tree with apps/bench/cairn_bench (default: build)
#   --work DIR   cluster, shared checkpoint directory and logs (default: a new directory in /tmp)
#   --local DIR  base of the node-local tier (default: a new directory in /dev/shm)
#   --mib M      state per rank in MiB (default 64); 4 ranks, 2 per node
#   --reps R     repetitions (default 5); medians are reported
#   --out FILE   CSV of every measurement (default: WORK/results.csv)
# Starts a 2-node cluster with scripts/slurm-local.sh (needs root and Slurm), runs one batch job
# (sbatch -N 2 -n 4, mpirun --mca btl self,tcp) that measures with cairn_bench in blocking mode:
#   commit_shared   no local tier: every checkpoint to the shared directory (baseline)
#   commit_every    local tier + partner copy + flush to the shared directory every checkpoint
#   commit_partner  local tier + partner copy only (flush=end)
#   restore_local   restart from the node-local tier
#   restore_partner node n2's local directory deleted: its ranks restore from partner copies
#   restore_shared  both local directories deleted: restart from the shared directory
# and stops every daemon it started. Restores from the shared directory read through the page
# cache (caches are not dropped: other jobs share this machine).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=$root/build
work=""
local_base=""
mib=64
reps=5
out=""
while [ $# -gt 0 ]; do
    case $1 in
        --build) build=$2; shift ;;
        --work) work=$2; shift ;;
        --local) local_base=$2; shift ;;
        --mib) mib=$2; shift ;;
        --reps) reps=$2; shift ;;
        --out) out=$2; shift ;;
        -h | --help) sed -n '2,22p' "$0"; exit 0 ;;
        *) echo "bench-tiers.sh: unknown option $1" >&2; exit 2 ;;
    esac
    shift
done
[[ $mib =~ ^[1-9][0-9]*$ ]] || { echo "bench-tiers.sh: --mib must be a positive integer" >&2; exit 2; }
[[ $reps =~ ^[1-9][0-9]*$ ]] || { echo "bench-tiers.sh: --reps must be a positive integer" >&2; exit 2; }
bench=$(cd "$build" && pwd)/apps/bench/cairn_bench
[ -x "$bench" ] || { echo "bench-tiers.sh: $bench not found (build first)" >&2; exit 2; }
[ -n "$work" ] || work=$(mktemp -d /tmp/cairn-bench-tiers.XXXXXX)
mkdir -p "$work"
work=$(cd "$work" && pwd)
[ -n "$local_base" ] || local_base=$(mktemp -d /dev/shm/cairn-bench-tiers.XXXXXX)
mkdir -p "$local_base"
local_base=$(cd "$local_base" && pwd)
[ -n "$out" ] || out=$work/results.csv

for var in $(compgen -e); do
    case "$var" in CAIRN_*) unset "$var" ;; esac
done
export SLURM_LOCAL_CTLD_PORT=${SLURM_LOCAL_CTLD_PORT:-16867}
export SLURM_LOCAL_SLURMD_PORT=${SLURM_LOCAL_SLURMD_PORT:-16868}
cluster=$work/cluster
export SLURM_CONF=$cluster/slurm.conf
job_id=""
cleanup() {
    [ -n "$job_id" ] && scancel "$job_id" 2>/dev/null || true
    "$root/scripts/slurm-local.sh" stop "$cluster" > /dev/null || true
    rm -rf "$local_base" "$local_base.keep"
}
trap cleanup EXIT
"$root/scripts/slurm-local.sh" start "$cluster" 2

shared=$work/shared
local=$local_base
rm -rf "$shared" && mkdir -p "$shared"
cat > "$work/bench.sbatch" <<JOB
#!/bin/bash
#SBATCH --nodes=2
#SBATCH --ntasks=4
#SBATCH --overcommit
#SBATCH --job-name=cairn-bench-tiers
#SBATCH --output=$work/job.out
set -u
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_mpi_yield_when_idle=1
export HDF5_USE_FILE_LOCKING=FALSE CAIRN_INTERVAL=off CAIRN_MODE=blocking CAIRN_KEEP=2
run() {  # run METRIC ENV... : one launch of cairn_bench; result lines tagged with METRIC
    local metric=\$1 mode=blocking n=$reps
    shift
    case \$metric in restore_*) mode=restore n=1 ;; esac
    env "\$@" mpirun -n 4 --mca btl self,tcp "$bench" --mode \$mode --mib $mib --reps \$n \\
        > "$work/last.log" 2>&1 || { echo "launch failed: \$metric"; cat "$work/last.log"; exit 1; }
    grep -h '^cairn: .*\\(tier\\|partner\\|shared\\|restored\\)' "$work/last.log" | head -n 3
    sed -n "s/^result [a-z_]* $mib \\([0-9]*\\) /result \$metric \\1 /p" "$work/last.log"
}
tier=(CAIRN_LOCAL_DIR=$local CAIRN_PARTNER=1)
run commit_shared CAIRN_DIR=$shared/plain
run commit_partner "\${tier[@]}" CAIRN_FLUSH=end CAIRN_DIR=$shared/partner
rm -rf "$local"/*
run commit_every "\${tier[@]}" CAIRN_FLUSH=every CAIRN_DIR=$shared/every
# The restores read what commit_every left: local images, partner copies, shared files.
rm -rf "$local.keep" && cp -a "$local" "$local.keep"
for rep in \$(seq 0 $((reps - 1))); do
    rm -rf "$local" && cp -a "$local.keep" "$local"
    run restore_local "\${tier[@]}" CAIRN_DIR=$shared/every | sed "/^result /s/ 0 / \$rep /"
    rm -rf "$local" && cp -a "$local.keep" "$local" && rm -rf "$local/n2"
    run restore_partner "\${tier[@]}" CAIRN_DIR=$shared/every | sed "/^result /s/ 0 / \$rep /"
    rm -rf "$local" && mkdir -p "$local"
    run restore_shared "\${tier[@]}" CAIRN_DIR=$shared/every | sed "/^result /s/ 0 / \$rep /"
done
echo "bench-tiers: done"
JOB
submit=$(sbatch "$work/bench.sbatch")
job_id=${submit##* }
echo "bench-tiers: job $job_id ($mib MiB per rank, 4 ranks on n1 and n2, $reps repetitions; log $work/job.out)"
while squeue -h -j "$job_id" 2>/dev/null | grep . > /dev/null; do sleep 2; done
job_id=""
grep -q '^launch failed' "$work/job.out" && { cat "$work/job.out"; echo "bench-tiers: a launch failed" >&2; exit 1; }
grep -q '^bench-tiers: done' "$work/job.out" || { cat "$work/job.out"; echo "bench-tiers: the job failed" >&2; exit 1; }

echo "metric,mib,rep,seconds" > "$out"
sed -n "s/^result \\([a-z_]*\\) \\([0-9]*\\) \\([0-9.]*\\)$/\\1,$mib,\\2,\\3/p" "$work/job.out" >> "$out"
echo "bench-tiers: $(($(wc -l < "$out") - 1)) measurements in $out"
grep '^cairn: ' "$work/job.out" | sort -u | head -n 20
printf '%-16s %8s %12s %10s\n' metric MiB/rank median_s reps
for m in commit_shared commit_every commit_partner restore_local restore_partner restore_shared; do
    vals=$(awk -F, -v m="$m" '$1 == m { print $4 }' "$out" | sort -g)
    n=$(wc -w <<< "$vals")
    [ "$n" -gt 0 ] || { printf '%-16s %8s %12s %10s\n' "$m" "$mib" "-" 0; continue; }
    med=$(awk -v n="$n" '{ a[NR] = $1 } END { if (n % 2) print a[(n + 1) / 2]; else print (a[n / 2] + a[n / 2 + 1]) / 2 }' <<< "$vals")
    printf '%-16s %8s %12.3f %10s\n' "$m" "$mib" "$med" "$n"
done
