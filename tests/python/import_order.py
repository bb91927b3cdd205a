"""Import orders of cairn and mpi4py (a test program, one case per process).

usage: import_order.py CASE DIR
  mpi4py-first          mpi4py imported (and MPI initialised) before cairn, mode nonblocking:
                        init() must raise cairn.Error telling to import cairn first
  mpi4py-first-noinit   mpi4py imported first with rc.initialize = False, so cairn initialises MPI
                        but mpi4py is bound to libmpi directly: the probe must catch it
  mpi4py-first-blocking mpi4py first, mode="blocking": works (no interposition needed)
  cairn-first           the documented order: init() works and mpi4py's messages are counted
  mpi4py-first-preload  mpi4py first, libcairn preloaded (LD_PRELOAD, set by the caller): works,
                        the interposition is active
  preload-mode-keyword  the same with init(mode="blocking"): the mode was fixed at MPI_Init, a
                        clear cairn.Error
Prints "import_order.py: CASE OK" on rank 0 when the expectation held.
"""
import sys

case, d = sys.argv[1], sys.argv[2]
if case == "mpi4py-first-noinit":
    import mpi4py

    mpi4py.rc.initialize = False
if case != "cairn-first":
    from mpi4py import MPI
import cairn  # noqa: E402
from mpi4py import MPI  # noqa: E402,F811

ok = True
if case == "preload-mode-keyword":
    try:
        cairn.init(MPI.COMM_WORLD, dir=d, interval="off", mode="blocking")
        ok = False
        print(f"import_order.py: {case}: init() did not raise", flush=True)
    except cairn.Error as e:
        ok = "after MPI was initialised" in str(e) and "CAIRN_MODE" in str(e)
        print(f"import_order.py: {case}: {e}", flush=True)
elif case in ("mpi4py-first", "mpi4py-first-noinit"):
    try:
        cairn.init(MPI.COMM_WORLD, dir=d, interval="off")
        ok = False
        print(f"import_order.py: {case}: init() did not raise", flush=True)
        cairn.finalize()
    except cairn.Error as e:
        msg = str(e)
        words = ["Import cairn before", "LD_PRELOAD", "blocking"]
        words += ["bypass"] if case == "mpi4py-first-noinit" else ["mpi4py was imported before"]
        missing = [w for w in words if w not in msg]
        ok = not missing
        print(f"import_order.py: {case}: {msg}" + (f" (lacks {missing})" if missing else ""),
              flush=True)
else:
    mode = "blocking" if case == "mpi4py-first-blocking" else "nonblocking"
    with cairn.session(MPI.COMM_WORLD, dir=d, interval="off", mode=mode):
        comm = MPI.COMM_WORLD
        x = comm.allreduce(comm.Get_rank() + 1)
        ok = x == comm.Get_size() * (comm.Get_size() + 1) // 2
        cairn.checkpoint_now()
        ok = ok and cairn.committed_epochs() == [1]
        if case == "mpi4py-first-preload":
            ok = ok and cairn._core.layer_nonblocking()
if ok and (not MPI.Is_initialized() or MPI.Is_finalized() or MPI.COMM_WORLD.Get_rank() == 0):
    print(f"import_order.py: {case} OK", flush=True)
sys.exit(0 if ok else 1)
