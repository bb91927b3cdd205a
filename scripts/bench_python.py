"""Python side of scripts/bench-python.sh (run under mpiexec; prints `result <metric> <mib> <rep>
<seconds>` lines on rank 0, the maximum over ranks, as apps/bench/cairn_bench does).

usage: bench_python.py stall --mib N --reps N [--warmup S]
       bench_python.py messages --count N --reps N [--bytes B] [--no-cairn]

stall     every rank registers N MiB of touched float64 as one distributed numpy array; per
          repetition rank 0 requests a checkpoint and all ranks compute ~1 ms between safe points
          until the commit: the longest safe_point() is the stall (python_nonblocking_stall),
          next to a numpy copy of the same bytes just before (python_nonblocking_memcpy). The
          first checkpoint of the launch is reported apart (python_nonblocking_first_stall).
messages  ranks 0 and 1 exchange B-byte numpy arrays with comm.Send/comm.Recv, N round trips per
          repetition: the half round trip time (python_msg_with_cairn, or python_msg_plain with
          --no-cairn: cairn is not even imported, mpi4py initialises MPI itself).
"""
import argparse
import sys
import time

args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
args.add_argument("what", choices=["stall", "messages"])
args.add_argument("--mib", type=int, default=256)
args.add_argument("--reps", type=int, default=5)
args.add_argument("--warmup", type=float, default=0)
args.add_argument("--count", type=int, default=20000)
args.add_argument("--bytes", type=int, default=8)
args.add_argument("--no-cairn", action="store_true")
a = args.parse_args()

if not a.no_cairn:
    import cairn  # before mpi4py
import numpy as np  # noqa: E402
from mpi4py import MPI  # noqa: E402

if not a.no_cairn:
    cairn.init(app_name="bench_python")
comm = MPI.COMM_WORLD
rank, size = comm.Get_rank(), comm.Get_size()
now = time.perf_counter


def report(metric, mib, rep, seconds):
    worst = comm.reduce(seconds, op=MPI.MAX, root=0)
    if rank == 0:
        print(f"result {metric} {mib} {rep} {worst:.9f}", flush=True)


def compute(ms, scratch):
    end = now() + ms * 1e-3
    while now() < end:
        scratch *= 1.0000001
        scratch += 1e-9


def stall():
    n = a.mib * (1 << 20) // 8
    state = np.arange(n, dtype=np.uint64)
    state ^= np.uint64(rank)
    state = state.astype(np.float64)  # touched, the same values as cairn_bench's
    cairn.register_distributed("state", state, global_shape=(n * size,), offset=(n * rank,))
    copy = np.ones_like(state)
    scratch = np.ones(4096)
    t0 = now()
    go = a.warmup > 0
    while go:
        compute(1.0, scratch)
        cairn.safe_point()
        go = comm.bcast(now() - t0 < a.warmup, root=0)
    for rep in range(-1, a.reps):
        if rep >= 0:
            comm.Barrier()
            t = now()
            np.copyto(copy, state)
            report("python_nonblocking_memcpy", a.mib, rep, now() - t)
        comm.Barrier()
        e0 = cairn.epoch()
        if rank == 0:
            cairn.request_checkpoint()
        worst = 0.0
        done = False
        while not done:
            compute(1.0, scratch)
            t = now()
            cairn.safe_point()
            worst = max(worst, now() - t)
            done = comm.allreduce(cairn.epoch() > e0, op=MPI.LAND)
        name = "python_nonblocking_first_stall" if rep < 0 else "python_nonblocking_stall"
        report(name, a.mib, max(rep, 0), worst)


def messages():
    buf = np.zeros(max(a.bytes // 8, 1), np.float64)
    metric = "python_msg_plain" if a.no_cairn else "python_msg_with_cairn"
    for rep in range(-1, a.reps):  # -1: warm-up, not reported
        comm.Barrier()
        t = now()
        if rank == 0:
            for _ in range(a.count):
                comm.Send(buf, dest=1, tag=7)
                comm.Recv(buf, source=1, tag=7)
        elif rank == 1:
            for _ in range(a.count):
                comm.Recv(buf, source=0, tag=7)
                comm.Send(buf, dest=0, tag=7)
        half = (now() - t) / (2 * a.count)
        if rep >= 0:
            report(metric, a.bytes, rep, half)


stall() if a.what == "stall" else messages()
if not a.no_cairn:
    cairn.finalize()
sys.exit(0)
