#!/usr/bin/env bash
# Benchmark of the node-local tier's redundancy schemes (not a test; docs/tiers.md, "Costs").
#
# usage: scripts/bench-redundancy.sh [--build DIR] [--ranks N] [--mib M] [--reps R] [--local DIR]
#                                    [--out FILE]
#   --build DIR  build tree with apps/bench/cairn_bench and erasure_bench (default: build)
#   --ranks N    ranks, one per simulated node (node_split=ranks:1; default 4, at least 4)
#   --mib M      state per rank in MiB (default 64)
#   --reps R     checkpoints per scheme and restores per case (default 3); medians reported
#   --local DIR  base of the node-local tier (default: a new directory in /dev/shm)
#   --out FILE   CSV of every measurement (default: redundancy.csv in a new /tmp directory)
# For partner, xor:N and rs:(N-2)+2 (N = ranks, one set over all nodes), with flush=end and the
# shared directory emptied before each restore (so a restore can only come from the local tier):
#   commit        blocking checkpoint_now(): local write, then partner copy or parity
#   local_bytes   bytes of the newest epoch in the local tier: images and redundancy (partner
#                 copies or parity files), and their ratio
#   restore_0     restore with every node directory present
#   restore_1     node1's directory deleted
#   restore_2     node1 and node2 deleted (partner: node1 and node3, which partner copies survive;
#                 node1 and node2 lose rank 1's only copy)
# and the single-core ISA-L throughput of encoding and decoding (erasure_bench). All simulated
# nodes share this machine's cores and memory bandwidth: on a machine loaded by other work the
# times say little; run it on an idle machine before quoting them.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=$root/build
ranks=4
mib=64
reps=3
local_base=""
out=""
while [ $# -gt 0 ]; do
    case $1 in
        --build) build=$2; shift ;;
        --ranks) ranks=$2; shift ;;
        --mib) mib=$2; shift ;;
        --reps) reps=$2; shift ;;
        --local) local_base=$2; shift ;;
        --out) out=$2; shift ;;
        -h | --help) sed -n '2,23p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "bench-redundancy.sh: unknown option $1" >&2; exit 2 ;;
    esac
    shift
done
[[ $ranks =~ ^[0-9]+$ ]] && [ "$ranks" -ge 4 ] || { echo "bench-redundancy.sh: --ranks must be at least 4" >&2; exit 2; }
[[ $mib =~ ^[1-9][0-9]*$ ]] || { echo "bench-redundancy.sh: --mib must be a positive integer" >&2; exit 2; }
[[ $reps =~ ^[1-9][0-9]*$ ]] || { echo "bench-redundancy.sh: --reps must be a positive integer" >&2; exit 2; }
build=$(cd "$build" && pwd)
bench=$build/apps/bench/cairn_bench
ebench=$build/apps/bench/erasure_bench
[ -x "$bench" ] && [ -x "$ebench" ] || { echo "bench-redundancy.sh: build cairn_bench and erasure_bench first" >&2; exit 2; }
work=$(mktemp -d /tmp/cairn-bench-redundancy.XXXXXX)
[ -n "$out" ] || out=$work/redundancy.csv
[ -n "$local_base" ] || local_base=$(mktemp -d /dev/shm/cairn-bench-redundancy.XXXXXX)
mkdir -p "$local_base"
trap 'rm -rf "$local_base" "$local_base.keep"' EXIT
for var in $(compgen -e); do
    case "$var" in CAIRN_*) unset "$var" ;; esac
done
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
export OMPI_MCA_mpi_yield_when_idle=1 HDF5_USE_FILE_LOCKING=FALSE
export CAIRN_INTERVAL=off CAIRN_MODE=blocking CAIRN_KEEP=2 CAIRN_FLUSH=end CAIRN_NODE_SPLIT=ranks:1
export CAIRN_LOCAL_DIR=$local_base CAIRN_DIR=$work/shared

echo "scheme,metric,rep,value" > "$out"
record() { echo "$1,$2,$3,$4" >> "$out"; }
median() { sort -g | awk '{ a[NR] = $1 } END { if (NR == 0) print "-"; else if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

# restore SCHEME CASE NODES...: a fresh copy of the committed tier minus NODES, shared directory
# empty, one restore; records its seconds and says where the data came from.
restore() {
    local scheme=$1 name=$2 rep=$3 n
    shift 3
    rm -rf "$local_base" && cp -a "$local_base.keep" "$local_base" && rm -rf "$work/shared"
    for n in "$@"; do rm -rf "$local_base/node$n"; done
    if mpirun -n "$ranks" "$bench" --mode restore --mib "$mib" --reps 1 > "$work/last.log" 2>&1; then
        record "$scheme" "$name" "$rep" "$(sed -n 's/^result restore [0-9]* 0 \([0-9.]*\)$/\1/p' "$work/last.log")"
        if [ "$rep" = 0 ]; then
            grep -m1 '^cairn: restored checkpoint' "$work/last.log" | sed "s/^/  $scheme $name: /"
        fi
    else
        record "$scheme" "$name" "$rep" failed
        echo "  $scheme $name: restore failed: $(grep -m1 'exists nowhere\|rror' "$work/last.log")"
    fi
}

schemes=(partner "xor:$ranks" "rs:$((ranks - 2))+2")
for scheme in "${schemes[@]}"; do
    echo "== $scheme: $ranks ranks x $mib MiB on $ranks simulated nodes"
    rm -rf "$local_base" "$work/shared" && mkdir -p "$local_base"
    export CAIRN_REDUNDANCY=$scheme  # the restores need the scheme the checkpoints were written with
    CAIRN_VERBOSE=1 mpirun -n "$ranks" "$bench" --mode blocking --mib "$mib" \
        --reps "$reps" > "$work/commit.log" 2>&1 || { cat "$work/commit.log"; exit 1; }
    sed -n 's/^result blocking_checkpoint [0-9]* \([0-9]*\) \([0-9.]*\)$/\1 \2/p' "$work/commit.log" |
        while read -r rep s; do record "$scheme" commit "$rep" "$s"; done
    grep -m1 'committed to the node-local tier' "$work/commit.log" | sed 's/^/  first: /'
    newest=$(ls -d "$local_base"/node0/epoch.*/ | sort | tail -n 1 | xargs basename)
    img=$(cat "$local_base"/node*/"$newest"/rank.*.img | wc -c)
    red=$( (cat "$local_base"/node*/"$newest"/partner.*.img "$local_base"/node*/"$newest"/parity.*.img 2>/dev/null || true) | wc -c)
    record "$scheme" image_bytes 0 "$img"
    record "$scheme" redundancy_bytes 0 "$red"
    rm -rf "$local_base.keep" && cp -a "$local_base" "$local_base.keep"
    two=(1 2)
    [ "$scheme" = partner ] && two=(1 3)
    for rep in $(seq 0 $((reps - 1))); do
        restore "$scheme" restore_0 "$rep"
        restore "$scheme" restore_1 "$rep" 1
        restore "$scheme" restore_2 "$rep" "${two[@]}"
    done
done
for scheme in "xor:$ranks" "rs:$((ranks - 2))+2"; do
    "$ebench" --scheme "$scheme" --mib "$mib" --reps "$reps" |
        while read -r _ metric _ rep gbs; do record "$scheme" "${metric%%_*}_GBps" "$rep" "$gbs"; done
done

echo "bench-redundancy: measurements in $out"
printf '%-10s %10s %12s %10s %10s %10s %10s %10s %10s\n' scheme commit_s local_ratio \
    restore0_s restore1_s restore2_s enc_GB/s dec_GB/s
for scheme in "${schemes[@]}"; do
    col() { awk -F, -v s="$scheme" -v m="$1" '$1 == s && $2 == m && $4 != "failed" { print $4 }' "$out" | median; }
    img=$(col image_bytes)
    red=$(col redundancy_bytes)
    ratio=$(awk -v i="$img" -v r="$red" 'BEGIN { printf "%.2f", (i + r) / i }')
    fails=$(awk -F, -v s="$scheme" '$1 == s && $4 == "failed"' "$out" | wc -l)
    printf '%-10s %10s %12s %10s %10s %10s %10s %10s %10s\n' "$scheme" "$(col commit)" "${ratio}x" \
        "$(col restore_0)" "$(col restore_1)" "$(col restore_2)" "$(col encode_GBps)" "$(col decode_GBps)" \
        "$([ "$fails" -gt 0 ] && echo "($fails failed)")"
done
echo "local_ratio = (images + redundancy) / images of one checkpoint; restore2 for partner loses"
echo "two nodes that are not each other's partners; xor:N's restore2 fails by design (one parity"
echo "share per set). Times on a loaded machine are not valid."
