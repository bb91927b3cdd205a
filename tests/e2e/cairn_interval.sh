#!/usr/bin/env bash
# cairn interval: the worked values, --nodes, and bad input rejected with exit status 2.
# usage: cairn_interval.sh CAIRN_EXE
set -u
source "$(dirname "$0")/cairn_tool_common.sh"
cairn=$1

expect_status 0 "$cairn" interval --cost 300 --mtbf 6h
expect_in out.log "Young interval: 3600.0 s"
expect_in out.log "Daly interval:  3402.8 s"
expect_in out.log "waste"
pass "cost 300 s, MTBF 6 h"

expect_status 0 "$cairn" interval --cost 60 --mtbf 24h --work 1d
expect_in out.log "Young interval: 3219.9 s"
expect_in out.log "Daly interval:  3180.1 s"
expect_in out.log "expected wall time"
pass "cost 60 s, MTBF 24 h, with --work"

expect_status 0 "$cairn" interval --cost 10m --mtbf 4h --nodes 4
expect_in out.log "job MTBF M            : 3600.0 s (1h)  (node MTBF / 4 nodes)"
expect_in out.log "Young interval: 2078.5 s"
expect_in out.log "Daly interval:  1697.7 s"
pass "node MTBF / nodes"

expect_status 0 "$cairn" interval --cost 3h --mtbf 1h
expect_in out.log "Daly interval:  3600.0 s"
pass "Daly = M when cost >= 2M"

check_bad() {  # check_bad TEXT-IN-STDERR ARGS...
    local text=$1
    shift
    expect_status 2 "$cairn" interval "$@"
    expect_in err.log "$text"
    pass "rejected: $* -> $(head -n 1 err.log)"
}
check_bad 'invalid duration "6x": unknown unit' --cost 6x --mtbf 6h
check_bad 'invalid duration "-5m": negative' --cost 300 --mtbf -5m
check_bad 'invalid duration "": empty' --cost "" --mtbf 6h
check_bad 'invalid duration "h"' --cost h --mtbf 6h
check_bad 'invalid duration "0": must be > 0' --cost 0 --mtbf 6h
check_bad 'invalid duration "nan"' --cost nan --mtbf 6h
check_bad '--mtbf is required' --cost 300
check_bad '--nodes must be at least 1' --cost 300 --mtbf 6h --nodes 0
check_bad "unrecognised option '--bogus'" --bogus

expect_status 0 "$cairn" interval --help
expect_in out.log "usage: cairn interval"
expect_status 0 "$cairn" --help
expect_in out.log "interval"
expect_status 2 "$cairn" no-such-command
expect_in err.log "unknown command 'no-such-command'"
pass "help and unknown command"
echo "PASS"
