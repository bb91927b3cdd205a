// The set of buffers a rank has registered. Pure code, no MPI.
#pragma once

#include "common/buffer.hpp"

#include <cstdint>
#include <functional>
#include <memory>
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

    /// Adds a resizable per-rank buffer (data and count come from `current` at each checkpoint).
    void add_resizable(std::string_view name, type t,
                       std::function<std::pair<void*, std::size_t>()> current,
                       std::function<void*(std::size_t)> resize);

    /// Adds an object saved to and loaded from bytes through callbacks.
    void add_object(std::string_view name, std::string_view format_tag,
                    std::function<void(byte_writer&)> save, std::function<void(byte_reader&)> load);

    /// Refreshes variable buffers: resizables from current(), objects by calling save. Returns
    /// "" or the first failure, naming the object and `rank`.
    std::string refresh(int rank);

    /// Calls every object's load over its restored bytes. Throws cairn::error naming the object
    /// and `rank`.
    void load_objects(int rank);

    /// Buffers in registration order.
    [[nodiscard]] const std::vector<buffer_desc>& buffers() const { return buffers_; }

    /// Total bytes of this rank's data.
    [[nodiscard]] std::uint64_t local_bytes() const;

    /// Text describing what must agree across ranks (names, kinds, types, global shapes).
    [[nodiscard]] std::string signature() const;

    /// Changes whenever a buffer is added or the registry is cleared (not when a variable
    /// buffer's size changes).
    [[nodiscard]] std::uint64_t generation() const { return generation_; }

    /// Removes everything.
    void clear() {
        buffers_.clear();
        objects_.clear();
        ++generation_;
    }

private:
    void check_name(std::string_view name) const;
    void check_overlap(const buffer_desc& b) const;
    struct object_entry {
        std::string name;
        std::function<void(byte_writer&)> save;
        std::function<void(byte_reader&)> load;
        std::vector<unsigned char> bytes;
    };
    std::vector<buffer_desc> buffers_;
    std::vector<std::unique_ptr<object_entry>> objects_;
    std::uint64_t generation_ = 0;
};

}  // namespace cairn::detail
