"""The bank-transfer oracle in Python (a test program): mpi4py + numpy, checkpointed by cairn.

Every rank starts with the same balance and in each step sends a random amount to every other
rank (Isend); the transfers of step k are received in step k + delay (Irecv + Waitall or Waitany,
Iprobe + Recv, or Recv from any source, in turn), so transfers are in flight at every safe point.
Money is conserved; a consistent snapshot (balances plus cairn's channel log) conserves it too,
which the C++ bank_check verifies on the checkpoint files (same dataset names as apps/bank).
The random stream is numpy's Generator, its state registered as a pickled object.

usage: bank.py [--steps N] [--initial N] [--seed N] [--delay N] [--sleep-us N]
               [--uncoordinated PREFIX]
"""
import argparse
import sys
import time

import cairn  # before mpi4py: its messages must go through cairn's wrappers
import numpy as np
from mpi4py import MPI


def parse():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--steps", type=int, default=200)
    p.add_argument("--initial", type=int, default=1000000)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--delay", type=int, default=2)
    p.add_argument("--sleep-us", type=int, default=0)
    p.add_argument("--uncoordinated", default="",
                   help="rank r writes PREFIX.<r>.txt at step 50 + 3r (a snapshot without cairn)")
    return p.parse_args()


def tag_of(step):
    return 1 + step % 4096


def receive_step(comm, st, sent_step, now):
    rank, n = comm.Get_rank(), comm.Get_size() - 1
    tag = tag_of(sent_step)
    amounts = [np.zeros(1, np.int64) for _ in range(n)]
    statuses = [MPI.Status() for _ in range(n)]
    how = now % 4
    if how in (0, 2):
        reqs = [comm.Irecv(amounts[i], source=MPI.ANY_SOURCE, tag=tag) for i in range(n)]
        if how == 0:
            MPI.Request.Waitall(reqs, statuses)
        else:
            for _ in range(n):
                s = MPI.Status()
                i = MPI.Request.Waitany(reqs, s)
                statuses[i] = s
    elif how == 1:
        for i in range(n):
            while not comm.Iprobe(source=MPI.ANY_SOURCE, tag=tag, status=statuses[i]):
                pass
            comm.Recv(amounts[i], source=statuses[i].Get_source(), tag=tag, status=statuses[i])
    else:
        for i in range(n):
            comm.Recv(amounts[i], source=MPI.ANY_SOURCE, tag=tag, status=statuses[i])
    for a, s in zip(amounts, statuses):
        src = s.Get_source()
        if not 0 <= src <= n or src == rank or s.Get_tag() != tag:
            raise SystemExit(f"bank.py: rank {rank}: bad status source {src} tag {s.Get_tag()}")
        st["balance"] += a[0]
        st["recv_from"][src] += 1


def send_step(comm, st, rng, buf):
    rank, size = comm.Get_rank(), comm.Get_size()
    share = int(st["balance"]) // size
    reqs = []
    for peer in range(size):
        if peer == rank:
            continue
        amount = int(rng.integers(0, share + 1)) if rng.random() < 0.5 else 0
        st["balance"] -= amount
        buf[peer] = amount
        reqs.append(comm.Isend(buf[peer:peer + 1], dest=peer, tag=tag_of(int(st["step"]))))
        st["sent_to"][peer] += 1
    MPI.Request.Waitall(reqs)


def write_uncoordinated(prefix, rank, st):
    with open(f"{prefix}.{rank}.txt", "w") as f:
        f.write(f"rank {rank} step {int(st['step'])} balance {int(st['balance'])}\n")
        f.write("sent_to " + " ".join(str(v) for v in st["sent_to"]) + "\n")
        f.write("recv_from " + " ".join(str(v) for v in st["recv_from"]) + "\n")


def main():
    a = parse()
    comm = MPI.COMM_WORLD
    cairn.init(comm, app_name="bank.py")
    rank, size = comm.Get_rank(), comm.Get_size()
    st = {"balance": np.array(a.initial, np.int64), "step": np.zeros((), np.uint64),
          "sent_to": np.zeros(size, np.uint64), "recv_from": np.zeros(size, np.uint64)}
    for name, arr in st.items():
        cairn.register(name, arr)
    rng = np.random.default_rng(a.seed * 1000003 + rank)

    def load(state):
        rng.bit_generator.state = state

    cairn.register_object("rng", lambda: rng.bit_generator.state, load, format="pcg64")
    if cairn.restore() and rank == 0:
        print(f"bank: restarted from epoch {cairn.epoch()} at step {int(st['step'])}", flush=True)

    buf = np.zeros(size, np.int64)  # one slot per peer, alive until the sends complete
    while st["step"] < a.steps:
        step = int(st["step"])
        if step >= a.delay:
            receive_step(comm, st, step - a.delay, step)
        send_step(comm, st, rng, buf)
        st["step"] += np.uint64(1)
        if a.uncoordinated and int(st["step"]) == 50 + 3 * rank:
            write_uncoordinated(a.uncoordinated, rank, st)
        if a.sleep_us:
            time.sleep(a.sleep_us / 1e6)
        cairn.safe_point()
        if cairn.exit_requested():
            cairn.finalize()
            return 0
    for s in range(max(a.steps - a.delay, 0), a.steps):
        receive_step(comm, st, s, s + a.delay)

    sent = comm.allreduce(int(st["sent_to"].sum()))
    received = comm.allreduce(int(st["recv_from"].sum()))
    total = comm.reduce(int(st["balance"]), root=0)
    leftover = comm.Iprobe(source=MPI.ANY_SOURCE, tag=MPI.ANY_TAG)
    if rank == 0:
        print(f"bank: sent {sent} received {received}")
        print(f"bank: total {total} steps {int(st['step'])}", flush=True)
    cairn.finalize()
    return 0 if sent == received and not leftover else 1


if __name__ == "__main__":
    sys.exit(main())
