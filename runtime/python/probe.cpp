// Does another library's MPI traffic (mpi4py's) go through cairn's wrappers? In non-blocking mode
// every message carries cairn's header. The probe sends one message to this process with cairn's
// own MPI_Isend (looked up in libcairn itself, whatever the process-wide binding is); the caller
// receives it through the other library. Received through cairn's wrappers, it arrives as sent
// (the header taken off); received by MPI directly, it arrives with the header in front, longer.
// The message is counted on both sides only when the check passes.
#include "python/bindings.hpp"

#include "common/error.hpp"

#include <cairn/cairn.hpp>

#include <dlfcn.h>
#include <mpi.h>

#include <string>

namespace py = pybind11;

namespace cairn::python {

namespace {

using isend_fn = int (*)(const void*, int, MPI_Datatype, int, int, MPI_Comm, MPI_Request*);
using wait_fn = int (*)(MPI_Request*, MPI_Status*);

constexpr char probe_payload[] = "cairn-interposition-probe";
MPI_Request probe_request = MPI_REQUEST_NULL;  // NOLINT: one probe at a time, at init

/// The definition of `symbol` in libcairn itself (not the first one in the process).
void* cairn_symbol(const char* symbol) {
    Dl_info info{};
    if (dladdr(reinterpret_cast<void*>(&cairn::version), &info) == 0 || info.dli_fname == nullptr) {
        throw detail::make_error("cairn.init(): cannot find the cairn library in this process");
    }
    void* lib = dlopen(info.dli_fname, RTLD_LAZY | RTLD_NOLOAD);
    if (lib == nullptr) throw detail::make_error(std::string("cairn.init(): dlopen: ") + dlerror());
    void* f = dlsym(lib, symbol);
    dlclose(lib);
    if (f == nullptr)
        throw detail::make_error(std::string("cairn.init(): no ") + symbol + " in libcairn");
    return f;
}

/// Starts the probe message to rank 0 of MPI_COMM_SELF with `tag`; returns its payload.
py::bytes probe_send(int tag) {
    auto isend = reinterpret_cast<isend_fn>(cairn_symbol("MPI_Isend"));
    const int n = static_cast<int>(sizeof probe_payload - 1);
    if (isend(probe_payload, n, MPI_BYTE, 0, tag, MPI_COMM_SELF, &probe_request) != MPI_SUCCESS) {
        throw detail::make_error("cairn.init(): the interposition probe's MPI_Isend failed");
    }
    return {probe_payload, static_cast<std::size_t>(n)};
}

/// Completes the probe message (after the caller received it).
void probe_wait() {
    auto wait = reinterpret_cast<wait_fn>(cairn_symbol("MPI_Wait"));
    wait(&probe_request, MPI_STATUS_IGNORE);
}

}  // namespace

void add_probe(py::module_& m) {
    m.def("probe_send", &probe_send, py::arg("tag"));
    m.def("probe_wait", &probe_wait);
}

}  // namespace cairn::python
