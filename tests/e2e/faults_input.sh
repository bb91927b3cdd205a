#!/usr/bin/env bash
# Fault matrix, bad input: unknown configuration keys (environment and file) and bad values give a
# clear error naming the key and value and a non-zero exit; no checkpoint is deleted or changed.
# usage: faults_input.sh <heat executable>     (run in an empty scratch directory)
set -uo pipefail
HEAT=${1:?usage: faults_input.sh <heat executable>}
here=$(cd "$(dirname "$0")" && pwd)
source "$here/heat_common.sh"
NP=2
ARGS=(--nx 64 --ny 64 --steps 20 --print-every 0)
work=$PWD/faults_input
rm -rf "$work" && mkdir -p "$work" && cd "$work" || fail "cannot use $work"

export CAIRN_DIR=$work/ckpt
CAIRN_INTERVAL=steps:5 CAIRN_KEEP=2 "$MPIEXEC" -n $NP "$HEAT" "${ARGS[@]}" > good.log 2>&1 ||
    { cat good.log; fail "the run that makes the checkpoints failed"; }
before=$(cd "$CAIRN_DIR" && md5sum ckpt.*.h5)
[ -n "$before" ] || fail "no checkpoint to protect"

printf 'keep = 2\nkep = 3\n' > typo.conf
printf 'interval = every now and then\n' > badvalue.conf
# name|environment|patterns the error must contain (extended regular expressions, ';'-separated)
cases=(
    "unknown variable|CAIRN_KEPP=3|CAIRN_KEPP"
    "unknown file key|CAIRN_CONFIG=$work/typo.conf|typo.conf:2;kep"
    "bad value in file|CAIRN_CONFIG=$work/badvalue.conf|badvalue.conf:1;interval;every now and then"
    "negative keep|CAIRN_KEEP=-1|keep;-1"
    "bad interval|CAIRN_INTERVAL=sometimes|interval;sometimes"
    "bad mode|CAIRN_MODE=fast|mode;fast"
    "bad restart|CAIRN_RESTART=maybe|restart;maybe"
    "bad size|CAIRN_STAGING_LIMIT=lots|staging_limit;lots"
    "bad duration|CAIRN_EPOCH_TIMEOUT=-5s|epoch_timeout;-5s"
    "bad mtbf|CAIRN_NODE_MTBF=0|node_mtbf"
    "bad on_error|CAIRN_ON_ERROR=ignore|on_error;ignore"
    "bad fault|CAIRN_FAULT=commit:2|fault;commit;<point>:<checkpoint>"
)
for c in "${cases[@]}"; do
    IFS='|' read -r name assignment patterns <<< "$c"
    env "$assignment" "$MPIEXEC" -n $NP "$HEAT" "${ARGS[@]}" > case.log 2>&1
    rc=$?
    msg=$(grep -m1 -E 'invalid cairn configuration|error' case.log)
    printf '%-18s exit %d: %s\n' "$name" $rc "$msg"
    [ $rc -ne 0 ] || { cat case.log; fail "$name: exit status 0"; }
    IFS=';' read -ra pats <<< "$patterns"
    for p in "${pats[@]}"; do
        grep -qE -- "$p" case.log || { cat case.log; fail "$name: the error does not mention '$p'"; }
    done
    ! grep -q '^heat: restarted' case.log || fail "$name: the job ran despite the bad input"
done
after=$(cd "$CAIRN_DIR" && md5sum ckpt.*.h5)
[ "$before" = "$after" ] || fail "checkpoints were changed or deleted by a failed start"
echo "PASS: ${#cases[@]} bad inputs rejected with clear errors; checkpoints untouched"
