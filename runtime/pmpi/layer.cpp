#include "layer.hpp"

#include "boundary.hpp"

#include "common/config.hpp"
#include "comm_ids.hpp"
#include "piggyback.hpp"
#include "protocol.hpp"
#include "queue.hpp"

#include <link.h>

#include <algorithm>
#include <cstring>
#include <cstdio>

namespace cairn::detail {

namespace {
bool initialized = false;   // NOLINT: process-wide by nature
int thread_level = 0;       // NOLINT
int app_level = 0;          // NOLINT: the level the application was told (MPI_Init_thread)
MPI_Comm ctl = MPI_COMM_NULL;  // NOLINT: the protocol's private communicator
bool nonblocking_mode = false;  // NOLINT: the protocol was activated for the non-blocking mode
}  // namespace

std::string requested_mode() {
    try {
        const config c = load_config("", cairn_environment());
        if (!c.interpose) return c.nonblocking ? "" : "blocking-plain";
        return c.nonblocking ? "nonblocking" : "blocking";
    } catch (const std::exception&) {
        return "";  // cairn::init() reports the configuration error
    }
}

namespace {
int requested_verbosity() {
    try {
        return load_config("", cairn_environment()).verbose;
    } catch (const std::exception&) {
        return 0;
    }
}
}  // namespace

void layer_init(int provided, int required) {
    if (initialized) return;
    initialized = true;
    thread_level = provided;
    app_level = std::max<int>(MPI_THREAD_SINGLE, std::min(provided, required));
    comm_ids_init();
    predefined_type_table.build();
    MPI_Comm parent = MPI_COMM_NULL;
    PMPI_Comm_get_parent(&parent);
    if (parent != MPI_COMM_NULL) boundary::note_dynamic("started by MPI_Comm_spawn");
    // Both modes take the same consistent cut, so both put the color on every message. The
    // non-blocking mode needs MPI_THREAD_MULTIPLE (its progress and I/O threads call MPI while
    // the application does); the blocking mode runs the protocol on the application's thread.
    const std::string mode = requested_mode();
    if (mode.empty() || mode == "blocking-plain" ||
        (mode == "nonblocking" && provided < MPI_THREAD_MULTIPLE)) {
        return;
    }
    nonblocking_mode = mode == "nonblocking";
    int size = 0;
    int rank = 0;
    PMPI_Comm_size(MPI_COMM_WORLD, &size);
    PMPI_Comm_rank(MPI_COMM_WORLD, &rank);
    PMPI_Comm_dup(MPI_COMM_WORLD, &ctl);
    protocol::get().activate(ctl, size, rank, required < MPI_THREAD_MULTIPLE);
    if (rank == 0 && requested_verbosity() >= 2) {
        std::fprintf(stderr,
                     "cairn: MPI interposition active (%s snapshots) on %d ranks; "
                     "messages counted %s\n",
                     nonblocking_mode ? "non-blocking" : "blocking", size,
                     required < MPI_THREAD_MULTIPLE
                         ? "without a lock (the application calls MPI from one thread at a time)"
                         : "under a lock (the application asked for MPI_THREAD_MULTIPLE)");
    }
}

void layer_finalize() {
    if (!initialized) return;
    protocol::get().deactivate();
    message_queue::get().clear();
    if (ctl != MPI_COMM_NULL) PMPI_Comm_free(&ctl);
    comm_ids_finalize();
    initialized = false;
    nonblocking_mode = false;
}

std::string fortran_bindings_loaded() {
    // Open MPI's Fortran bindings (mpif.h, the mpi and mpi_f08 modules) live in libraries of
    // their own and call the C library's PMPI_ entry points, not the MPI_ ones cairn defines.
    std::string found;
    dl_iterate_phdr(
        [](dl_phdr_info* info, std::size_t, void* data) {
            const char* name = info->dlpi_name;
            if (name == nullptr) return 0;
            for (const char* lib : {"libmpi_mpifh", "libmpi_usempif08", "libmpi_usempi_ignore_tkr",
                                    "libmpifort"}) {
                if (std::strstr(name, lib) != nullptr) {
                    *static_cast<std::string*>(data) = lib;
                    return 1;
                }
            }
            return 0;
        },
        &found);
    return found;
}

bool layer_initialized() { return initialized; }
bool layer_nonblocking() { return protocol::get().active() && nonblocking_mode; }
bool layer_active() { return protocol::get().active(); }
int layer_thread_level() { return thread_level; }
int layer_app_thread_level() {
    return app_level;
}

}  // namespace cairn::detail
