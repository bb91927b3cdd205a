// Positional file I/O that bypasses the page cache (O_DIRECT), for the raw data of checkpoint
// files (docs/tuning.md, "I/O performance"). No HDF5 here: the HDF5 layer finds where a rank's
// block lies in the file and hands the byte range to this class.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

namespace cairn::detail {

/// One file opened twice: with O_DIRECT for the aligned middle of a range, buffered for the
/// unaligned head and tail (at most one block each). Data goes through a reused aligned bounce
/// buffer, so the caller's memory needs no alignment. Not thread-safe; one object per thread.
class direct_file {
public:
    /// Alignment of offsets, lengths and memory for O_DIRECT (covers 512 and 4096 byte sectors).
    static constexpr std::size_t align = 4096;

    /// Size of one O_DIRECT request. Measured on the development VM (docs/benchmarks.md, "Where
    /// the time goes"): writes were fastest in 8 MiB pieces; restores of 4 x 64 MiB took about
    /// 20% less time in 1 MiB pieces than in 8 MiB ones (a fresh process also faults in a
    /// smaller bounce buffer).
    static constexpr std::size_t write_piece = std::size_t{8} << 20U;
    static constexpr std::size_t read_piece = std::size_t{1} << 20U;

    /// Opens an existing `path` for writing (`for_write`) or reading. Throws std::runtime_error
    /// (with the path and errno text) when either open fails, e.g. O_DIRECT is not supported by
    /// the file system (tmpfs), unless `buffered_fallback`: then every transfer is buffered
    /// where O_DIRECT cannot be opened (direct() tells which).
    direct_file(const std::string& path, bool for_write, bool buffered_fallback = false);
    direct_file(const direct_file&) = delete;
    direct_file& operator=(const direct_file&) = delete;
    ~direct_file();

    /// Called with consecutive pieces of the data, in order, right after each was read or copied
    /// for writing (while it is still in the cache): lets a caller checksum the data in the same
    /// pass.
    using piece_fn = std::function<void(const unsigned char* piece, std::size_t len)>;

    /// Writes `len` bytes of `src` at file offset `off`, handing each piece to `each` if given.
    /// Throws std::runtime_error.
    void write(std::uint64_t off, const void* src, std::size_t len, const piece_fn& each = nullptr);

    /// True when O_DIRECT is in use (false only after a buffered fallback).
    [[nodiscard]] bool direct() const { return direct_fd_ >= 0; }

    /// Reads `len` bytes at file offset `off` into `dst`, handing each piece to `each` if given.
    /// Throws std::runtime_error (also on a short file).
    void read(std::uint64_t off, void* dst, std::size_t len, const piece_fn& each = nullptr);

private:
    void buffered(bool write, std::uint64_t off, unsigned char* p, std::size_t len);
    std::string path_;
    int direct_fd_ = -1;
    int buffered_fd_ = -1;
};

}  // namespace cairn::detail
