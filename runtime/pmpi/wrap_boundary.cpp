// Interposed calls that cairn does not change but must know about, because a snapshot cut while
// they are in use could not be consistent (boundary.hpp): nonblocking and neighbourhood
// collectives (pending at a safe point), and the calls that connect to processes outside
// MPI_COMM_WORLD.
#include "boundary.hpp"
#include "internal.hpp"
#include "protocol.hpp"

#include <mpi.h>

using namespace cairn::detail;

namespace {

bool watching() { return protocol::get().active() && !in_internal_scope(); }

int started(int rc, MPI_Request* r, const char* call) {
    if (rc == MPI_SUCCESS && watching() && r != nullptr && *r != MPI_REQUEST_NULL) {
        boundary::collective_started(*r, call);
    }
    return rc;
}

int connected(int rc, const char* call) {
    if (rc == MPI_SUCCESS && watching()) boundary::note_dynamic(call);
    return rc;
}

}  // namespace

// One wrapper per nonblocking collective: the PMPI call, then its request is remembered until
// a completion call sees it done (wrap_complete.cpp).
#define CAIRN_NBC(name, params, args) \
    int MPI_##name params { return started(PMPI_##name args, request, "MPI_" #name); }

extern "C" {

CAIRN_NBC(Ibarrier, (MPI_Comm comm, MPI_Request* request), (comm, request))
CAIRN_NBC(Ibcast,
          (void* buf, int count, MPI_Datatype dt, int root, MPI_Comm comm, MPI_Request* request),
          (buf, count, dt, root, comm, request))
CAIRN_NBC(Igather,
          (const void* sb, int sc, MPI_Datatype st, void* rb, int rc, MPI_Datatype rt, int root,
           MPI_Comm comm, MPI_Request* request),
          (sb, sc, st, rb, rc, rt, root, comm, request))
CAIRN_NBC(Igatherv,
          (const void* sb, int sc, MPI_Datatype st, void* rb, const int rcs[], const int displs[],
           MPI_Datatype rt, int root, MPI_Comm comm, MPI_Request* request),
          (sb, sc, st, rb, rcs, displs, rt, root, comm, request))
CAIRN_NBC(Iscatter,
          (const void* sb, int sc, MPI_Datatype st, void* rb, int rc, MPI_Datatype rt, int root,
           MPI_Comm comm, MPI_Request* request),
          (sb, sc, st, rb, rc, rt, root, comm, request))
CAIRN_NBC(Iscatterv,
          (const void* sb, const int scs[], const int displs[], MPI_Datatype st, void* rb, int rc,
           MPI_Datatype rt, int root, MPI_Comm comm, MPI_Request* request),
          (sb, scs, displs, st, rb, rc, rt, root, comm, request))
CAIRN_NBC(Iallgather,
          (const void* sb, int sc, MPI_Datatype st, void* rb, int rc, MPI_Datatype rt,
           MPI_Comm comm, MPI_Request* request),
          (sb, sc, st, rb, rc, rt, comm, request))
CAIRN_NBC(Iallgatherv,
          (const void* sb, int sc, MPI_Datatype st, void* rb, const int rcs[], const int displs[],
           MPI_Datatype rt, MPI_Comm comm, MPI_Request* request),
          (sb, sc, st, rb, rcs, displs, rt, comm, request))
CAIRN_NBC(Ialltoall,
          (const void* sb, int sc, MPI_Datatype st, void* rb, int rc, MPI_Datatype rt,
           MPI_Comm comm, MPI_Request* request),
          (sb, sc, st, rb, rc, rt, comm, request))
CAIRN_NBC(Ialltoallv,
          (const void* sb, const int scs[], const int sd[], MPI_Datatype st, void* rb,
           const int rcs[], const int rd[], MPI_Datatype rt, MPI_Comm comm, MPI_Request* request),
          (sb, scs, sd, st, rb, rcs, rd, rt, comm, request))
CAIRN_NBC(Ialltoallw,
          (const void* sb, const int scs[], const int sd[], const MPI_Datatype sts[], void* rb,
           const int rcs[], const int rd[], const MPI_Datatype rts[], MPI_Comm comm,
           MPI_Request* request),
          (sb, scs, sd, sts, rb, rcs, rd, rts, comm, request))
CAIRN_NBC(Ireduce,
          (const void* sb, void* rb, int count, MPI_Datatype dt, MPI_Op op, int root,
           MPI_Comm comm, MPI_Request* request),
          (sb, rb, count, dt, op, root, comm, request))
CAIRN_NBC(Iallreduce,
          (const void* sb, void* rb, int count, MPI_Datatype dt, MPI_Op op, MPI_Comm comm,
           MPI_Request* request),
          (sb, rb, count, dt, op, comm, request))
CAIRN_NBC(Ireduce_scatter,
          (const void* sb, void* rb, const int rcs[], MPI_Datatype dt, MPI_Op op, MPI_Comm comm,
           MPI_Request* request),
          (sb, rb, rcs, dt, op, comm, request))
CAIRN_NBC(Ireduce_scatter_block,
          (const void* sb, void* rb, int rc, MPI_Datatype dt, MPI_Op op, MPI_Comm comm,
           MPI_Request* request),
          (sb, rb, rc, dt, op, comm, request))
CAIRN_NBC(Iscan,
          (const void* sb, void* rb, int count, MPI_Datatype dt, MPI_Op op, MPI_Comm comm,
           MPI_Request* request),
          (sb, rb, count, dt, op, comm, request))
CAIRN_NBC(Iexscan,
          (const void* sb, void* rb, int count, MPI_Datatype dt, MPI_Op op, MPI_Comm comm,
           MPI_Request* request),
          (sb, rb, count, dt, op, comm, request))
CAIRN_NBC(Ineighbor_allgather,
          (const void* sb, int sc, MPI_Datatype st, void* rb, int rc, MPI_Datatype rt,
           MPI_Comm comm, MPI_Request* request),
          (sb, sc, st, rb, rc, rt, comm, request))
CAIRN_NBC(Ineighbor_allgatherv,
          (const void* sb, int sc, MPI_Datatype st, void* rb, const int rcs[], const int displs[],
           MPI_Datatype rt, MPI_Comm comm, MPI_Request* request),
          (sb, sc, st, rb, rcs, displs, rt, comm, request))
CAIRN_NBC(Ineighbor_alltoall,
          (const void* sb, int sc, MPI_Datatype st, void* rb, int rc, MPI_Datatype rt,
           MPI_Comm comm, MPI_Request* request),
          (sb, sc, st, rb, rc, rt, comm, request))
CAIRN_NBC(Ineighbor_alltoallv,
          (const void* sb, const int scs[], const int sd[], MPI_Datatype st, void* rb,
           const int rcs[], const int rd[], MPI_Datatype rt, MPI_Comm comm, MPI_Request* request),
          (sb, scs, sd, st, rb, rcs, rd, rt, comm, request))
CAIRN_NBC(Ineighbor_alltoallw,
          (const void* sb, const int scs[], const MPI_Aint sd[], const MPI_Datatype sts[],
           void* rb, const int rcs[], const MPI_Aint rd[], const MPI_Datatype rts[],
           MPI_Comm comm, MPI_Request* request),
          (sb, scs, sd, sts, rb, rcs, rd, rts, comm, request))

int MPI_Comm_spawn(const char* command, char* argv[], int maxprocs, MPI_Info info, int root,
                   MPI_Comm comm, MPI_Comm* intercomm, int errcodes[]) {
    return connected(
        PMPI_Comm_spawn(command, argv, maxprocs, info, root, comm, intercomm, errcodes),
        "MPI_Comm_spawn");
}

int MPI_Comm_spawn_multiple(int count, char* commands[], char** argvs[], const int maxprocs[],
                            const MPI_Info infos[], int root, MPI_Comm comm, MPI_Comm* intercomm,
                            int errcodes[]) {
    return connected(PMPI_Comm_spawn_multiple(count, commands, argvs, maxprocs, infos, root, comm,
                                              intercomm, errcodes),
                     "MPI_Comm_spawn_multiple");
}

int MPI_Comm_connect(const char* port, MPI_Info info, int root, MPI_Comm comm, MPI_Comm* out) {
    return connected(PMPI_Comm_connect(port, info, root, comm, out), "MPI_Comm_connect");
}

int MPI_Comm_accept(const char* port, MPI_Info info, int root, MPI_Comm comm, MPI_Comm* out) {
    return connected(PMPI_Comm_accept(port, info, root, comm, out), "MPI_Comm_accept");
}

int MPI_Comm_join(int fd, MPI_Comm* out) {
    return connected(PMPI_Comm_join(fd, out), "MPI_Comm_join");
}

}  // extern "C"
