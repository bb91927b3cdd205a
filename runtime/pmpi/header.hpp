// The piggybacked header every application point-to-point message carries in non-blocking mode.
#pragma once

#include <cstdint>

namespace cairn::detail {

/// The low 16 bits of the sender's epoch color, sent in front of the payload (packed messages) or
/// from separate storage through a struct datatype (large messages). Never visible to the
/// application. The receiver expands it to the full color relative to its own
/// (protocol::expand()): colors of messages in flight differ from the receiver's by a few epochs,
/// far less than the 32768 that 16 bits tell apart.
///
/// Two bytes rather than a full 32-bit color: an 8-byte payload plus this header is 10 bytes on
/// the wire, which Open MPI's shared-memory transport still sends on its shortest path (one byte
/// more costs it about 10% of the 8-byte latency on the development machine,
/// docs/benchmarks.md).
struct msg_header {
    std::uint16_t color = 0;
};
static_assert(sizeof(msg_header) == 2, "header is 2 bytes on the wire");

/// Size of the header on the wire.
inline constexpr int header_bytes = static_cast<int>(sizeof(msg_header));

/// Messages up to this many payload bytes are packed with the header into one buffer; larger ones
/// are sent zero-copy with a struct datatype {header, user data}.
inline constexpr std::int64_t pack_threshold = 16 * 1024;

}  // namespace cairn::detail
