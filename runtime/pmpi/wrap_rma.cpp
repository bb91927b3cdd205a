// Interposed one-sided (RMA) calls: passed to MPI unchanged; cairn notes open access/exposure
// epochs and operations not yet completed by a synchronisation, so that a snapshot cut while
// memory may still change is refused (boundary.hpp).
#include "boundary.hpp"
#include "internal.hpp"
#include "protocol.hpp"

#include <mpi.h>

using namespace cairn::detail;

namespace {

bool watching() { return protocol::get().active() && !in_internal_scope(); }

int op(int rc, MPI_Win win, int target, const char* call) {
    if (rc == MPI_SUCCESS && watching() && target != MPI_PROC_NULL) {
        boundary::rma_operation(win, target, call);
    }
    return rc;
}

int synced(int rc, MPI_Win win, int target) {
    if (rc == MPI_SUCCESS && watching()) boundary::rma_synchronised(win, target);
    return rc;
}

int epoch(int rc, MPI_Win win, const char* call, int delta) {
    if (rc == MPI_SUCCESS && watching()) boundary::rma_epoch(win, call, delta);
    return rc;
}

}  // namespace

extern "C" {

int MPI_Put(const void* oa, int oc, MPI_Datatype ot, int target, MPI_Aint td, int tc,
            MPI_Datatype tt, MPI_Win win) {
    return op(PMPI_Put(oa, oc, ot, target, td, tc, tt, win), win, target, "MPI_Put");
}

int MPI_Get(void* oa, int oc, MPI_Datatype ot, int target, MPI_Aint td, int tc, MPI_Datatype tt,
            MPI_Win win) {
    return op(PMPI_Get(oa, oc, ot, target, td, tc, tt, win), win, target, "MPI_Get");
}

int MPI_Accumulate(const void* oa, int oc, MPI_Datatype ot, int target, MPI_Aint td, int tc,
                   MPI_Datatype tt, MPI_Op o, MPI_Win win) {
    return op(PMPI_Accumulate(oa, oc, ot, target, td, tc, tt, o, win), win, target,
              "MPI_Accumulate");
}

int MPI_Get_accumulate(const void* oa, int oc, MPI_Datatype ot, void* ra, int rc,
                       MPI_Datatype rt, int target, MPI_Aint td, int tc, MPI_Datatype tt,
                       MPI_Op o, MPI_Win win) {
    return op(PMPI_Get_accumulate(oa, oc, ot, ra, rc, rt, target, td, tc, tt, o, win), win,
              target, "MPI_Get_accumulate");
}

int MPI_Fetch_and_op(const void* oa, void* ra, MPI_Datatype dt, int target, MPI_Aint td,
                     MPI_Op o, MPI_Win win) {
    return op(PMPI_Fetch_and_op(oa, ra, dt, target, td, o, win), win, target, "MPI_Fetch_and_op");
}

int MPI_Compare_and_swap(const void* oa, const void* ca, void* ra, MPI_Datatype dt, int target,
                         MPI_Aint td, MPI_Win win) {
    return op(PMPI_Compare_and_swap(oa, ca, ra, dt, target, td, win), win, target,
              "MPI_Compare_and_swap");
}

int MPI_Rput(const void* oa, int oc, MPI_Datatype ot, int target, MPI_Aint td, int tc,
             MPI_Datatype tt, MPI_Win win, MPI_Request* r) {
    return op(PMPI_Rput(oa, oc, ot, target, td, tc, tt, win, r), win, target, "MPI_Rput");
}

int MPI_Rget(void* oa, int oc, MPI_Datatype ot, int target, MPI_Aint td, int tc,
             MPI_Datatype tt, MPI_Win win, MPI_Request* r) {
    return op(PMPI_Rget(oa, oc, ot, target, td, tc, tt, win, r), win, target, "MPI_Rget");
}

int MPI_Raccumulate(const void* oa, int oc, MPI_Datatype ot, int target, MPI_Aint td, int tc,
                    MPI_Datatype tt, MPI_Op o, MPI_Win win, MPI_Request* r) {
    return op(PMPI_Raccumulate(oa, oc, ot, target, td, tc, tt, o, win, r), win, target,
              "MPI_Raccumulate");
}

int MPI_Rget_accumulate(const void* oa, int oc, MPI_Datatype ot, void* ra, int rc,
                        MPI_Datatype rt, int target, MPI_Aint td, int tc, MPI_Datatype tt,
                        MPI_Op o, MPI_Win win, MPI_Request* r) {
    return op(PMPI_Rget_accumulate(oa, oc, ot, ra, rc, rt, target, td, tc, tt, o, win, r), win,
              target, "MPI_Rget_accumulate");
}

int MPI_Win_fence(int assert_flags, MPI_Win win) {
    return synced(PMPI_Win_fence(assert_flags, win), win, MPI_PROC_NULL);
}

int MPI_Win_flush(int rank, MPI_Win win) { return synced(PMPI_Win_flush(rank, win), win, rank); }

int MPI_Win_flush_all(MPI_Win win) {
    return synced(PMPI_Win_flush_all(win), win, MPI_PROC_NULL);
}

int MPI_Win_unlock(int rank, MPI_Win win) { return synced(PMPI_Win_unlock(rank, win), win, rank); }

int MPI_Win_unlock_all(MPI_Win win) {
    return synced(PMPI_Win_unlock_all(win), win, MPI_PROC_NULL);
}

int MPI_Win_start(MPI_Group group, int assert_flags, MPI_Win win) {
    return epoch(PMPI_Win_start(group, assert_flags, win), win, "MPI_Win_start", 1);
}

int MPI_Win_complete(MPI_Win win) {
    const int rc = epoch(PMPI_Win_complete(win), win, "MPI_Win_complete", -1);
    return synced(rc, win, MPI_PROC_NULL);
}

int MPI_Win_post(MPI_Group group, int assert_flags, MPI_Win win) {
    return epoch(PMPI_Win_post(group, assert_flags, win), win, "MPI_Win_post", 1);
}

int MPI_Win_wait(MPI_Win win) { return epoch(PMPI_Win_wait(win), win, "MPI_Win_wait", -1); }

int MPI_Win_test(MPI_Win win, int* flag) {
    const int rc = PMPI_Win_test(win, flag);
    return *flag != 0 ? epoch(rc, win, "MPI_Win_test", -1) : rc;
}

int MPI_Win_free(MPI_Win* win) {
    const MPI_Win w = *win;
    const int rc = PMPI_Win_free(win);
    if (rc == MPI_SUCCESS && watching()) boundary::rma_freed(w);
    return rc;
}

}  // extern "C"
