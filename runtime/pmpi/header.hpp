// The piggybacked header every application point-to-point message carries in non-blocking mode.
#pragma once

#include <cstdint>

namespace cairn::detail {

/// {epoch color, sequence number}, sent in front of the payload (packed messages) or from separate
/// storage through a struct datatype (large messages). Never visible to the application.
struct msg_header {
    std::uint32_t color = 0;  ///< sender's epoch color when it sent the message
    std::uint32_t seq = 0;    ///< sender's running message number (diagnostics)
};
static_assert(sizeof(msg_header) == 8, "header is 8 bytes on the wire");

/// Size of the header on the wire.
inline constexpr int header_bytes = static_cast<int>(sizeof(msg_header));

/// Messages up to this many payload bytes are packed with the header into one buffer; larger ones
/// are sent zero-copy with a struct datatype {header, user data}.
inline constexpr std::int64_t pack_threshold = 16 * 1024;

}  // namespace cairn::detail
