#!/usr/bin/env bash
# Fault matrix, storage: the earlier good checkpoint survives every case and errors name the
# file and the cause.
# usage: faults_storage.sh <heat executable> <scenario>     (run in an empty scratch directory)
#   unwritable  checkpoint directory below a regular file; a read-only tmpfs mount
#   full        disk full during a write (a 1 MiB tmpfs): the checkpoint fails, the job goes on
#               (on_error=continue), the earlier checkpoint survives and restores
#   damaged     newest committed file truncated, then bit-flipped: the restart falls back to the
#               previous checkpoint; a stale .tmp is ignored and removed by the next commit
# The mount cases are skipped (with a message) where mounting a tmpfs is not permitted.
set -uo pipefail
HEAT=${1:?usage: faults_storage.sh <heat> <scenario>}
SCENARIO=${2:?usage: faults_storage.sh <heat> <scenario>}
here=$(cd "$(dirname "$0")" && pwd)
source "$here/heat_common.sh"
source "$here/faults_common.sh"
NP=2
work=$PWD/$SCENARIO
mnt=""
cleanup() { [ -z "$mnt" ] || umount "$mnt" 2>/dev/null; }
trap cleanup EXIT
rm -rf "$work" && mkdir -p "$work" && cd "$work" || fail "cannot use $work"

# try_mount DIR OPTIONS: mounts a tmpfs on DIR; returns 1 (after a message) if not permitted.
try_mount() {
    mkdir -p "$1"
    if mount -t tmpfs -o "$2" tmpfs "$1" 2>mount.err; then
        mnt=$1
        return 0
    fi
    echo "SKIP sub-case: cannot mount a tmpfs here ($(cat mount.err))"
    return 1
}

# expect_failure LOG WHAT PATTERN...: the run in LOG failed and its output matches each pattern.
expect_failure_output() {
    local log=$1 what=$2
    shift 2
    for pat in "$@"; do
        grep -qE -- "$pat" "$log" || { cat "$log"; fail "$what: no message matching '$pat'"; }
    done
}

ARGS=(--nx 256 --ny 256 --steps 60 --print-every 0)
case $SCENARIO in
unwritable)
    echo "== checkpoint directory below a regular file"
    echo "not a directory" > afile
    CAIRN_DIR=$work/afile/ckpt CAIRN_INTERVAL=steps:20 \
        "$MPIEXEC" -n $NP "$HEAT" "${ARGS[@]}" > below-file.log 2>&1
    rc=$?
    cat below-file.log | grep -v '^heat: step' | head -n 20
    [ $rc -ne 0 ] || fail "a job whose checkpoint directory cannot be created exited 0"
    expect_failure_output below-file.log "directory below a file" "afile/ckpt" "Not a directory|File exists"

    echo "== read-only checkpoint directory (tmpfs remounted read-only)"
    if try_mount "$work/ro" size=4m; then
        export CAIRN_DIR=$work/ro/ckpt CAIRN_INTERVAL=steps:20
        "$MPIEXEC" -n $NP "$HEAT" "${ARGS[@]}" > ro-first.log 2>&1 || { cat ro-first.log; fail "first run failed"; }
        before=$(cd "$CAIRN_DIR" && md5sum ckpt.*.h5)
        mount -o remount,ro "$mnt" || fail "cannot remount read-only"
        "$MPIEXEC" -n $NP "$HEAT" "${ARGS[@]}" --steps 80 > ro.log 2>&1
        rc=$?
        grep -v '^heat: step' ro.log | head -n 20
        if [ $rc -eq 0 ]; then
            # Acceptable only if the job restored and reported every failed checkpoint.
            grep -q 'Read-only file system' ro.log || fail "read-only directory: exit 0 and no error reported"
        else
            expect_failure_output ro.log "read-only directory" "$CAIRN_DIR" "Read-only file system"
        fi
        after=$(cd "$CAIRN_DIR" && md5sum ckpt.*.h5)
        [ "$before" = "$after" ] || fail "checkpoints changed in a read-only directory"
        echo "read-only directory: clear error, checkpoints intact"
    fi
    ;;
full)
    echo "== disk full during a write"
    try_mount "$work/small" size=1m || exit 0
    ref=$(reference_checksum ref.log "$HEAT" "${ARGS[@]}") || exit 1
    export CAIRN_DIR=$work/small/ckpt CAIRN_INTERVAL=steps:20 CAIRN_KEEP=2 CAIRN_ON_ERROR=continue
    # A watchdog: a write failing on one rank only must not hang the job.
    timeout -k 5 45 "$MPIEXEC" -n $NP "$HEAT" "${ARGS[@]}" > full.log 2>&1
    rc=$?
    grep -v '^heat: step' full.log | sort | uniq -c | sort -rn | head -n 12
    [ $rc -ne 124 ] && [ $rc -ne 137 ] ||
        fail "the job hung after the disk filled up during a checkpoint write (killed after 45 s)"
    [ $rc -eq 0 ] || fail "with on_error=continue a failed checkpoint must not stop the job"
    [ "$(final_checksum full.log)" = "$ref" ] || fail "checksum changed by a failed checkpoint"
    expect_failure_output full.log "disk full" "ckpt\.[0-9]+\.h5(\.tmp)?" \
        "[Nn]o space left on device|No space|ENOSPC|out of space|not enough space|write failed"
    ls -l "$CAIRN_DIR"
    [ "$(newest_epoch "$CAIRN_DIR")" = 1 ] || fail "the first (good) checkpoint is not the newest committed one"
    ! compgen -G "$CAIRN_DIR/*.tmp" > /dev/null || fail "a failed write left its .tmp behind"
    echo "== rerun restores the surviving checkpoint"
    check_restart_resumes_newest "$CAIRN_DIR" rerun.log "$ref" "$HEAT" "${ARGS[@]}" || exit 1
    ;;
damaged)
    ARGS=(--nx 128 --ny 128 --steps 60 --print-every 0)
    ref=$(reference_checksum ref.log "$HEAT" "${ARGS[@]}") || exit 1
    export CAIRN_DIR=$work/ckpt CAIRN_INTERVAL=steps:20 CAIRN_KEEP=3
    "$MPIEXEC" -n $NP "$HEAT" "${ARGS[@]}" > first.log 2>&1 || { cat first.log; fail "first run failed"; }
    newest=$(committed_checkpoints "$CAIRN_DIR" | tail -n 1)
    prev=$(newest_epoch "$CAIRN_DIR")
    prev=$((prev - 1))
    cp "$newest" pristine.h5
    for damage in truncate bitflip; do
        echo "== newest checkpoint $(basename "$newest"): $damage"
        cp pristine.h5 "$newest"
        size=$(stat -c %s "$newest")
        if [ $damage = truncate ]; then
            truncate -s $((size / 2)) "$newest"
        else
            # Flip one byte in the middle of the file (the grid data is most of it).
            off=$((size / 2))
            byte=$(od -An -tu1 -j $off -N1 "$newest" | tr -d ' ')
            printf "$(printf '\\%03o' $((byte ^ 0x5a)))" |
                dd of="$newest" bs=1 seek=$off count=1 conv=notrunc status=none
        fi
        "$MPIEXEC" -n $NP "$HEAT" "${ARGS[@]}" > $damage.log 2>&1 || { cat $damage.log; fail "$damage: rerun failed"; }
        grep -E 'cairn: (checkpoint .* not usable|restored)|heat: restarted' $damage.log
        expect_failure_output $damage.log "$damage" "checkpoint .*$(basename "$newest") is not usable \(.+\); falling back"
        [ "$(restart_epoch $damage.log)" = "$prev" ] || fail "$damage: did not fall back to epoch $prev"
        [ "$(final_checksum $damage.log)" = "$ref" ] || fail "$damage: checksum differs from the reference"
        # The rerun committed newer checkpoints; start the next case from the first run's state.
        for f in $(committed_checkpoints "$CAIRN_DIR"); do
            e=$((10#$(basename "$f" | cut -d. -f2)))
            [ $e -le $((prev + 1)) ] || rm -f "$f"
        done
    done
    cp pristine.h5 "$newest"

    echo "== stale .tmp left by a crash"
    stale=$CAIRN_DIR/ckpt.$(printf '%06d' $((prev + 2))).h5.tmp
    head -c 5000 /dev/urandom > "$stale"
    "$MPIEXEC" -n $NP "$HEAT" "${ARGS[@]}" --steps 100 > stale.log 2>&1 || { cat stale.log; fail "stale: rerun failed"; }
    grep -E 'cairn: (ignoring|removed|restored)|heat: restarted' stale.log
    expect_failure_output stale.log "stale .tmp" "ignoring uncommitted file .*$(basename "$stale")" \
        "removed stale uncommitted file .*$(basename "$stale")"
    [ "$(restart_epoch stale.log)" = $((prev + 1)) ] || fail "stale: did not restart from the newest committed epoch"
    [ ! -e "$stale" ] || fail "stale .tmp still there after a later commit"
    ;;
*) fail "unknown scenario $SCENARIO" ;;
esac
echo "PASS: storage $SCENARIO"
