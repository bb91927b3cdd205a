#!/usr/bin/env bash
# A real one-node Slurm cluster on this machine, for tests and demos (see docs/slurm.md).
#   slurm-local.sh start DIR    start munged, slurmctld and slurmd with their state, logs and a
#                               private munge socket in DIR; wait until the node is idle
#   slurm-local.sh stop DIR     stop exactly the daemons that `start DIR` started (by PID file)
#   slurm-local.sh status DIR   show the daemons and sinfo
# Afterwards use the cluster with: export SLURM_CONF=DIR/slurm.conf
# Needs root (the daemons run as root/munge). Ports: SLURM_LOCAL_CTLD_PORT (default 6817) and
# SLURM_LOCAL_SLURMD_PORT (default 6818).
set -euo pipefail

usage() {
    echo "usage: $0 start|stop|status DIR" >&2
    exit 2
}
[ $# -eq 2 ] || usage
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

write_conf() {
    local host cpus mem
    host=$(hostname -s)
    cpus=$(/usr/sbin/slurmd -C | sed -n 's/.*CPUs=\([0-9]*\).*/\1/p')
    mem=$(/usr/sbin/slurmd -C | sed -n 's/.*RealMemory=\([0-9]*\).*/\1/p')
    mem=$((mem * 9 / 10))
    mkdir -p "$dir/state" "$dir/spool"
    cat > "$conf" <<CONF
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
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=pmix
ReturnToService=2
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
SchedulerParameters=defer_batch=0,sched_interval=5,bf_interval=5
NodeName=$host CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
}

start() {
    for exe in /usr/sbin/munged /usr/sbin/slurmctld /usr/sbin/slurmd /usr/bin/sinfo; do
        [ -x "$exe" ] || { say "$exe is not installed (scripts/install-deps.sh installs Slurm)"; exit 1; }
    done
    [ "$(id -u)" -eq 0 ] || { say "must run as root"; exit 1; }
    if alive "$dir/slurmctld.pid" > /dev/null; then say "already running in $dir"; exit 0; fi
    write_conf
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

    # Started in the background in the foreground mode (-D); $! is the daemon itself.
    /usr/sbin/slurmctld -D -f "$conf" > "$dir/slurmctld.out" 2>&1 &
    echo $! > "$dir/slurmctld.started.pid"
    /usr/sbin/slurmd -D -f "$conf" > "$dir/slurmd.out" 2>&1 &
    echo $! > "$dir/slurmd.started.pid"

    for _ in $(seq 300); do
        if sinfo -h -o '%t' 2>/dev/null | grep -qx 'idle'; then
            say "cluster up in $dir: $(sinfo -h -o '%P %D %t %N' | head -n 1) (export SLURM_CONF=$conf)"
            return 0
        fi
        for d in slurmctld slurmd; do
            alive "$dir/$d.started.pid" > /dev/null || { say "$d died; log:"; tail -n 20 "$dir/$d.log" "$dir/$d.out" 2>/dev/null; stop; exit 1; }
        done
        sleep 0.2
    done
    say "node not idle after 60 s"; sinfo 2>&1 || true
    stop
    exit 1
}

stop() {
    local f pid
    for f in "$dir/slurmd.started.pid" "$dir/slurmctld.started.pid" "$dir/munge/munged.pid"; do
        pid=$(alive "$f") || { rm -f "$f"; continue; }
        kill -TERM "$pid" 2>/dev/null || true
        for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        if kill -0 "$pid" 2>/dev/null; then
            say "$(basename "$f" .pid) ($pid) ignored SIGTERM; sending SIGKILL"
            kill -KILL "$pid" 2>/dev/null || true
        fi
        say "stopped $(basename "$f" .pid) (pid $pid)"
        rm -f "$f"
    done
}

status() {
    local f pid rc=0
    for f in "$dir/slurmctld.started.pid" "$dir/slurmd.started.pid" "$dir/munge/munged.pid"; do
        if pid=$(alive "$f"); then say "$(basename "$f" .pid): running (pid $pid)"; else say "$(basename "$f" .pid): not running"; rc=3; fi
    done
    if [ $rc -eq 0 ]; then SLURM_CONF=$conf sinfo 2>&1 || true; fi
    return $rc
}

case "$cmd" in
    start) start ;;
    stop) stop ;;
    status) status ;;
    *) usage ;;
esac
