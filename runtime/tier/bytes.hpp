// Byte streams of the local tier: the pieces an image is written as, and sources it is read from
// (a file, memory), so that an image never has to sit in memory as one block. No MPI.
#pragma once

#include <cstddef>
#include <functional>

namespace cairn::detail {

/// Receives the pieces of an image in order. The memory of a piece stays valid until the
/// producer returns (a sink may batch pieces and write them together).
using piece_fn = std::function<void(const unsigned char*, std::size_t)>;

/// Where an image is read from, front to back.
class byte_source {
public:
    byte_source() = default;
    byte_source(const byte_source&) = delete;
    byte_source& operator=(const byte_source&) = delete;
    virtual ~byte_source() = default;

    /// Reads exactly `n` bytes into `dst`. Throws corrupt_error when the source ends first,
    /// std::runtime_error on I/O errors.
    virtual void read(unsigned char* dst, std::size_t n) = 0;

    /// Consumes `n` bytes without a destination, handing them to `f` in pieces.
    virtual void skim(std::size_t n, const piece_fn& f) = 0;
};

/// Bytes in memory (not owned).
class memory_source final : public byte_source {
public:
    memory_source(const unsigned char* p, std::size_t n) : p_(p), n_(n) {}
    void read(unsigned char* dst, std::size_t n) override;
    void skim(std::size_t n, const piece_fn& f) override;
    [[nodiscard]] std::size_t at() const { return at_; }
    [[nodiscard]] const unsigned char* here() const { return p_ + at_; }

private:
    void need(std::size_t n) const;
    const unsigned char* p_;
    std::size_t n_;
    std::size_t at_ = 0;
};

}  // namespace cairn::detail
