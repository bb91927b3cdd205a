"""Cases of the Python API run by tests/python/api_errors.sh, one per process (a test program).

usage: cases.py CASE DIR      (under mpiexec; DIR is the checkpoint directory)

Each case prints "cases.py: CASE OK" on rank 0 when every check held and exits 1 otherwise.
  misuse         calls before init, a bad config key, non-contiguous / read-only / unsupported
                 arrays, a wrong halo, then a correct session
  badvalue       init(keep=0): a bad configuration value raises at init
  write          writes every supported dtype, 0-d scalars, a distributed array and an object
  read           restores what `write` wrote and compares it value for value
  read-dtype     restores with one array's dtype changed: a clear error naming the array
  read-format    restores with another format tag for the object: a clear error naming it
  no-finalize    ends without finalize(): cairn finalises at exit and the job ends cleanly
  subcomm        the program initialises MPI itself and passes a communicator of its own;
                 run twice: checkpoint, then restore
  save-error     an object's save() raises: checkpoint_now() raises cairn.Error naming it, the
                 previous checkpoint stays
  gil            another Python thread runs while checkpoint_now() waits for a late rank
"""
import atexit
import os
import sys


def _check_finalized_at_exit():
    """Registered before cairn is imported, so it runs after cairn's exit handler."""
    if sys.argv[1:2] != ["no-finalize"]:
        return
    import cairn  # noqa: F811 - already imported; only for the check
    from mpi4py import MPI
    if cairn.initialized() or not MPI.Is_finalized():
        print("cases.py: FAILED: cairn was not finalised at exit", flush=True)
        os._exit(3)
    if os.environ.get("OMPI_COMM_WORLD_RANK", "0") == "0":
        print("cases.py: no-finalize OK", flush=True)


atexit.register(_check_finalized_at_exit)

import cairn  # noqa: E402 - before mpi4py
import numpy as np  # noqa: E402
from mpi4py import MPI  # noqa: E402

DTYPES = ["int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64", "float32",
          "float64", "bool"]
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print(f"cases.py: rank {MPI.COMM_WORLD.Get_rank()}: FAILED: {what}", flush=True)


def raises(fn, *words):
    """fn() must raise cairn.Error whose message contains every word."""
    try:
        fn()
    except cairn.Error as e:
        msg = str(e)
        missing = [w for w in words if w not in msg]
        check(not missing, f"error message {msg!r} lacks {missing}")
        if MPI.Is_initialized() and not MPI.Is_finalized() and MPI.COMM_WORLD.Get_rank() == 0:
            print(f"cases.py: raised as expected: {msg}", flush=True)
        return msg
    except Exception as e:  # noqa: BLE001 - any other type is a failure of the check
        check(False, f"expected cairn.Error with {words}, got {type(e).__name__}: {e}")
        return ""
    check(False, f"expected cairn.Error with {words}, nothing raised")
    return ""


def state(rank, dtype_of_u="float64", tag="1"):
    """The registered state of write/read: values depend on the rank."""
    arrays = {}
    for i, dt in enumerate(DTYPES):
        a = np.zeros(5 + rank, dt)
        arrays[dt] = a
        cairn.register("a_" + dt, a)
    step = np.zeros((), np.int64)
    cairn.register("step", step)
    u = np.zeros((4 + 2, 3), dtype_of_u)  # 4 rows per rank plus halo rows
    cairn.register_distributed("u", u, global_shape=(4 * MPI.COMM_WORLD.Get_size(), 3),
                               offset=(4 * rank, 0), halo=(1, 0))
    obj = {"value": None}
    cairn.register_object("settings", lambda: obj["value"], lambda v: obj.update(value=v),
                          format=tag)
    return arrays, step, u, obj


def fill(rank, arrays, step, u, obj):
    for i, (dt, a) in enumerate(arrays.items()):
        a[:] = (np.arange(a.size) * (i + 1) + rank) % 2 if dt == "bool" else \
            (np.arange(a.size) * (i + 1) + rank)
    step[()] = 1000 + rank
    u[1:5] = np.arange(12).reshape(4, 3) + 0.5 + 100 * rank
    obj["value"] = {"rank": rank, "name": "heat", "seeds": [rank, 7, 11], "x": 0.25}


def case_misuse(comm, d):
    raises(cairn.restore, "init")
    raises(cairn.safe_point, "init")
    raises(lambda: cairn.init(comm, kep=3), "unknown key 'kep'", "keep")
    os.environ["CAIRN_INTERVAL"] = "steps:1"  # the keyword below must win over it
    cairn.init(comm, dir=d, interval="off", restart="never")
    check(os.environ.get("CAIRN_INTERVAL") == "steps:1", "init() did not put the environment back")
    raises(lambda: cairn.init(comm), "twice")
    a = np.zeros((6, 4))
    raises(lambda: cairn.register("strided", a[:, 1]), "'strided'", "not C-contiguous")
    raises(lambda: cairn.register("transposed", a.T), "'transposed'", "not C-contiguous")
    ro = np.zeros(4)
    ro.flags.writeable = False
    raises(lambda: cairn.register("ro", ro), "'ro'", "read-only")
    raises(lambda: cairn.register("c", np.zeros(3, np.complex128)), "'c'", "complex128",
           "supported")
    raises(lambda: cairn.register("big", np.zeros(3, ">f8")), "'big'", "byte order")
    raises(lambda: cairn.register("list", [1.0, 2.0]), "'list'", "numpy array")
    raises(lambda: cairn.register_distributed("h", a, (6, 4), (0, 0), halo=3), "'h'", "halo")
    raises(lambda: cairn.register_distributed("nd", a, (6,), (0,)), "'nd'", "dimensions")
    good = np.arange(4.0)
    cairn.register("good", good)
    raises(lambda: cairn.register("good", np.zeros(2)), "good")
    check(cairn.restore() is False, "restore() with restart=never loaded something")
    for _ in range(3):
        cairn.safe_point()
    check(cairn.committed_epochs() == [], "interval='off' lost against CAIRN_INTERVAL=steps:1")
    cairn.checkpoint_now()
    check(cairn.epoch() == 1 and cairn.committed_epochs() == [1],
          f"epoch {cairn.epoch()} committed {cairn.committed_epochs()} after checkpoint_now")
    cairn.finalize()
    cairn.finalize()  # harmless
    raises(cairn.epoch, "init")


def case_badvalue(comm, d):
    raises(lambda: cairn.init(comm, dir=d, keep=0), "keep")
    raises(lambda: cairn.init(comm, dir=d, interval="sometimes"), "interval", "sometimes")
    check(not MPI.Is_initialized(), "a bad configuration initialised MPI")
    with cairn.session(comm, dir=d, interval="off"):  # fixed: init works in the same process
        check(cairn.initialized(), "init after the corrected configuration")


def case_write(comm, d):
    with cairn.session(comm, dir=d, interval="off"):
        rank = comm.Get_rank()
        st = state(rank)
        check(cairn.restore() is False, "write: found a checkpoint in a fresh directory")
        fill(rank, *st)
        cairn.checkpoint_now()


def case_read(comm, d):
    with cairn.session(comm, dir=d, interval="off", restart="required"):
        rank = comm.Get_rank()
        got = state(rank)
        check(cairn.restore() is True and cairn.restarted(), "read: nothing restored")
        arrays, step, u, obj = got
        want_arrays = {dt: np.zeros_like(a) for dt, a in arrays.items()}
        want = (want_arrays, np.zeros((), np.int64), np.zeros_like(u), {"value": None})
        fill(rank, *want)
        for dt in DTYPES:
            check(np.array_equal(arrays[dt], want[0][dt]) and arrays[dt].dtype == np.dtype(dt),
                  f"read: {dt} differs: {arrays[dt]} vs {want[0][dt]}")
        check(int(step) == 1000 + rank, f"read: step {step}")
        check(np.array_equal(u[1:5], want[2][1:5]), "read: distributed array differs")
        check(obj == want[3], f"read: object {obj} vs {want[3]}")


def case_read_dtype(comm, d):
    cairn.init(comm, dir=d, interval="off", restart="required")
    state(comm.Get_rank(), dtype_of_u="float32")
    raises(cairn.restore, "'u'", "float")
    cairn.finalize()


def case_read_format(comm, d):
    cairn.init(comm, dir=d, interval="off", restart="required")
    state(comm.Get_rank(), tag="2")
    raises(cairn.restore, "settings", "python-pickle:2")
    cairn.finalize()


def case_no_finalize(comm, d):
    cairn.init(comm, dir=d, interval="off")
    x = np.arange(3.0)
    cairn.register("x", x)
    cairn.checkpoint_now()  # finalize() left to the exit handler: the job must end cleanly


def case_gil(comm, d):
    import threading
    import time

    # No forced GIL hand-over: the helper thread runs only if the main thread releases the GIL.
    sys.setswitchinterval(100.0)
    cairn.init(comm, dir=d, interval="off")
    x = np.zeros(1000)
    cairn.register("x", x)
    in_call = [False]
    saw = []
    go = threading.Event()
    helper = threading.Thread(target=lambda: (go.wait(), saw.append(in_call[0])))
    helper.start()
    if comm.Get_rank() == 1:
        time.sleep(1.0)  # rank 0 waits in the collective checkpoint_now() for 1 s at least
    in_call[0] = True
    go.set()
    cairn.checkpoint_now()
    in_call[0] = False
    helper.join()
    if comm.Get_rank() == 0:
        check(saw == [True], "another thread could not run while checkpoint_now() waited "
                             "(the GIL was held)")
    cairn.finalize()


def case_subcomm(comm, d):
    MPI.Init()  # the program initialises MPI itself (after import cairn: through cairn)
    sub = comm.Split(0, comm.Get_size() - 1 - comm.Get_rank())  # all ranks, reversed order
    cairn.init(sub, dir=d, interval="off")
    x = np.full(4, float(sub.Get_rank()))
    cairn.register("x", x)
    if not cairn.restore():
        cairn.checkpoint_now()
    else:
        check(np.all(x == sub.Get_rank()), f"subcomm: restored {x} on rank {sub.Get_rank()}")
        if sub.Get_rank() == 0:
            print("cases.py: subcomm restored", flush=True)
    cairn.finalize()
    check(not MPI.Is_finalized(), "cairn finalised MPI that the program initialised")
    sub.Free()
    MPI.Finalize()  # the program initialised MPI, the program finalises it


def case_save_error(comm, d):
    with cairn.session(comm, dir=d, interval="off"):
        x = np.arange(4.0)
        cairn.register("x", x)
        fail = [False]

        def save():
            if fail[0]:
                raise ValueError("cannot save this")
            return {"ok": True}

        cairn.register_object("o", save, lambda v: None)
        cairn.checkpoint_now()
        fail[0] = True
        raises(cairn.checkpoint_now, "'o'", "ValueError", "cannot save this", "not committed")
        check(cairn.committed_epochs() == [1], f"committed {cairn.committed_epochs()}: the "
              "failed checkpoint touched the good one")
        fail[0] = False


def main():
    case, d = sys.argv[1], sys.argv[2]
    # The cases of one directory (write, then read, read-dtype, read-format) are one computation
    # run with other arguments: one run key for all, as a user gives with run_key=... .
    os.environ["CAIRN_RUN_KEY"] = "cases.py"
    comm = MPI.COMM_WORLD
    {"misuse": case_misuse, "badvalue": case_badvalue, "write": case_write, "read": case_read,
     "read-dtype": case_read_dtype, "read-format": case_read_format,
     "no-finalize": case_no_finalize, "gil": case_gil,
     "subcomm": case_subcomm, "save-error": case_save_error}[case](comm, d)
    if not failures and comm_rank() == 0 and case != "no-finalize":
        print(f"cases.py: {case} OK", flush=True)
    return 0 if not failures else 1


def comm_rank():
    return int(MPI.COMM_WORLD.Get_rank()) if MPI.Is_initialized() and not MPI.Is_finalized() \
        else int(__import__("os").environ.get("OMPI_COMM_WORLD_RANK", "0"))


if __name__ == "__main__":
    sys.exit(main())
