#!/usr/bin/env bash
# Elastic restart: the heat demo checkpoints on 4 ranks, goes on from that checkpoint on 2 ranks,
# then on 3 ranks; the final field must equal a 4-rank uninterrupted run bit for bit (the demo's
# arithmetic does not depend on the decomposition). Also: a per-rank buffer that differs between
# ranks cannot change rank count, with a clear error (checked by the MPI tests).
# usage: heat_elastic.sh <heat executable>
set -uo pipefail
HEAT=${1:?usage: heat_elastic.sh <heat executable>}
source "$(dirname "$0")/heat_common.sh"
ARGS=(--nx 90 --ny 70 --print-every 0)
work=$PWD/heat_elastic
rm -rf "$work" && mkdir -p "$work" && cd "$work" || fail "cannot use $work"

CAIRN_DIR=$work/ref CAIRN_INTERVAL=off CAIRN_RESTART=never \
    "$MPIEXEC" -n 4 "$HEAT" "${ARGS[@]}" --steps 240 > ref.log 2>&1 || { cat ref.log; fail "reference run failed"; }
ref=$(final_checksum ref.log)
[ -n "$ref" ] || { cat ref.log; fail "no reference checksum"; }
echo "reference (4 ranks, 240 steps): $ref"

export CAIRN_DIR=$work/ckpt CAIRN_INTERVAL=steps:40 CAIRN_KEEP=3
run() {  # run NP STEPS LOG
    "$MPIEXEC" -n "$1" "$HEAT" "${ARGS[@]}" --steps "$2" > "$3" 2>&1 || { cat "$3"; fail "run on $1 ranks failed"; }
    grep -E "cairn: restored|heat: restarted|heat: final" "$3"
}
run 4 80 run4.log
run 2 160 run2.log
grep -q "heat: restarted from epoch [0-9]* at step 80" run2.log || fail "2-rank run did not resume at step 80"
run 3 240 run3.log
grep -q "heat: restarted from epoch [0-9]* at step 160" run3.log || fail "3-rank run did not resume at step 160"
got=$(final_checksum run3.log)
[ "$got" = "$ref" ] || fail "checksum after 4 -> 2 -> 3 ranks is $got, uninterrupted 4-rank run gives $ref"
echo "PASS: 4 -> 2 -> 3 ranks ends with the uninterrupted checksum $ref"
