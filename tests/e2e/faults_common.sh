# Shared helpers for the fault-matrix tests (sourced, not run). Needs heat_common.sh first.

# reference_checksum LOGNAME HEAT ARGS...: an uninterrupted run without checkpoints on $NP ranks;
# prints its final checksum (fails the test if there is none).
reference_checksum() {
    local log=$1
    shift
    CAIRN_DIR=$PWD/ref-ckpt CAIRN_INTERVAL=off CAIRN_RESTART=never \
        "$MPIEXEC" -n "$NP" "$@" > "$log" 2>&1 || { cat "$log"; fail "reference run failed"; }
    local sum
    sum=$(final_checksum "$log")
    [ -n "$sum" ] || { cat "$log"; fail "no final checksum in the reference run"; }
    echo "$sum"
}

# wait_for_commit DIR PID [SECONDS]: waits until DIR holds a committed checkpoint while PID runs.
wait_for_commit() {
    local deadline=$((SECONDS + ${3:-60}))
    while [ -z "$(committed_checkpoints "$1")" ]; do
        kill -0 "$2" 2>/dev/null || fail "the job ended before its first checkpoint"
        [ $SECONDS -lt $deadline ] || { kill -9 "$2"; fail "no checkpoint within ${3:-60} s"; }
        sleep 0.02
    done
}

# newest_epoch DIR: epoch (decimal) of the newest committed checkpoint, or "".
newest_epoch() {
    local f
    f=$(committed_checkpoints "$1" | tail -n 1)
    [ -n "$f" ] && echo $((10#$(basename "$f" | cut -d. -f2)))
}

# restart_epoch LOG: epoch of the 'heat: restarted from epoch E at step S' line, or "".
restart_epoch() {
    local e
    e=$(sed -n 's/^heat: restarted from epoch \([0-9]*\) at step .*/\1/p' "$1" | head -n 1)
    [ -n "$e" ] && echo $((10#$e))
}

# random_delay MAX_MS: sleeps a random time in [0, MAX_MS) ms; prints the delay.
random_delay() {
    local ms=$((RANDOM % $1))
    sleep "$(printf '%d.%03d' $((ms / 1000)) $((ms % 1000)))"
    echo "$ms"
}

# check_restart_resumes_newest DIR LOG REF HEAT ARGS...: reruns the job (same environment) and
# asserts that it restarts from the newest committed checkpoint present before the rerun, that
# no checkpoint was rejected, and that the final checksum equals REF.
check_restart_resumes_newest() {
    local dir=$1 log=$2 ref=$3
    shift 3
    local newest
    newest=$(newest_epoch "$dir")
    [ -n "$newest" ] || { ls -la "$dir"; fail "no committed checkpoint left after the failure"; }
    echo "checkpoint directory after the failure: $(ls "$dir" | tr '\n' ' ')"
    "$MPIEXEC" -n "$NP" "$@" > "$log" 2>&1 || { cat "$log"; fail "the restarted run failed"; }
    grep -E '^heat: restarted|cairn: (restored|ignoring|checkpoint .* is not usable)' "$log"
    local got_epoch sum
    got_epoch=$(restart_epoch "$log")
    [ -n "$got_epoch" ] || { cat "$log"; fail "the rerun did not restart from a checkpoint"; }
    [ "$got_epoch" -eq "$newest" ] ||
        fail "restarted from epoch $got_epoch, expected the newest committed epoch $newest"
    ! grep -q 'is not usable' "$log" || fail "a committed checkpoint was rejected (partial file?)"
    grep -q 'cairn: restored checkpoint [0-9]* from .*/ckpt\.[0-9]*\.h5 (' "$log" ||
        fail "the rerun did not report restoring a committed ckpt.<epoch>.h5 file"
    sum=$(final_checksum "$log")
    [ "$sum" = "$ref" ] || { cat "$log"; fail "checksum after restart '$sum' differs from '$ref'"; }
    echo "restart from the newest committed epoch $newest, checksum $sum matches"
}
