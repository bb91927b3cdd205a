// Files of one node's local tier directory: rank images, partner copies and the per-epoch
// marker that says a checkpoint is committed there. POSIX only, no MPI.
#pragma once

#include "bytes.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace cairn::detail {

/// Contents of <node dir>/epoch.<E>.done (key = value lines).
struct tier_marker {
    std::uint64_t epoch = 0;
    int nranks = 0;
    std::string dir;       ///< the shared checkpoint directory of the job that wrote it
    bool partner = false;  ///< every rank's partner copy (or parity share) is stored
    bool shared = false;   ///< the checkpoint is committed in the shared directory too
    std::string redundancy = "partner";  ///< scheme of `partner`: partner, xor:N or rs:N+K
    [[nodiscard]] std::string tiers() const;  ///< "local", "local,partner", "local,rs:4+2", ...
};

/// One node's directory of the local tier.
class local_store {
public:
    explicit local_store(std::string node_dir) : dir_(std::move(node_dir)) {}
    [[nodiscard]] const std::string& dir() const { return dir_; }
    [[nodiscard]] std::string epoch_dir(std::uint64_t e) const;
    [[nodiscard]] std::string own_path(std::uint64_t e, int rank) const;
    [[nodiscard]] std::string partner_path(std::uint64_t e, int rank) const;
    [[nodiscard]] std::string parity_path(std::uint64_t e, int rank) const;
    [[nodiscard]] std::string marker_path(std::uint64_t e) const;

    /// Writes `bytes` as `path` durably: <path>.tmp, fsync, rename, fsync of the directory
    /// (creates the epoch directory). Throws std::runtime_error naming the path.
    void write_durable(const std::string& path, const std::vector<unsigned char>& bytes) const;

    /// As above for content produced in pieces: `produce` is called with a function that takes
    /// each piece; pieces are written with writev in batches, without copying them. With
    /// `transient`, each piece is written before the function returns (for pieces whose memory
    /// is reused at once, such as received chunks).
    void write_durable(const std::string& path,
                       const std::function<void(const piece_fn&)>& produce,
                       bool transient = false) const;

    /// Whole file, or nullopt when it does not exist. Throws std::runtime_error on read errors.
    static std::optional<std::vector<unsigned char>> read(const std::string& path);

    /// Writes the marker atomically (tmp + rename). Throws std::runtime_error.
    void write_marker(const tier_marker& m) const;

    /// The marker of epoch e, or nullopt when missing or unreadable.
    [[nodiscard]] std::optional<tier_marker> read_marker(std::uint64_t e) const;

    /// Epochs with a marker, ascending (a missing directory has none).
    [[nodiscard]] std::vector<std::uint64_t> committed() const;

    /// Epoch directories without a marker (interrupted checkpoints), ascending.
    [[nodiscard]] std::vector<std::uint64_t> uncommitted() const;

    /// Removes epoch e: the marker first (so it no longer counts), then its files and directory.
    /// Returns "" or what could not be removed.
    std::string remove_epoch(std::uint64_t e) const;

    /// Removes this rank's files of an epoch that did not commit.
    void remove_rank_files(std::uint64_t e, int rank) const;

private:
    std::string dir_;
};

/// A file read front to back: large reads go straight to their destination, small ones through
/// a 1 MiB buffer.
class file_source final : public byte_source {
public:
    /// Opens `path`; nullopt-like: ok() is false when it does not exist. Throws
    /// std::runtime_error on other errors.
    explicit file_source(std::string path);
    ~file_source() override;
    [[nodiscard]] bool ok() const { return fd_ >= 0; }
    [[nodiscard]] std::uint64_t size() const { return size_; }
    void read(unsigned char* dst, std::size_t n) override;
    void skim(std::size_t n, const piece_fn& f) override;

private:
    void fill();
    std::string path_;
    int fd_ = -1;
    std::uint64_t size_ = 0;
    std::vector<unsigned char> buf_;
    std::size_t pos_ = 0;  // next unread byte in buf_
    std::size_t end_ = 0;  // bytes valid in buf_
};

}  // namespace cairn::detail
