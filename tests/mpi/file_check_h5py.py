"""Reads a checkpoint written by tests/mpi/file_tools.cpp with h5py only, as a user would.

Exits non-zero (with a message) when anything differs from docs/file-format.md.
"""
import ctypes
import ctypes.util
import sys

import h5py
import numpy as np

NY, NX, NRANKS = 6, 8, 4


def fail(msg):
    print("file_check_h5py: FAILED: " + msg)
    sys.exit(1)


def expect(cond, msg):
    if not cond:
        fail(msg)


def xxh3_64():
    """XXH3_64bits from the system's libxxhash through ctypes, or None."""
    name = ctypes.util.find_library("xxhash") or "libxxhash.so.0"
    try:
        lib = ctypes.CDLL(name)
    except OSError:
        return None
    lib.XXH3_64bits.restype = ctypes.c_uint64
    lib.XXH3_64bits.argtypes = [ctypes.c_char_p, ctypes.c_size_t]
    return lambda b: lib.XXH3_64bits(b, len(b))


def check_checksums(f):
    h = xxh3_64()
    if h is None:
        print("file_check_h5py: libxxhash not loadable, checksums not recomputed")
        return
    g = f["data/grid"]
    for r, (off, ext) in enumerate(f["cairn/layout/grid"][...]):
        sel = tuple(slice(o, o + e) for o, e in zip(off[:g.ndim], ext[:g.ndim]))
        block = np.ascontiguousarray(g[sel]).tobytes()
        expect(h(block) == f["cairn/checksum/grid"][r], "checksum of grid block %d" % r)
    index = f["cairn/index/counts"][...]
    for r in range(NRANKS):
        part = f["data/counts"][index[r]:index[r + 1]].tobytes()
        expect(h(part) == f["cairn/checksum/counts"][r], "checksum of counts rank %d" % r)


def main(path):
    with h5py.File(path, "r") as f:
        a = f.attrs
        expect(a["cairn_format"] == "cairn-checkpoint", "cairn_format %r" % a["cairn_format"])
        expect(int(a["format_version"]) == 1, "format_version")
        expect(a["format_version"].dtype == np.uint32, "format_version dtype")
        expect(int(a["epoch"]) == 42 and a["epoch"].dtype == np.uint64, "epoch")
        expect(int(a["safe_point"]) == 1042, "safe_point")
        expect(int(a["nranks"]) == NRANKS and a["nranks"].dtype == np.int32, "nranks")
        expect(a["app_name"] == "toolcheck", "app_name %r" % a["app_name"])
        expect(int(a["time_unix"]) == 1700000000, "time_unix")
        expect(a["time_iso"] == "2023-11-14T22:13:20Z", "time_iso")
        expect(a["job_id"] == "job-77", "job_id")
        expect(a["checksum_algorithm"] == "xxh3-64", "checksum_algorithm")
        expect(float(a["interval_t"]) == 3219.9, "interval_t")
        for name in ("cairn_version", "interval_delta", "interval_mtbf"):
            expect(name in a, "missing attribute " + name)

        grid = f["data/grid"]
        expect(grid.shape == (NY, NX), "grid shape %s" % (grid.shape,))
        expect(grid.dtype == np.float64, "grid dtype %s" % grid.dtype)
        expect(grid.attrs["kind"] == "distributed", "grid kind")
        expect(grid.attrs["type"] == "float64", "grid type")
        want = np.fromfunction(lambda i, j: 1000.0 * i + j, (NY, NX))
        expect(np.array_equal(grid[...], want), "grid values\n%s" % grid[...])

        layout = f["cairn/layout/grid"][...]
        expect(layout.shape == (NRANKS, 2, 3) and layout.dtype == np.uint64, "layout shape")
        expect(layout[3].tolist() == [[3, 5, 0], [3, 3, 0]], "layout of rank 3 %s" % layout[3])
        expect(f["cairn/checksum/grid"].shape == (NRANKS,), "grid checksum shape")

        counts = f["data/counts"]
        expect(counts.attrs["kind"] == "per_rank" and counts.attrs["type"] == "int64", "counts attrs")
        expect(counts.dtype == np.int64 and counts.shape == (10,), "counts shape %s" % (counts.shape,))
        index = f["cairn/index/counts"][...]
        expect(index.tolist() == [0, 1, 3, 6, 10] and index.dtype == np.uint64, "index %s" % index)
        for r in range(NRANKS):
            part = counts[index[r]:index[r + 1]]
            expect(part.tolist() == [100 * r + k for k in range(r + 1)], "counts of rank %d" % r)
        expect("counts" not in f["cairn/layout"], "per-rank buffer has a layout")
        expect("grid" not in f["cairn/index"], "distributed buffer has an index")
        check_checksums(f)
    print("file_check_h5py: OK")


if __name__ == "__main__":
    main(sys.argv[1])
