// The set of buffers a rank has registered. Pure code, no MPI.
#pragma once

#include "buffer.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace cairn::detail {

/// Registered buffers in registration order. Validates each registration.
class registry {
public:
    /// Adds a per-rank buffer. Throws std::invalid_argument on a bad name, duplicate, null data
    /// with a non-zero count, or memory overlapping another buffer.
    void add_per_rank(std::string_view name, void* data, type t, std::size_t count);

    /// Adds a distributed array block. Throws std::invalid_argument on inconsistent shapes.
    void add_distributed(std::string_view name, void* data, type t, const array_layout& layout);

    /// Buffers in registration order.
    [[nodiscard]] const std::vector<buffer_desc>& buffers() const { return buffers_; }

    /// Total bytes of this rank's data.
    [[nodiscard]] std::uint64_t local_bytes() const;

    /// Text describing what must agree across ranks (names, kinds, types, global shapes).
    [[nodiscard]] std::string signature() const;

    /// Removes everything.
    void clear() { buffers_.clear(); }

private:
    void check_name(std::string_view name) const;
    void check_overlap(const buffer_desc& b) const;
    std::vector<buffer_desc> buffers_;
};

}  // namespace cairn::detail
