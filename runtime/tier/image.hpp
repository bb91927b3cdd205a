// The rank image: one rank's share of a checkpoint as one self-describing byte string, the file
// format of the node-local tier and of partner copies (docs/tiers.md). Pure code, no MPI.
#pragma once

#include "../buffer.hpp"
#include "../channel.hpp"
#include "../h5/checkpoint_file.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace cairn::detail {

/// Version of the rank image layout (in its header).
inline constexpr std::uint32_t image_format_version = 1;

/// One buffer of a parsed image: its description (data points into the image bytes).
struct image_buffer {
    buffer_desc desc;             ///< name, kind, type, shape, count; data = packed bytes
    std::uint64_t checksum = 0;  ///< XXH3-64 of the packed bytes
};

/// A parsed, verified image. Buffer data points into `bytes`, which it owns.
struct rank_image {
    checkpoint_meta meta;  ///< epoch, safe point, color, rank count, application, stats
    int rank = 0;
    std::vector<image_buffer> buffers;
    channel_state channel;
    std::vector<unsigned char> bytes;
};

/// Serialises rank `rank`'s buffers (their blocks, halo cells left out) and channel state.
std::vector<unsigned char> build_image(const checkpoint_meta& meta, int rank,
                                       const std::vector<buffer_desc>& bufs,
                                       const channel_state& chan);

/// Verifies the trailer checksum, then every buffer checksum, and parses. Throws corrupt_error
/// saying what is wrong (`origin` names the file or sender in the message).
rank_image parse_image(std::vector<unsigned char> bytes, const std::string& origin);

/// Cheap check before a copy is stored: magic, length and trailer checksum. "" = sound.
std::string check_image(const std::vector<unsigned char>& bytes);

/// Copies the image's data into the registered buffers `bufs` (same names, kinds, types, global
/// shapes and blocks; variable buffers are resized through their callback). Throws
/// mismatch_error naming the difference.
void load_image(const rank_image& img, const std::vector<buffer_desc>& bufs);

}  // namespace cairn::detail
