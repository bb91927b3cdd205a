// Erasure-coded redundancy sets of the node-local tier (docs/tiers.md): at a commit, the members
// of each set exchange their images' segments in chunks and each member writes its parity shares
// (encode); at a restart, the images of lost members are rebuilt from the surviving members'
// images and parity shares, and verified before they are loaded (rebuild). MPI point to point on
// the I/O thread's communicator, within a set.
#pragma once

#include "erasure.hpp"
#include "image.hpp"
#include "local_store.hpp"
#include "sets.hpp"

#include <mpi.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace cairn::detail {

class parity_sets {
public:
    /// `layout` from form_sets(); `use_xor` for xor sets (k = 1). `chunk` bytes per message (a
    /// multiple of 64).
    parity_sets(MPI_Comm comm, set_layout layout, int k, bool use_xor,
                std::size_t chunk = std::size_t{1} << 20);

    [[nodiscard]] const set_layout& layout() const { return layout_; }
    /// "set 0: ranks 0,2,4,6 (nodes ...)" lines for the log.
    [[nodiscard]] std::string describe(const node_table& t) const;

    /// This rank's parity shares of epoch e, written durably beside its image. Every member of
    /// a set must call it (ranks in no set return at once). "" or what went wrong on this rank
    /// (the set's members then all fail, and no parity file is left by this rank).
    std::string encode(const local_store& store, std::uint64_t e, int nranks);

    /// Outcome of a rebuild, the same on every rank except `image` and `error`.
    struct rebuild_result {
        std::vector<int> missing;  ///< ranks whose data exists nowhere (empty = all rebuilt)
        std::string why;           ///< why they are missing (per set)
        std::vector<std::pair<int, std::vector<int>>> rebuilt;  ///< (set, ranks rebuilt)
        std::optional<rank_image> image;  ///< this rank's image, rebuilt and verified, not loaded
        std::string error;                ///< this rank's rebuild failed (transfer, checksum)
    };
    /// Collective over the communicator. `have[r]`: rank r has a verified own image of epoch e.
    /// Ranks without one get theirs rebuilt in memory and verified by all its checksums, when
    /// their set lost no more than k members and enough verified cells remain. Nothing is loaded
    /// into any registered buffer: the caller loads once every rank has its data.
    rebuild_result rebuild(const local_store& store, std::uint64_t e, const std::vector<int>& have,
                           int verbose);

private:
    struct plan;
    MPI_Comm comm_;
    int rank_ = 0;
    int size_ = 0;
    set_layout layout_;
    int k_;
    bool xor_;
    std::size_t chunk_;
    std::vector<aligned_bytes> send_;  // chunk buffers, kept between checkpoints
    std::vector<aligned_bytes> recv_;
    std::vector<aligned_bytes> out_;
    void buffers(std::vector<aligned_bytes>& v, std::size_t n) const;
};

/// Reads `n` bytes at `off` of file descriptor `fd` into `dst`, zeros past the end of the file.
/// Throws std::runtime_error naming `path`.
void read_padded(int fd, const std::string& path, std::uint64_t off, unsigned char* dst,
                 std::size_t n);

}  // namespace cairn::detail
