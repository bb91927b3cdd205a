// Sections of the wrapper transparency test (wrap_transparency.cpp, wrap_sections.cpp).
#pragma once

#include "wrap_digest.hpp"

namespace wrap_test {

/// This rank and its ring neighbours in MPI_COMM_WORLD.
struct ring {
    int rank;
    int size;
    int right;  ///< (rank + 1) % size: where this rank sends
    int left;   ///< (rank - 1) % size: where it receives from
};

/// Even ranks send first, odd ranks receive first: a ring of blocking calls cannot deadlock.
template <class Send, class Recv>
void ordered(const ring& g, Send send, Recv recv) {
    if (g.rank % 2 == 0) {
        send();
        recv();
    } else {
        recv();
        send();
    }
}

/// Probe, Iprobe, Mprobe, Improbe with Recv, Mrecv, Imrecv (sizes below and above the threshold).
void probes(const ring& g, digest& d);
/// Request_get_status, Wait, Waitany, Waitsome, Test, Testany, Testsome, Testall; null requests.
void completion(const ring& g, digest& d);
/// Derived datatypes: vector, struct, count/elements of partial and mismatched receives.
void datatypes(const ring& g, digest& d);
/// A 4 MiB message (Isend and Issend) and non-overtaking across message sizes.
void large_and_order(const ring& g, digest& d);
/// Zero-byte messages, with and without a buffer, and probed.
void zero_bytes(const ring& g, digest& d);
/// Every call with MPI_PROC_NULL.
void proc_null(const ring& g, digest& d);
/// Small messages (the interposed stack fast path): sizes around its limit, ANY_SOURCE/ANY_TAG,
/// probes, other types on each side, truncated receives on every receive path.
void small_messages(const ring& g, digest& d);
/// Duplicated, split (reordered), Cartesian and inter-communicators.
void communicators(const ring& g, digest& d);

}  // namespace wrap_test
