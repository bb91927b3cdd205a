// The application's own MPI-IO, as far as a snapshot is concerned (boundary.hpp): blocking calls
// pass through (the application's files are its own state, written before or after the cut like
// any POSIX file); a nonblocking operation is remembered until a completion call sees its
// request done, and a split collective from its _begin to its _end, so that a safe point while
// one is pending refuses the commit. cairn's own MPI-IO (HDF5 on the I/O thread) runs in an
// internal scope and is not watched.
#include "boundary.hpp"
#include "internal.hpp"
#include "protocol.hpp"

#include <mpi.h>

using namespace cairn::detail;

namespace {

bool watching() { return protocol::get().active() && !in_internal_scope(); }

int started(int rc, MPI_Request* r, const char* call) {
    if (rc == MPI_SUCCESS && watching() && r != nullptr && *r != MPI_REQUEST_NULL) {
        boundary::io_started(*r, call);
    }
    return rc;
}

int split(int rc, MPI_File fh, const char* call, int delta) {
    if (rc == MPI_SUCCESS && watching()) boundary::split_io(fh, call, delta);
    return rc;
}

}  // namespace

// Nonblocking: (fh, [offset,] buf, count, type, request).
#define CAIRN_IIO(name, cbuf)                                                                   \
    int MPI_File_##name(MPI_File fh, cbuf void* buf, int count, MPI_Datatype dt,               \
                        MPI_Request* request) {                                                 \
        return started(PMPI_File_##name(fh, buf, count, dt, request), request,                  \
                       "MPI_File_" #name);                                                      \
    }
#define CAIRN_IIO_AT(name, cbuf)                                                                \
    int MPI_File_##name(MPI_File fh, MPI_Offset offset, cbuf void* buf, int count,              \
                        MPI_Datatype dt, MPI_Request* request) {                                \
        return started(PMPI_File_##name(fh, offset, buf, count, dt, request), request,          \
                       "MPI_File_" #name);                                                      \
    }
// Split collectives: name_begin opens, name_end closes.
#define CAIRN_SPLIT(name, cbuf)                                                                 \
    int MPI_File_##name##_begin(MPI_File fh, cbuf void* buf, int count, MPI_Datatype dt) {     \
        return split(PMPI_File_##name##_begin(fh, buf, count, dt), fh,                          \
                     "MPI_File_" #name "_begin", 1);                                            \
    }                                                                                           \
    int MPI_File_##name##_end(MPI_File fh, cbuf void* buf, MPI_Status* status) {                \
        return split(PMPI_File_##name##_end(fh, buf, status), fh, "", -1);                      \
    }
#define CAIRN_SPLIT_AT(name, cbuf)                                                              \
    int MPI_File_##name##_begin(MPI_File fh, MPI_Offset offset, cbuf void* buf, int count,     \
                                MPI_Datatype dt) {                                              \
        return split(PMPI_File_##name##_begin(fh, offset, buf, count, dt), fh,                  \
                     "MPI_File_" #name "_begin", 1);                                            \
    }                                                                                           \
    int MPI_File_##name##_end(MPI_File fh, cbuf void* buf, MPI_Status* status) {                \
        return split(PMPI_File_##name##_end(fh, buf, status), fh, "", -1);                      \
    }

extern "C" {

CAIRN_IIO(iread, )
CAIRN_IIO(iwrite, const)
CAIRN_IIO(iread_all, )
CAIRN_IIO(iwrite_all, const)
CAIRN_IIO(iread_shared, )
CAIRN_IIO(iwrite_shared, const)
CAIRN_IIO_AT(iread_at, )
CAIRN_IIO_AT(iwrite_at, const)
CAIRN_IIO_AT(iread_at_all, )
CAIRN_IIO_AT(iwrite_at_all, const)

CAIRN_SPLIT(read_all, )
CAIRN_SPLIT(write_all, const)
CAIRN_SPLIT(read_ordered, )
CAIRN_SPLIT(write_ordered, const)
CAIRN_SPLIT_AT(read_at_all, )
CAIRN_SPLIT_AT(write_at_all, const)

}  // extern "C"
