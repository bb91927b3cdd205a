// Marks code paths of cairn itself (HDF5 and the commit protocol, on any thread) so that the
// interposed MPI functions pass straight through to PMPI for them.
#pragma once

namespace cairn::detail {

/// Nesting depth of internal_scope on this thread (internal.cpp). `__thread` with the
/// initial-exec model: read inline on every intercepted call, without a TLS wrapper or
/// __tls_get_addr call (libcairn is linked or preloaded, so its TLS is in the static block).
extern __thread int internal_depth __attribute__((tls_model("initial-exec")));

/// True while the calling thread runs cairn-internal MPI work.
inline bool in_internal_scope() { return internal_depth > 0; }

/// RAII: marks the calling thread as internal for its lifetime (nests).
class internal_scope {
public:
    internal_scope();
    ~internal_scope();
    internal_scope(const internal_scope&) = delete;
    internal_scope& operator=(const internal_scope&) = delete;
};

}  // namespace cairn::detail
