// Interposed MPI_Init/MPI_Init_thread/MPI_Finalize and communicator creation (stable ids).
#include "comm_ids.hpp"
#include "internal.hpp"
#include "layer.hpp"

#include <mpi.h>

using namespace cairn::detail;

namespace {

int after_create(int rc, MPI_Comm* out) {
    if (rc == MPI_SUCCESS && out != nullptr && !in_internal_scope() && layer_initialized()) {
        register_new_comm(*out);
    }
    return rc;
}

}  // namespace

extern "C" {

int MPI_Init(int* argc, char*** argv) {
    int provided = 0;
    return MPI_Init_thread(argc, argv, MPI_THREAD_SINGLE, &provided);
}

int MPI_Init_thread(int* argc, char*** argv, int required, int* provided) {
    // The background I/O thread needs MPI_THREAD_MULTIPLE; the application gets at least what it
    // asked for.
    const int rc = PMPI_Init_thread(argc, argv, MPI_THREAD_MULTIPLE, provided);
    if (rc != MPI_SUCCESS) return rc;
    layer_init(*provided, required);
    *provided = layer_app_thread_level();
    return rc;
}

int MPI_Query_thread(int* provided) {
    // The level the application was given, not the MULTIPLE cairn asked for itself: a library
    // that checks it before calling MPI from several threads must see what the application chose.
    if (!layer_initialized()) return PMPI_Query_thread(provided);
    *provided = layer_app_thread_level();
    return MPI_SUCCESS;
}

int MPI_Finalize(void) {
    layer_finalize();
    return PMPI_Finalize();
}

int MPI_Intercomm_create(MPI_Comm local, int local_leader, MPI_Comm peer, int remote_leader,
                         int tag, MPI_Comm* out) {
    return after_create(
        PMPI_Intercomm_create(local, local_leader, peer, remote_leader, tag, out), out);
}

int MPI_Intercomm_merge(MPI_Comm inter, int high, MPI_Comm* out) {
    return after_create(PMPI_Intercomm_merge(inter, high, out), out);
}

int MPI_Comm_dup(MPI_Comm comm, MPI_Comm* out) { return after_create(PMPI_Comm_dup(comm, out), out); }

int MPI_Comm_dup_with_info(MPI_Comm comm, MPI_Info info, MPI_Comm* out) {
    return after_create(PMPI_Comm_dup_with_info(comm, info, out), out);
}

int MPI_Comm_split(MPI_Comm comm, int color, int key, MPI_Comm* out) {
    return after_create(PMPI_Comm_split(comm, color, key, out), out);
}

int MPI_Comm_split_type(MPI_Comm comm, int type, int key, MPI_Info info, MPI_Comm* out) {
    return after_create(PMPI_Comm_split_type(comm, type, key, info, out), out);
}

int MPI_Comm_create(MPI_Comm comm, MPI_Group group, MPI_Comm* out) {
    return after_create(PMPI_Comm_create(comm, group, out), out);
}

int MPI_Comm_create_group(MPI_Comm comm, MPI_Group group, int tag, MPI_Comm* out) {
    return after_create(PMPI_Comm_create_group(comm, group, tag, out), out);
}

int MPI_Cart_create(MPI_Comm comm, int ndims, const int dims[], const int periods[], int reorder,
                    MPI_Comm* out) {
    return after_create(PMPI_Cart_create(comm, ndims, dims, periods, reorder, out), out);
}

int MPI_Cart_sub(MPI_Comm comm, const int remain[], MPI_Comm* out) {
    return after_create(PMPI_Cart_sub(comm, remain, out), out);
}

int MPI_Graph_create(MPI_Comm comm, int nnodes, const int index[], const int edges[], int reorder,
                     MPI_Comm* out) {
    return after_create(PMPI_Graph_create(comm, nnodes, index, edges, reorder, out), out);
}

int MPI_Dist_graph_create_adjacent(MPI_Comm comm, int indeg, const int sources[],
                                   const int sourceweights[], int outdeg, const int dests[],
                                   const int destweights[], MPI_Info info, int reorder,
                                   MPI_Comm* out) {
    return after_create(PMPI_Dist_graph_create_adjacent(comm, indeg, sources, sourceweights,
                                                        outdeg, dests, destweights, info, reorder,
                                                        out),
                        out);
}

int MPI_Dist_graph_create(MPI_Comm comm, int n, const int sources[], const int degrees[],
                          const int dests[], const int weights[], MPI_Info info, int reorder,
                          MPI_Comm* out) {
    return after_create(
        PMPI_Dist_graph_create(comm, n, sources, degrees, dests, weights, info, reorder, out), out);
}

}  // extern "C"
