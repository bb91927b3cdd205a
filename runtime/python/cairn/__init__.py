"""cairn: application-level checkpoint/restart for MPI programs (mpi4py + numpy).

Register the arrays that describe the computation, call safe_point() once per main-loop
iteration, and a killed job rerun with the same command resumes from its newest checkpoint::

    import cairn                      # before mpi4py: see "Import order" below
    from mpi4py import MPI
    import numpy as np

    with cairn.session(MPI.COMM_WORLD, interval="steps:100"):
        u = np.zeros((ny + 2, nx))    # this rank's rows plus two halo rows
        cairn.register_distributed("u", u, global_shape=(NY, nx), offset=(y0, 0), halo=(1, 0))
        step = np.zeros((), np.int64)  # scalars are 0-d arrays
        cairn.register("step", step)
        cairn.restore()               # loads the newest valid checkpoint, if any
        while step < nsteps:
            compute(u)
            step += 1
            cairn.safe_point()

Checkpoints are the same parallel HDF5 files as from C++ (h5py reads them, `cairn inspect`
shows them), written by the same runtime (libcairn).

Import order. In the default non-blocking mode cairn must see every message of the program:
its MPI wrappers (in libcairn) must come before the MPI library for mpi4py, and MPI must be
initialised by cairn.init(). `import cairn` arranges both when it comes before
`from mpi4py import MPI`: it loads libcairn with its MPI symbols visible to libraries loaded
later, and sets mpi4py.rc.initialize = False so that cairn.init() initialises MPI (and
finalize() finalises it). If mpi4py came first, cairn.init() raises cairn.Error saying so
(unless libcairn was preloaded: LD_PRELOAD=libcairn.so); mode="blocking" works in any order.

Configuration: keyword arguments of init() override the environment (CAIRN_*) and the file,
with the same keys and values (docs/configuration.md): init(interval="steps:50", keep=3,
mode="blocking", dir="ckpt"). True/False are accepted for on/off keys.
"""

import atexit as _atexit
import os as _os
import pickle as _pickle
import sys as _sys
from contextlib import contextmanager as _contextmanager

import numpy as _np

# libcairn's MPI_* wrappers must precede libmpi's in the process-wide symbol scope when mpi4py's
# extension is loaded: the extension module (and with it libcairn) is loaded RTLD_GLOBAL.
_dlopen_flags = _sys.getdlopenflags()
_sys.setdlopenflags(_dlopen_flags | _os.RTLD_GLOBAL)
try:
    from . import _cairn as _core
finally:
    _sys.setdlopenflags(_dlopen_flags)

Error = _core.Error
Error.__doc__ = ("Every error of cairn: the runtime's message names the rank, the host and what "
                 "was being done.")
Error.__module__ = "cairn"

#: True if mpi4py's MPI module was loaded before cairn (its MPI calls then bypass cairn unless
#: libcairn was preloaded; init() checks what actually happens).
_mpi4py_first = "mpi4py.MPI" in _sys.modules
if not _mpi4py_first:
    try:
        import mpi4py as _mpi4py

        # cairn.init() initialises MPI, through cairn's wrapper. mpi4py then leaves MPI_Finalize
        # to whoever initialised MPI: cairn.finalize(), or the program if it called MPI.Init().
        _mpi4py.rc.initialize = False
    except ImportError:  # cairn works without mpi4py (MPI_COMM_WORLD only)
        pass

__version__ = _core.version()
__all__ = [
    "Error", "init", "finalize", "session", "initialized", "register", "register_distributed",
    "register_object", "restore", "restarted", "safe_point", "checkpoint_now",
    "request_checkpoint", "exit_requested", "safe_point_index", "epoch", "committed_epochs",
]

_held = {}  # name -> registered object, kept alive until finalize() (cairn uses its memory)
_PROBE_TAG = 32100


def _error(what):
    """An Error whose message starts like the runtime's: "rank R on HOST: what"."""
    return Error(f"{_core.where()}: {what}")


def _config_value(value):
    if value is True:
        return "on"
    if value is False:
        return "off"
    return str(value)


def _comm_handle(comm):
    if comm is None:
        return None
    from mpi4py import MPI

    if not isinstance(comm, MPI.Comm):
        raise _error(f"cairn.init(): comm must be an mpi4py communicator, not "
                     f"{type(comm).__name__}")
    if comm == MPI.COMM_WORLD:
        return None  # usable before MPI is initialised
    return comm.py2f()


def _check_interposition():
    """Raises Error if mpi4py's messages would bypass cairn's wrappers (non-blocking mode)."""
    if not _core.layer_nonblocking() or "mpi4py.MPI" not in _sys.modules:
        return
    from mpi4py import MPI

    sent = _core.probe_send(_PROBE_TAG)
    buf = bytearray(len(sent) + 16)
    status = MPI.Status()
    MPI.COMM_SELF.Recv([buf, MPI.BYTE], source=0, tag=_PROBE_TAG, status=status)
    _core.probe_wait()
    n = status.Get_count(MPI.BYTE)
    if n != len(sent) or bytes(buf[:n]) != sent:
        raise _error(
            "cairn.init(): mpi4py's MPI calls bypass cairn's MPI wrappers "
            f"(a probe message arrived with {n} bytes instead of {len(sent)}): messages would "
            "not be tracked and non-blocking checkpoints would be inconsistent. Import cairn "
            "before `from mpi4py import MPI`, or preload libcairn (LD_PRELOAD=libcairn.so), or use "
            "mode='blocking'.")


def init(comm=None, *, app_name=None, config_file=None, thread_level=None, **config):
    """Initialises cairn (collective over comm; default MPI.COMM_WORLD).

    comm: an mpi4py communicator whose ranks take part. app_name: recorded in checkpoints
    (default: the script's file name). config_file: a `key = value` file (default:
    $CAIRN_CONFIG). thread_level: the MPI thread level the program needs when cairn initialises
    MPI (e.g. MPI.THREAD_MULTIPLE if several Python threads call MPI at once; default single).
    Keyword arguments are configuration keys (interval="steps:10", keep=3, mode="blocking",
    dir="ckpt", ...) and override the environment and the file.

    Initialises MPI if it is not yet (then finalize() finalises it). Raises Error on a bad
    configuration, or when mpi4py's traffic would bypass cairn in non-blocking mode.
    """
    if _core.initialized():
        raise _error("cairn.init() called twice (call cairn.finalize() first)")
    known = set(_core.config_keys())
    overrides = {}
    for key, value in config.items():
        k = key.lower()
        if k not in known:
            raise _error(f"invalid cairn configuration: cairn.init(): unknown key '{key}' "
                        f"(known keys: {', '.join(_core.config_keys())})")
        overrides["CAIRN_" + k.upper()] = _config_value(value)
    if app_name is None:
        app_name = _os.path.basename(_sys.argv[0]) if _sys.argv and _sys.argv[0] else "python"
    handle = _comm_handle(comm)
    # Keyword settings reach the runtime (and cairn's MPI_Init wrapper, which reads the mode)
    # as the environment would; the environment is put back afterwards.
    saved = {k: _os.environ.get(k) for k in overrides}
    _os.environ.update(overrides)
    try:
        _core.check_config(config_file or "")
        if (_core.mpi_initialized() and not _core.layer_initialized()
                and _core.requested_mode() == "nonblocking"):
            raise _error(
                "cairn.init(): mode=nonblocking needs MPI initialised "
                "through cairn, but MPI was initialised without cairn's wrapper"
                + (" (mpi4py was imported before cairn and initialised MPI itself)"
                   if _mpi4py_first else "")
                + ". Import cairn before `from mpi4py import MPI` (or preload libcairn: "
                "LD_PRELOAD=libcairn.so), or use mode='blocking'.")
        # The run identity's default key: the script's arguments (sys.argv[1:]), as a C++
        # program's is its arguments after the program name; run_key=... (or CAIRN_RUN_KEY)
        # wins over it.
        _core.init(handle, app_name, config_file or "",
                   _core.THREAD_SINGLE if thread_level is None else int(thread_level),
                   " ".join(_sys.argv[1:]))
    except Error as e:
        msg = str(e)
        for env in overrides:  # name the keyword, not the variable it travelled in
            msg = msg.replace("environment variable " + env, f"cairn.init({env[6:].lower()}=...)")
        if "CAIRN_MODE" in overrides:  # the mode is read at MPI_Init, which came before
            msg = msg.replace("was set in a config file passed to init()",
                              "was given to cairn.init() after MPI was initialised")
        raise Error(msg) from None
    finally:
        for k, v in saved.items():
            if v is None:
                _os.environ.pop(k, None)
            else:
                _os.environ[k] = v
    try:
        _check_interposition()
    except BaseException:
        finalize()
        raise


def finalize():
    """Waits for outstanding checkpoint work and releases cairn (collective). Finalises MPI if
    init() initialised it. Safe to call twice. Called at exit if the program did not (but not
    after an uncaught exception)."""
    try:
        _core.finalize()
    finally:
        _held.clear()


def _finalize_at_exit():
    # Like mpi4py, which finalises MPI at exit: a program that ends normally without finalize()
    # gets it here. Not after an uncaught exception (sys.last_value is set): finalize() is
    # collective and the other ranks may never get there.
    if _core.initialized() and not hasattr(_sys, "last_value"):
        finalize()


_atexit.register(_finalize_at_exit)


@_contextmanager
def session(comm=None, **kwargs):
    """`with cairn.session(comm, **config):` runs init() on entry and finalize() on a normal
    exit. On an exception the block's error propagates without finalize() (finalize is
    collective; the other ranks may not get there): the job ends and its checkpoints stay."""
    init(comm, **kwargs)
    yield
    finalize()


def initialized():
    """True between init() and finalize()."""
    return _core.initialized()


def register(name, array):
    """Registers a numpy array owned by this rank alone (a per-rank buffer), zero-copy: its memory
    is what is checkpointed and what restore() fills. Scalars: 0-d arrays (np.zeros((), np.int64)).

    The array must be C-contiguous, writeable, of dtype int8..int64, uint8..uint64, float32,
    float64 or bool, and must keep its memory until finalize() (compute in it in place: `u[:] =`,
    `u += `; rebinding the name to a new array leaves cairn with the old one)."""
    if not isinstance(array, _np.ndarray):
        raise _error(f"cairn.register('{name}'): a numpy array is needed, not "
                    f"{type(array).__name__} (cairn checkpoints the array's memory in place)")
    _core.register_array(name, array)
    _held[name] = array


def register_distributed(name, array, global_shape, offset, halo=0):
    """Registers this rank's block of a distributed array (1 to 3 dimensions), stored as one
    global dataset: restore() works on another rank count or decomposition.

    array: this rank's memory, the block plus `halo` cells on both sides of each dimension.
    global_shape: the whole array's shape. offset: where the block (without halo) starts in it.
    halo: an int for every dimension or one per dimension, e.g. (1, 0) for halo rows only."""
    if not isinstance(array, _np.ndarray):
        raise _error(f"cairn.register_distributed('{name}'): a numpy array is needed, "
                    f"not {type(array).__name__}")
    nd = array.ndim
    halo_t = (int(halo),) * nd if isinstance(halo, int) else tuple(int(h) for h in halo)
    _core.register_distributed(name, array, [int(g) for g in global_shape],
                               [int(o) for o in offset], list(halo_t))
    _held[name] = array


def register_object(name, save, load, *, format="1"):
    """Registers Python state saved by pickle: `save()` returns a picklable object at each
    checkpoint (dicts, counters, numpy's RNG state: rng.bit_generator.state), `load(obj)` gets it
    back during restore(). `format` is stored with it and must match on restore (change it when
    the saved structure changes)."""
    _core.register_object(name, "python-pickle:" + str(format),
                          lambda: _pickle.dumps(save(), protocol=4),
                          lambda data: load(_pickle.loads(data)))
    _held[name] = (save, load)


def restore():
    """Loads the newest valid checkpoint into the registered arrays and objects (collective).
    True if one was loaded, False if there was none. Raises Error if a checkpoint does not match
    the registration (name, dtype, size)."""
    return _core.restore()


def restarted():
    """True if restore() loaded a checkpoint in this run."""
    return _core.restarted()


def safe_point():
    """Marks a point where the registered state fully describes the computation; call it once
    per main-loop iteration on every rank. Checkpoints happen only here."""
    _core.safe_point()


def checkpoint_now():
    """Takes a checkpoint now (collective). Raises Error if it could not be committed."""
    _core.checkpoint_now()


def request_checkpoint():
    """Asks for a checkpoint at the next agreed safe point (any rank, not collective)."""
    _core.request_checkpoint()


def exit_requested():
    """True once a checkpoint-and-exit request (SIGUSR1 by default) was carried out: leave the
    main loop and finalize()."""
    return _core.exit_requested()


def safe_point_index():
    """Number of safe_point() calls so far (plus the restored count after a restart)."""
    return _core.safe_point_index()


def epoch():
    """Epoch of the newest committed (or restored) checkpoint; 0 if none."""
    return _core.epoch()


def committed_epochs():
    """Epochs of the committed checkpoints in the checkpoint directory, oldest first."""
    return list(_core.committed_epochs())
