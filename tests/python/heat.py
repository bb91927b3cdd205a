"""2-D heat solver in numpy over mpi4py, checkpointed with cairn (a test program).

Rows are split over the ranks; each rank holds its rows plus one halo row above and below,
exchanged every step with Sendrecv (even steps) or Isend/Irecv (odd steps). Each cell's update
is the same arithmetic whatever the decomposition, so the final field is bit-identical on any
rank count; rank 0 prints its SHA-256 ("heat: final checksum <16 hex digits>").

usage: heat.py [--nx N] [--ny N] [--steps N] [--sleep-ms MS] [--mode-print]
"""
import argparse
import hashlib
import sys
import time

import cairn  # before mpi4py (cairn's MPI wrappers must come first)
import numpy as np
from mpi4py import MPI


def parse():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--nx", type=int, default=64, help="columns")
    p.add_argument("--ny", type=int, default=48, help="rows")
    p.add_argument("--steps", type=int, default=200, help="steps of the whole run")
    p.add_argument("--sleep-ms", type=float, default=0, help="sleep per step (compute time)")
    return p.parse_args()


def rows_of(rank, size, ny):
    base, extra = divmod(ny, size)
    n = base + (1 if rank < extra else 0)
    return n, rank * base + min(rank, extra)


def exchange(comm, u, up, down, step):
    ly = u.shape[0] - 2
    if step % 2 == 0:
        comm.Sendrecv(u[1], dest=up, sendtag=1, recvbuf=u[ly + 1], source=down, recvtag=1)
        comm.Sendrecv(u[ly], dest=down, sendtag=2, recvbuf=u[0], source=up, recvtag=2)
    else:
        reqs = [comm.Irecv(u[0], source=up, tag=3), comm.Irecv(u[ly + 1], source=down, tag=4),
                comm.Isend(u[1], dest=up, tag=4), comm.Isend(u[ly], dest=down, tag=3)]
        MPI.Request.Waitall(reqs)


def main():
    a = parse()
    comm = MPI.COMM_WORLD
    # The computation is the grid: runs with other step counts or speeds continue each other.
    with cairn.session(comm, app_name="heat.py", run_key=f"nx={a.nx} ny={a.ny}"):
        rank, size = comm.Get_rank(), comm.Get_size()
        ly, y0 = rows_of(rank, size, a.ny)
        up = rank - 1 if rank > 0 else MPI.PROC_NULL
        down = rank + 1 if rank < size - 1 else MPI.PROC_NULL

        u = np.zeros((ly + 2, a.nx))
        gy = np.arange(y0, y0 + ly)[:, None]
        gx = np.arange(a.nx)[None, :]
        u[1:ly + 1] = np.sin(0.3 * gy) * np.cos(0.2 * gx) + (gy == 0)  # top edge held at 1
        step = np.zeros((), np.int64)
        cairn.register_distributed("temperature", u, global_shape=(a.ny, a.nx), offset=(y0, 0),
                                   halo=(1, 0))
        cairn.register("step", step)
        if cairn.restore() and rank == 0:
            print(f"heat: restarted from epoch {cairn.epoch()} at step {int(step)}", flush=True)
        if rank == 0:  # every rank is past init() (restore() is collective): signals are caught
            print(f"heat: running from step {int(step)}", flush=True)

        # Rows updated: not the first and last row of the whole field (fixed boundary).
        lo = 2 if y0 == 0 else 1
        hi = ly - 1 if y0 + ly == a.ny else ly
        while step < a.steps:
            exchange(comm, u, up, down, int(step))
            if hi >= lo:
                c = u[lo:hi + 1, 1:-1]
                new = c + 0.2 * (u[lo - 1:hi, 1:-1] + u[lo + 1:hi + 2, 1:-1]
                                 + u[lo:hi + 1, :-2] + u[lo:hi + 1, 2:] - 4.0 * c)
                u[lo:hi + 1, 1:-1] = new
            step += 1
            if a.sleep_ms:
                time.sleep(a.sleep_ms / 1000)
            cairn.safe_point()
            if cairn.exit_requested():
                return 0

        counts = comm.gather(ly * a.nx, root=0)
        whole = np.empty((a.ny, a.nx)) if rank == 0 else None
        comm.Gatherv(np.ascontiguousarray(u[1:ly + 1]),
                     [whole, counts] if rank == 0 else None, root=0)
        if rank == 0:
            digest = hashlib.sha256(whole.tobytes()).hexdigest()[:16]
            print(f"heat: final checksum {digest} after {int(step)} steps on {size} ranks",
                  flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
