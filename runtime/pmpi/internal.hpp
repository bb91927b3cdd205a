// Marks code paths of cairn itself (HDF5 and the commit protocol, on any thread) so that the
// interposed MPI functions pass straight through to PMPI for them.
#pragma once

namespace cairn::detail {

/// True while the calling thread runs cairn-internal MPI work.
bool in_internal_scope();

/// RAII: marks the calling thread as internal for its lifetime (nests).
class internal_scope {
public:
    internal_scope();
    ~internal_scope();
    internal_scope(const internal_scope&) = delete;
    internal_scope& operator=(const internal_scope&) = delete;
};

}  // namespace cairn::detail
