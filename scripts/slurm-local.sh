#!/usr/bin/env bash
# A real Slurm cluster on this machine, for tests and demos (see docs/slurm.md): one node, or
# 2-6 simulated nodes n1..nN (one slurmd per node, each with its own port, spool, PID and log).
#   slurm-local.sh start DIR [N]       start munged, slurmctld and the slurmd daemons, with state,
#                                      logs and a private munge socket in DIR; wait until every
#                                      node is idle. N=1 (default): one node named after the host;
#                                      N=2..6: simulated nodes n1..nN on this host.
#   slurm-local.sh stop DIR            stop exactly the daemons that `start DIR` started (PID files)
#   slurm-local.sh status DIR          show the daemons and sinfo
#   slurm-local.sh node-kill DIR NODE...  loss of nodes (simulated nodes only), all at once:
#                                      SIGKILL their slurmd, then every job process running on
#                                      them (slurmstepd daemons and all their descendants); mark
#                                      them DOWN
#   slurm-local.sh node-start DIR NODE... start their slurmd again with an empty spool (replaced
#                                      machines rejoin; ReturnToService=2 makes them usable at once)
# Afterwards use the cluster with: export SLURM_CONF=DIR/slurm.conf
# Needs root (the daemons run as root/munge). Ports: SLURM_LOCAL_CTLD_PORT (default 6817) and
# SLURM_LOCAL_SLURMD_PORT (default 6818; simulated node i listens on that port + i - 1).
# Job ids start at the slurmctld port (FirstJobId), so that clusters running side by side (the
# Slurm tests run concurrently) never share a job id: tests find a job's processes by their
# SLURM_JOB_ID. Each node runs DIR/epilog.sh when a job ends there: it kills the job's processes
# that Slurm lost track of on that node (see write_epilog) and logs them in DIR/epilog.log.
set -euo pipefail

usage() {
    echo "usage: $0 start DIR [NODES] | stop DIR | status DIR | node-kill DIR NODE... | node-start DIR NODE..." >&2
    exit 2
}
[ $# -ge 2 ] || usage
cmd=$1
dir=$(mkdir -p "$2" && cd "$2" && pwd)
conf=$dir/slurm.conf
ctld_port=${SLURM_LOCAL_CTLD_PORT:-6817}
slurmd_port=${SLURM_LOCAL_SLURMD_PORT:-6818}

say() { echo "slurm-local: $*"; }

alive() {  # alive PIDFILE: the PID in it, if that process is running
    local pid
    [ -s "$1" ] || return 1
    pid=$(cat "$1")
    [[ $pid =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null && echo "$pid"
}

# node_names: the Slurm node names of the cluster in DIR ("" = the one-node cluster, whose
# slurmd is started without -N and named after the host).
node_names() {
    local n
    n=$(cat "$dir/nodes" 2>/dev/null || echo 1)
    if [ "$n" -le 1 ]; then echo ""; else seq -f 'n%g' 1 "$n"; fi
}

# slurmd_pidfile NAME: the PID file of the slurmd this script started for node NAME.
slurmd_pidfile() {
    if [ -z "$1" ]; then echo "$dir/slurmd.started.pid"; else echo "$dir/slurmd-$1.started.pid"; fi
}

# write_epilog: DIR/epilog.sh, the Epilog of every node. slurmd runs it on a node once a job has
# ended there (its steps are over), and the job cannot run again before it has finished. It kills
# what is left of the job on that node: processes with the job's SLURM_JOB_ID and the node's
# SLURMD_NODENAME in their environment. ProctrackType=proctrack/linuxproc follows a step's
# processes by parent PID, so a process whose parent has exited escapes Slurm's clean-up (on a real
# cluster proctrack/cgroup kills it). Seen in the node-loss tests: when nodes are lost, the srun
# that mpirun started for its remote daemons outlives mpirun and the batch script, waits 32 s for
# its step to end and then cancels step <job id>.0 - by then the step of the requeued job (a
# requeued job keeps its id, its steps count from 0 again), whose Open MPI daemons die with it
# ("ORTE has lost communication with a remote daemon" about 20 s after the rerun started). What
# the epilog kills is logged in DIR/epilog.log.
write_epilog() {
    cat > "$dir/epilog.sh" <<'EPILOG'
#!/bin/bash
# Written by slurm-local.sh (see write_epilog there): kills the leftovers of job SLURM_JOB_ID on
# node SLURMD_NODENAME. Always exits 0 (a failed epilog would drain the node).
[ -n "${SLURM_JOB_ID:-}" ] && [ -n "${SLURMD_NODENAME:-}" ] || exit 0
# This script's own children have the job's variables too; they carry this mark and are spared.
export SLURM_LOCAL_EPILOG=$$
pids=""
names=""
for f in $(grep -lzx -- "SLURM_JOB_ID=$SLURM_JOB_ID" /proc/[0-9]*/environ 2>/dev/null); do
    pid=${f#/proc/}
    pid=${pid%/environ}
    [ "$pid" = "$$" ] && continue
    grep -qzx -- "SLURMD_NODENAME=$SLURMD_NODENAME" "$f" 2>/dev/null || continue
    grep -qzx -- "SLURM_LOCAL_EPILOG=$$" "$f" 2>/dev/null && continue
    pids="$pids $pid"
    names="$names $pid($(cat "/proc/$pid/comm" 2>/dev/null))"
done
if [ -n "$pids" ]; then
    # Stop them all first so that none reacts to the others' death, then kill.
    kill -STOP $pids 2>/dev/null
    kill -KILL $pids 2>/dev/null
    echo "$(date '+%Y-%m-%dT%H:%M:%S') job $SLURM_JOB_ID on $SLURMD_NODENAME: killed leftover processes:$names" \
        >> "$(dirname "$0")/epilog.log"
fi
exit 0
EPILOG
    chmod 755 "$dir/epilog.sh"
}

write_conf() {  # write_conf NODES
    local nodes=$1 host cpus mem i
    host=$(hostname -s)
    cpus=$(/usr/sbin/slurmd -C | sed -n 's/.*CPUs=\([0-9]*\).*/\1/p')
    mem=$(/usr/sbin/slurmd -C | sed -n 's/.*RealMemory=\([0-9]*\).*/\1/p')
    mem=$((mem * 9 / 10 / nodes))
    mkdir -p "$dir/state"
    write_epilog
    {
        cat <<CONF
ClusterName=local
SlurmctldHost=$host
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$dir/munge/munge.socket,cred_expire=10
CredType=cred/munge
MailProg=/bin/true
StateSaveLocation=$dir/state
SlurmctldPidFile=$dir/slurmctld.pid
SlurmctldLogFile=$dir/slurmctld.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=pmix
ReturnToService=2
JobRequeue=1
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
SchedulerParameters=defer_batch=0,sched_interval=5,bf_interval=5
FirstJobId=$ctld_port
Epilog=$dir/epilog.sh
CONF
        if [ "$nodes" -le 1 ]; then
            mkdir -p "$dir/spool"
            cat <<CONF
SlurmdSpoolDir=$dir/spool
SlurmdPidFile=$dir/slurmd.pid
SlurmdLogFile=$dir/slurmd.log
NodeName=$host CPUs=$cpus RealMemory=$mem State=UNKNOWN
CONF
        else
            # A lost node is noticed after SlurmdTimeout (pinged every third of it); short here so
            # that node-loss tests do not wait minutes.
            cat <<CONF
SlurmdTimeout=20
SlurmdSpoolDir=$dir/spool-%n
SlurmdPidFile=$dir/slurmd-%n.pid
SlurmdLogFile=$dir/slurmd-%n.log
CONF
            for i in $(seq "$nodes"); do
                echo "NodeName=n$i NodeHostname=$host Port=$((slurmd_port + i - 1)) CPUs=$cpus RealMemory=$mem State=UNKNOWN"
            done
        fi
        echo "PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP"
    } > "$conf"
}

start_slurmd() {  # start_slurmd NAME ("" = the one-node cluster's slurmd)
    local name=$1 out
    if [ -z "$name" ]; then
        out=$dir/slurmd.out
        /usr/sbin/slurmd -D -f "$conf" > "$out" 2>&1 &
    else
        mkdir -p "$dir/spool-$name"
        out=$dir/slurmd-$name.out
        /usr/sbin/slurmd -D -N "$name" -f "$conf" > "$out" 2>&1 &
    fi
    # Started in the background in the foreground mode (-D); $! is the daemon itself.
    echo $! > "$(slurmd_pidfile "$name")"
}

# all_idle: every node of the cluster is idle (sinfo -N: one line per node).
all_idle() {
    local states
    states=$(sinfo -h -N -o '%t' 2>/dev/null) || return 1
    [ -n "$states" ] && [ -z "$(grep -vx 'idle' <<< "$states")" ]
}

start() {
    local nodes=${1:-1} name
    [[ $nodes =~ ^[1-6]$ ]] || { say "NODES must be 1 to 6 (got $nodes)"; exit 2; }
    for exe in /usr/sbin/munged /usr/sbin/slurmctld /usr/sbin/slurmd /usr/bin/sinfo; do
        [ -x "$exe" ] || { say "$exe is not installed (scripts/install-deps.sh installs Slurm)"; exit 1; }
    done
    [ "$(id -u)" -eq 0 ] || { say "must run as root"; exit 1; }
    if alive "$dir/slurmctld.started.pid" > /dev/null; then say "already running in $dir"; exit 0; fi
    echo "$nodes" > "$dir/nodes"
    write_conf "$nodes"
    export SLURM_CONF=$conf

    mkdir -p "$dir/munge"
    chown munge:munge "$dir/munge"
    chmod 755 "$dir/munge"
    runuser -u munge -- /usr/sbin/munged --socket="$dir/munge/munge.socket" \
        --pid-file="$dir/munge/munged.pid" --log-file="$dir/munge/munged.log" \
        --seed-file="$dir/munge/munged.seed"
    for _ in $(seq 50); do alive "$dir/munge/munged.pid" > /dev/null && break; sleep 0.1; done
    munge -n -S "$dir/munge/munge.socket" | unmunge -S "$dir/munge/munge.socket" > /dev/null ||
        { say "munged does not answer (log: $dir/munge/munged.log)"; exit 1; }

    /usr/sbin/slurmctld -D -f "$conf" > "$dir/slurmctld.out" 2>&1 &
    echo $! > "$dir/slurmctld.started.pid"
    for name in $(node_names); do start_slurmd "$name"; done
    [ "$nodes" -gt 1 ] || start_slurmd ""

    for _ in $(seq 300); do
        if all_idle; then
            say "cluster up in $dir: $(sinfo -h -o '%P %D %t %N' | head -n 1) (export SLURM_CONF=$conf)"
            return 0
        fi
        if ! alive "$dir/slurmctld.started.pid" > /dev/null; then
            say "slurmctld died; log:"; tail -n 20 "$dir/slurmctld.log" "$dir/slurmctld.out" 2>/dev/null
            stop; exit 1
        fi
        for f in "$dir"/slurmd*.started.pid; do
            alive "$f" > /dev/null && continue
            d=$(basename "$f" .started.pid)
            say "$d died; log:"
            tail -n 20 "$dir/$d.log" "$dir/$d.out" 2>/dev/null
            # Seen once with four clusters starting at the same time: a slurmd ended during its
            # start-up without a message. Start it again, at most twice.
            retries=$((${retries:-0} + 1))
            if [ "$retries" -le 2 ] && [[ $d == slurmd-n* ]]; then
                say "starting ${d#slurmd-}'s slurmd again (attempt $((retries + 1)))"
                start_slurmd "${d#slurmd-}"
                continue
            fi
            stop; exit 1
        done
        sleep 0.2
    done
    say "nodes not idle after 60 s"; sinfo -N 2>&1 || true
    stop
    exit 1
}

stop_pid() {  # stop_pid PIDFILE: TERM (KILL after 10 s) the daemon in it, remove the file
    local f=$1 pid
    pid=$(alive "$f") || { rm -f "$f"; return 0; }
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then
        say "$(basename "$f" .pid) ($pid) ignored SIGTERM; sending SIGKILL"
        kill -KILL "$pid" 2>/dev/null || true
    fi
    say "stopped $(basename "$f" .pid) (pid $pid)"
    rm -f "$f"
}

stop() {
    local f
    for f in "$dir"/slurmd*.started.pid; do [ -e "$f" ] && stop_pid "$f"; done
    stop_pid "$dir/slurmctld.started.pid"
    stop_pid "$dir/munge/munged.pid"
}

status() {
    local f pid rc=0
    for f in "$dir/slurmctld.started.pid" "$dir"/slurmd*.started.pid "$dir/munge/munged.pid"; do
        [ -e "$f" ] || continue
        if pid=$(alive "$f"); then say "$(basename "$f" .pid): running (pid $pid)"; else say "$(basename "$f" .pid): not running"; rc=3; fi
    done
    if [ $rc -eq 0 ]; then SLURM_CONF=$conf sinfo -N 2>&1 || true; fi
    return $rc
}

check_node() {  # check_node NAME: NAME is a simulated node of this cluster
    grep -qx -- "$1" <<< "$(node_names)" || { say "no simulated node '$1' in $dir (nodes: $(node_names | tr '\n' ' '))"; exit 2; }
}

descendants() {  # descendants PID: every descendant of PID, deepest first
    local child
    for child in $(pgrep -P "$1" || true); do
        descendants "$child"
        echo "$child"
    done
}

# node_stepds NAME: PIDs of the slurmstepd daemons of node NAME. A slurmstepd is detached from
# its slurmd (its parent is init) but writes to its node's log file, which identifies the node.
node_stepds() {
    local pid log=$dir/slurmd-$1.log
    for pid in $(pgrep -x slurmstepd || true); do
        if find "/proc/$pid/fd" -lname "$log" 2>/dev/null | grep . > /dev/null; then echo "$pid"; fi
    done
}

node_kill() {  # node_kill NAME...: all at once (the slurmds first, then the job processes)
    local name f pid procs="" names
    for name in "$@"; do check_node "$name"; done
    for name in "$@"; do
        f=$(slurmd_pidfile "$name")
        if pid=$(alive "$f"); then
            kill -KILL "$pid"
            say "node $name: slurmd (pid $pid) killed"
        fi
        rm -f "$f"
    done
    for name in "$@"; do
        for pid in $(node_stepds "$name"); do procs="$procs $(descendants "$pid" | tr '\n' ' ') $pid"; done
    done
    if [ -n "${procs// /}" ]; then
        # Stop them all first so that none reacts to the others' death, then kill.
        kill -STOP $procs 2>/dev/null || true
        kill -KILL $procs 2>/dev/null || true
        say "nodes $*: killed their job processes:$procs"
    fi
    # slurmctld would mark the silent nodes DOWN after SlurmdTimeout; do it now so that their jobs
    # end (and are requeued) at once instead of waiting in the completing state.
    names=$(IFS=,; echo "$*")
    SLURM_CONF=$conf scontrol update NodeName="$names" State=DOWN Reason="node-kill by slurm-local.sh"
    say "nodes $names: marked DOWN"
}

node_start() {  # node_start NAME...: each comes back as a replaced machine (empty spool)
    local name ok
    export SLURM_CONF=$conf
    for name in "$@"; do check_node "$name"; done
    for name in "$@"; do
        alive "$(slurmd_pidfile "$name")" > /dev/null && { say "node $name: slurmd already running"; continue; }
        # A killed node leaves its job steps' sockets and state in its spool directory; a step of
        # a requeued job with the same ids would then be refused there.
        rm -rf "$dir/spool-$name"
        start_slurmd "$name"
    done
    for _ in $(seq 300); do
        ok=1
        for name in "$@"; do
            [ "$(sinfo -h -n "$name" -N -o '%t' 2>/dev/null)" = idle ] && continue
            ok=0
            alive "$(slurmd_pidfile "$name")" > /dev/null || { say "node $name: slurmd died"; tail -n 20 "$dir/slurmd-$name.log"; exit 1; }
        done
        [ "$ok" = 1 ] && { say "nodes $*: slurmd started, idle"; return 0; }
        sleep 0.2
    done
    say "nodes $*: started but not all idle after 60 s"; sinfo -N
}

case "$cmd" in
    start) [ $# -le 3 ] || usage; start "${3:-1}" ;;
    stop) [ $# -eq 2 ] || usage; stop ;;
    status) [ $# -eq 2 ] || usage; status ;;
    node-kill) [ $# -ge 3 ] || usage; shift 2; node_kill "$@" ;;
    node-start) [ $# -ge 3 ] || usage; shift 2; node_start "$@" ;;
    *) usage ;;
esac
