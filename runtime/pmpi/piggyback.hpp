// Putting the header on the wire: packed [header | data] for small messages, a struct datatype
// {header storage, user data} for large ones. Both forms are byte-identical on the wire on a
// homogeneous system, so either side may choose independently (MPI_PACKED matches any type).
#pragma once

#include "header.hpp"

#include <mpi.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

namespace cairn::detail {

/// What the wrappers need to know about a datatype on every message.
struct type_facts {
    bool known = false;  ///< a predefined type (the facts below are valid)
    bool dense = false;  ///< elements are dense (size == extent, lb == 0): MPI_Pack is a memcpy
    int size = 0;        ///< MPI_Type_size
};

/// The facts of the predefined types, asked of MPI once by build() (at MPI_Init). Predefined
/// handles are constants for the life of MPI and are never freed, so their facts can be kept;
/// derived types cannot (a freed handle value may come back as another type).
struct predefined_types {
    static constexpr std::size_t max_types = 48;
    std::array<MPI_Datatype, max_types> handle{};
    std::array<type_facts, max_types> facts{};
    std::size_t n = 0;  ///< 0 until build(): every type is then asked of MPI
    /// Fills the table (after MPI_Init; again is harmless).
    void build();
};

/// The one table (piggyback.cpp); namespace-scope so that facts_of() inlines on the fast path.
extern predefined_types predefined_type_table;

/// Facts of a predefined type from the table (no MPI call, no function call); {known = false}
/// for derived types, whose handles are never cached. The most frequent types come first.
inline type_facts facts_of(MPI_Datatype dt) {
    const predefined_types& t = predefined_type_table;
    for (std::size_t i = 0; i < t.n; ++i) {
        if (t.handle[i] == dt) return t.facts[i];
    }
    return {};
}

/// Copies n bytes, sizeof(W) <= n <= 2 * sizeof(W), as two overlapping fixed-size moves.
template <class W>
inline void copy_overlapping(unsigned char* d, const unsigned char* s, std::size_t n) {
    W a{};
    W b{};
    std::memcpy(&a, s, sizeof(W));
    std::memcpy(&b, s + n - sizeof(W), sizeof(W));
    std::memcpy(d, &a, sizeof(W));
    std::memcpy(d + n - sizeof(W), &b, sizeof(W));
}

/// memcpy of at most a few hundred bytes without a library call for up to 16 bytes, the sizes
/// of most small messages.
inline void copy_small(void* dst, const void* src, std::size_t n) {
    auto* d = static_cast<unsigned char*>(dst);
    const auto* s = static_cast<const unsigned char*>(src);
    if (n > 16) {
        std::memcpy(d, s, n);
    } else if (n >= 8) {
        copy_overlapping<std::uint64_t>(d, s, n);
    } else if (n >= 4) {
        copy_overlapping<std::uint32_t>(d, s, n);
    } else {
        for (std::size_t i = 0; i < n; ++i) d[i] = s[i];
    }
}

/// Bytes of `count` elements of `dt` (MPI_Type_size).
std::int64_t data_bytes(int count, MPI_Datatype dt);

/// Payload bytes up to which blocking sends and receives of a dense predefined type build or
/// receive the wire message [header | data] in a buffer on the stack: no allocation, no
/// thread-local lookup, one type-table lookup per message (the small-message fast path).
inline constexpr std::int64_t stack_payload = 256;

/// Bytes of `count` x `dt` if `dt` is a dense predefined type and they fit the stack buffer of
/// the fast path; -1 otherwise (negative counts included: MPI reports those itself).
inline std::int64_t fast_path_bytes(int count, MPI_Datatype dt) {
    const type_facts f = facts_of(dt);
    if (!f.known || !f.dense || count < 0) return -1;
    const std::int64_t n = static_cast<std::int64_t>(f.size) * count;
    return n <= stack_payload ? n : -1;
}

/// Bytes a completed receive got (what MPI_Get_elements_x with MPI_BYTE answers). Open MPI's
/// status keeps exactly this in its public `_ucount` field, read directly on the per-message path.
inline MPI_Count received_bytes(const MPI_Status* st) {
#if defined(OPEN_MPI) && OPEN_MPI
    return static_cast<MPI_Count>(st->_ucount);
#else
    MPI_Count n = 0;
    PMPI_Get_elements_x(st, MPI_BYTE, &n);
    return n;
#endif
}

/// True if `rc` is MPI_ERR_TRUNCATE (the message was longer than the receive buffer: MPI
/// delivered what fits and the status counts the whole message, as in plain MPI).
inline bool truncated(int rc) {
    if (rc == MPI_SUCCESS) return false;
    int cls = MPI_SUCCESS;
    PMPI_Error_class(rc, &cls);
    return cls == MPI_ERR_TRUNCATE;
}

/// True if the packed form should be used for sending this many payload bytes.
inline bool use_packed(std::int64_t bytes) { return bytes <= pack_threshold; }

/// True if `dt` is a predefined type with dense elements (memcpy is its MPI_Pack).
bool dense_type(MPI_Datatype dt);

/// True if a receive of `count` x `dt` should use a packed bounce buffer. Derived datatypes use
/// the struct path, where MPI itself fills a partly received last element as plain MPI does.
inline bool receive_packed(int count, MPI_Datatype dt) {
    return dense_type(dt) && use_packed(data_bytes(count, dt));
}

/// Builds [header | data] into `out`.
void pack_message(const msg_header& h, const void* buf, int count, MPI_Datatype dt, MPI_Comm comm,
                  std::vector<unsigned char>& out);

/// Capacity in bytes for receiving `count` elements of `dt` packed behind a header.
int packed_capacity(int count, MPI_Datatype dt, MPI_Comm comm);

/// Splits a received [header | data] of `nbytes`: fills `h`, unpacks the data into the user
/// buffer, returns the payload byte count. Returns -1 if the message is shorter than a header.
std::int64_t unpack_message(const unsigned char* in, int nbytes, msg_header& h, void* buf,
                            int count, MPI_Datatype dt, MPI_Comm comm);

/// MPI_Pack bytes of the first `payload_bytes` of data in a user buffer (for the channel log).
std::vector<unsigned char> pack_payload(const void* buf, std::int64_t payload_bytes, int count,
                                        MPI_Datatype dt, MPI_Comm comm);

/// Unpacks logged payload bytes into a user buffer. Returns MPI_SUCCESS or MPI_ERR_TRUNCATE.
int unpack_payload(const std::vector<unsigned char>& payload, void* buf, int count,
                   MPI_Datatype dt, MPI_Comm comm);

/// Committed struct datatype {8 bytes at h, count x dt at buf}, to be used with MPI_BOTTOM.
/// The caller frees it (MPI_Type_free is allowed while a request uses it).
MPI_Datatype header_struct_type(const msg_header* h, const void* buf, int count, MPI_Datatype dt);

/// Sets the element count a status reports to `payload_bytes` bytes (MPI_Get_count then
/// answers as plain MPI would for the application's datatype).
inline void set_payload_count(MPI_Status* st, std::int64_t payload_bytes) {
#if defined(OPEN_MPI) && OPEN_MPI
    st->_ucount = static_cast<std::size_t>(payload_bytes);  // == MPI_Status_set_elements_x(MPI_BYTE)
#else
    PMPI_Status_set_elements_x(st, MPI_BYTE, static_cast<MPI_Count>(payload_bytes));
#endif
}

}  // namespace cairn::detail
