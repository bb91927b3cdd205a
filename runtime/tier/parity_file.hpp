// The parity file of a redundancy set member (docs/tiers.md): the member's k parity shares of
// one epoch, with a header naming the set and the image sizes of all its members, and XXH3-64
// checksums like a rank image (header hash; per share hash and a hash of the hashes in the
// trailer, so shares are hashed as they are written). Pure code, no MPI.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace cairn::detail {

inline constexpr std::uint32_t parity_format_version = 1;

/// Everything of a parity file but its shares.
struct parity_head {
    std::uint64_t epoch = 0;
    int nranks = 0;
    int set = 0;           ///< set index
    int k = 0;             ///< parity shares per stripe (= shares in this file)
    int position = 0;      ///< the holder's index among the members
    bool use_xor = false;  ///< xor set (else Reed-Solomon)
    std::uint64_t segment = 0;  ///< bytes per share (images padded to members-k segments of this)
    std::uint64_t chunk = 0;    ///< shares are interleaved by chunks of this many bytes
    std::vector<int> members;                 ///< ranks of the set, by position
    std::vector<std::uint64_t> image_sizes;  ///< [position] length of that member's image
    [[nodiscard]] int m() const { return static_cast<int>(members.size()); }
    /// Bytes of the header (with its hash).
    [[nodiscard]] std::uint64_t head_size() const;
    /// Bytes of the whole file.
    [[nodiscard]] std::uint64_t file_size() const;
    /// Number of chunks per share and the length of chunk c.
    [[nodiscard]] std::uint64_t chunks() const;
    [[nodiscard]] std::uint64_t chunk_length(std::uint64_t c) const;
    /// Offset of chunk c of share j in the file (chunk c of every share, then chunk c+1...).
    [[nodiscard]] std::uint64_t offset(std::uint64_t c, int j) const;
};

/// The header bytes, ending with their hash.
std::vector<unsigned char> encode_parity_head(const parity_head& h);

/// Trailer built while the shares are written: per share hash, hash of the hashes, "CAIRNEND".
class parity_hashes {
public:
    explicit parity_hashes(const parity_head& h);
    ~parity_hashes();
    parity_hashes(const parity_hashes&) = delete;
    parity_hashes& operator=(const parity_hashes&) = delete;
    void add(int j, const unsigned char* p, std::size_t n);
    [[nodiscard]] std::vector<unsigned char> trailer() const;

private:
    struct state;
    std::unique_ptr<state> st_;
};

/// Reads and verifies the whole file (header hash, each share's hash, hash of the hashes, the
/// lengths). Throws corrupt_error naming the path and what is wrong (missing: the file is
/// missing), std::runtime_error on I/O errors.
parity_head verify_parity_file(const std::string& path);

}  // namespace cairn::detail
