// The rank image: one rank's share of a checkpoint as one self-describing byte string, the file
// format of the node-local tier and of partner copies (docs/tiers.md). Pure code, no MPI.
// An image is written as pieces straight from the buffers (image_writer) and read straight
// into the registered buffers (read_image); no step holds a whole image in memory.
#pragma once

#include "common/buffer.hpp"
#include "common/channel.hpp"
#include "h5/checkpoint_file.hpp"
#include "bytes.hpp"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace cairn::detail {

/// Version of the rank image layout (in its header). Version 2 moved the checksums to a
/// trailer (per buffer, plus a hash of the hashes) so that data is hashed while it streams.
inline constexpr std::uint32_t image_format_version = 2;

/// One buffer of an image: its description (in a parsed image, data points into the bytes).
struct image_buffer {
    buffer_desc desc;             ///< name, kind, type, shape, count; data = packed bytes
    std::uint64_t checksum = 0;  ///< XXH3-64 of the packed bytes
};

/// Everything of an image except the buffer data.
struct image_head {
    checkpoint_meta meta;  ///< epoch, safe point, color, rank count, application, stats
    int rank = 0;
    std::vector<image_buffer> buffers;  ///< data == nullptr unless parsed from memory
    channel_state channel;
};

/// A parsed, verified image held in memory. Buffer data points into `bytes`, which it owns.
struct rank_image : image_head {
    std::vector<unsigned char> bytes;
};

/// Lays out rank `rank`'s image (buffers' blocks without halo cells, channel state). Holds only
/// the header; the data is read from `bufs` (which must outlive the writer) when emitted.
class image_writer {
public:
    image_writer(const checkpoint_meta& meta, int rank, const std::vector<buffer_desc>& bufs,
                 const channel_state& chan);
    /// Total length of the image in bytes.
    [[nodiscard]] std::uint64_t size() const { return total_; }
    /// Hands the image to `put` in order: header, each buffer's rows (pieces of at most 1 MiB,
    /// hashed as they pass), trailer. May be called again (hashes are recomputed).
    void emit(const piece_fn& put);

private:
    const std::vector<buffer_desc>& bufs_;
    std::vector<unsigned char> head_;
    std::vector<unsigned char> trailer_;
    std::uint64_t head_hash_ = 0;
    std::uint64_t total_ = 0;
};

/// The whole image as one byte string (for partner copies and tests).
std::vector<unsigned char> build_image(const checkpoint_meta& meta, int rank,
                                       const std::vector<buffer_desc>& bufs,
                                       const channel_state& chan);

/// As above, into `out` (cleared first; its capacity is reused).
void build_image(const checkpoint_meta& meta, int rank, const std::vector<buffer_desc>& bufs,
                 const channel_state& chan, std::vector<unsigned char>& out);

/// Called with the verified header before any data is read; throws to reject the image (e.g.
/// another rank's or epoch's).
using head_check = std::function<void(const image_head&)>;

/// Reads an image of `total` bytes from `in`: checks and verifies the header (its own
/// checksum), lets `accept` look at it, checks it against the registration `bufs` (same names,
/// kinds, types, global shapes and blocks; throws mismatch_error naming the difference), resizes
/// variable buffers through their callback, reads each buffer's data straight into the
/// registered memory while hashing it, and verifies the trailer. Throws corrupt_error naming
/// `origin` and what is wrong. The registered buffers may have been written to when it throws;
/// only a normal return means they hold the checkpoint.
image_head read_image(byte_source& in, std::uint64_t total, const std::string& origin,
                      const head_check& accept, const std::vector<buffer_desc>& bufs);

/// Reads and verifies an image without loading it anywhere. "" = sound, else what is wrong.
std::string verify_image(byte_source& in, std::uint64_t total);

/// Verifies every checksum and parses an image held in memory. Throws corrupt_error saying what
/// is wrong (`origin` names the file or sender in the message).
rank_image parse_image(std::vector<unsigned char> bytes, const std::string& origin);

/// Full check of an image in memory (header, every buffer, trailer). "" = sound.
std::string check_image(const std::vector<unsigned char>& bytes);

/// Copies a parsed image's data into the registered buffers `bufs` (same checks as read_image).
void load_image(const rank_image& img, const std::vector<buffer_desc>& bufs);

}  // namespace cairn::detail
