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


def check_channel(f):
    ch = f["cairn/channel"]
    msgs = ch["messages"][...]
    expect(msgs.shape == (6, 6) and msgs.dtype == np.uint64, "messages shape %s" % (msgs.shape,))
    index = [int(i) for i in ch["message_index"][...]]
    expect(index == [0, 0, 1, 3, 6], "message_index %s" % index)
    pindex = [int(i) for i in ch["payload_index"][...]]
    payload = ch["payload"][...]
    expect(payload.dtype == np.uint8 and payload.shape == (pindex[-1],), "payload shape")
    # rank 3's message 2: from source 2, tag 102, payload "r3m2"
    rec = msgs[index[3] + 2]
    expect(rec[:5].tolist() == [3, 1, 2, 102, 3], "message record %s" % rec)
    start = int(rec[5])
    end = int(msgs[index[3] + 3][5]) if index[3] + 3 < index[4] else pindex[4]
    expect(payload[start:end].tobytes() == b"r3m2", "payload %r" % payload[start:end].tobytes())
    sent = ch["sent_white"][...]
    expect(sent.shape == (NRANKS, NRANKS) and sent[2].tolist() == [20, 21, 22, 23],
           "sent_white %s" % sent)
    expect(ch["logged"][3].tolist() == [1, 1, 1, 0], "logged")
    h = xxh3_64()
    if h is None:
        return
    for r in range(NRANKS):
        data = msgs[index[r]:index[r + 1]].astype("<u8").tobytes()
        data += payload[pindex[r]:pindex[r + 1]].tobytes()
        for name in ("sent_white", "recv_before", "logged"):
            data += ch[name][r].astype("<u8").tobytes()
        expect(h(data) == f["cairn/checksum_channel"][r], "channel checksum of rank %d" % r)


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
        expect(int(a["color"]) == 85 and a["color"].dtype == np.uint64, "color")
        expect(int(a["stat_bytes"]) == 123456789012 and a["stat_bytes"].dtype == np.uint64,
               "stat_bytes")
        expect(float(a["stat_stall_seconds"]) == 0.25 and float(a["stat_write_seconds"]) == 1.75,
               "stat_*_seconds")
        expect(int(a["stat_nonblocking"]) == 1 and a["stat_nonblocking"].dtype == np.int32,
               "stat_nonblocking")
        for name in ("stat_messages_logged", "stat_aborted_epochs", "stat_staging_waits"):
            expect(a[name].dtype == np.uint64, name)
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
        check_channel(f)
    print("file_check_h5py: OK")


if __name__ == "__main__":
    main(sys.argv[1])
