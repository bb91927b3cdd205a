// Putting the header on the wire: packed [header | data] for small messages, a struct datatype
// {header storage, user data} for large ones. Both forms are byte-identical on the wire on a
// homogeneous system, so either side may choose independently (MPI_PACKED matches any type).
#pragma once

#include "header.hpp"

#include <mpi.h>

#include <cstdint>
#include <vector>

namespace cairn::detail {

/// What the wrappers need to know about a datatype on every message.
struct type_facts {
    bool known = false;  ///< a predefined type (the facts below are valid)
    bool dense = false;  ///< elements are dense (size == extent, lb == 0): MPI_Pack is a memcpy
    int size = 0;        ///< MPI_Type_size
};

/// Facts of a predefined type from a table built once (no MPI call); {known = false} for
/// derived types, whose handles may be freed and reused, so they are never cached.
type_facts facts_of(MPI_Datatype dt);

/// Bytes of `count` elements of `dt` (MPI_Type_size).
std::int64_t data_bytes(int count, MPI_Datatype dt);

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
void set_payload_count(MPI_Status* st, std::int64_t payload_bytes);

}  // namespace cairn::detail
