#include "core/registry.hpp"

#include <algorithm>
#include <exception>
#include <sstream>
#include <stdexcept>

namespace cairn::detail {

namespace {

bool valid_type(type t) {
    const int v = static_cast<int>(t);
    return v >= static_cast<int>(type::int8) && v <= static_cast<int>(type::byte);
}

std::string dims(const std::vector<std::uint64_t>& v) {
    std::string s = "{";
    for (std::size_t i = 0; i < v.size(); ++i) s += (i ? "," : "") + std::to_string(v[i]);
    return s + "}";
}

// Byte range [lo, hi) of the memory a buffer touches.
std::pair<std::uintptr_t, std::uintptr_t> span_of(const buffer_desc& b) {
    if (b.variable) return {0, 0};  // memory owned by a container that may move
    const auto lo = reinterpret_cast<std::uintptr_t>(b.data);
    std::size_t elems = b.count;
    if (b.kind == buffer_kind::distributed) {
        elems = 1;
        for (int d = 0; d < b.ndims; ++d) elems *= b.mem_shape[d];
    }
    return {lo, lo + elems * type_size(b.elem)};
}

}  // namespace

void registry::check_name(std::string_view name) const {
    if (name.empty()) throw std::invalid_argument("buffer name must not be empty");
    if (name.size() > 200) throw std::invalid_argument("buffer name longer than 200 characters");
    for (const char ch : name) {
        const bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                        (ch >= '0' && ch <= '9') || ch == '_' || ch == '-' || ch == '.';
        if (!ok) {
            throw std::invalid_argument("buffer name '" + std::string(name) +
                                        "' has a character outside [A-Za-z0-9_.-]");
        }
    }
    if (name == "." || name == "..") throw std::invalid_argument("buffer name '.' or '..'");
    for (const auto& b : buffers_) {
        if (b.name == name) {
            throw std::invalid_argument("buffer '" + std::string(name) + "' is already registered");
        }
    }
}

void registry::check_overlap(const buffer_desc& b) const {
    const auto [lo, hi] = span_of(b);
    if (lo == hi) return;
    for (const auto& o : buffers_) {
        const auto [olo, ohi] = span_of(o);
        if (olo == ohi) continue;
        if (lo < ohi && olo < hi) {
            throw std::invalid_argument("buffer '" + b.name + "' overlaps the memory of buffer '" +
                                        o.name + "'");
        }
    }
}

void registry::add_per_rank(std::string_view name, void* data, type t, std::size_t count) {
    check_name(name);
    if (!valid_type(t)) {
        throw std::invalid_argument("buffer '" + std::string(name) + "': invalid element type " +
                                    std::to_string(static_cast<int>(t)));
    }
    if (data == nullptr && count > 0) {
        throw std::invalid_argument("buffer '" + std::string(name) + "': null data pointer with " +
                                    std::to_string(count) + " elements");
    }
    buffer_desc b;
    b.name = std::string(name);
    b.data = data;
    b.elem = t;
    b.kind = buffer_kind::per_rank;
    b.count = count;
    b.ndims = 1;
    b.extent[0] = count;
    check_overlap(b);
    buffers_.push_back(std::move(b));
    ++generation_;
}

void registry::add_distributed(std::string_view name, void* data, type t,
                               const array_layout& l) {
    check_name(name);
    const std::string n = "distributed array '" + std::string(name) + "': ";
    if (!valid_type(t)) throw std::invalid_argument(n + "invalid element type");
    const std::size_t nd = l.global_shape.size();
    if (nd < 1 || nd > 3) {
        throw std::invalid_argument(n + "global_shape has " + std::to_string(nd) +
                                    " dimensions; 1 to 3 are supported");
    }
    if (l.offset.size() != nd || l.extent.size() != nd) {
        throw std::invalid_argument(n + "offset " + dims(l.offset) + " and extent " +
                                    dims(l.extent) + " must have as many dimensions as " +
                                    "global_shape " + dims(l.global_shape));
    }
    if (!l.memory_shape.empty() && l.memory_shape.size() != nd) {
        throw std::invalid_argument(n + "memory_shape must be empty or have " +
                                    std::to_string(nd) + " dimensions");
    }
    if (!l.memory_offset.empty() && l.memory_offset.size() != nd) {
        throw std::invalid_argument(n + "memory_offset must be empty or have " +
                                    std::to_string(nd) + " dimensions");
    }
    buffer_desc b;
    b.name = std::string(name);
    b.data = data;
    b.elem = t;
    b.kind = buffer_kind::distributed;
    b.ndims = static_cast<int>(nd);
    std::size_t count = 1;
    for (std::size_t d = 0; d < nd; ++d) {
        b.global[d] = l.global_shape[d];
        b.offset[d] = l.offset[d];
        b.extent[d] = l.extent[d];
        b.mem_shape[d] = l.memory_shape.empty() ? l.extent[d] : l.memory_shape[d];
        b.mem_offset[d] = l.memory_offset.empty() ? 0 : l.memory_offset[d];
        if (b.global[d] == 0) {
            throw std::invalid_argument(n + "global_shape " + dims(l.global_shape) +
                                        " has a zero dimension");
        }
        if (b.offset[d] + b.extent[d] > b.global[d]) {
            throw std::invalid_argument(n + "block offset " + dims(l.offset) + " + extent " +
                                        dims(l.extent) + " exceeds global_shape " +
                                        dims(l.global_shape));
        }
        if (b.mem_offset[d] + b.extent[d] > b.mem_shape[d]) {
            throw std::invalid_argument(n + "block does not fit in memory_shape (dimension " +
                                        std::to_string(d) + ")");
        }
        count *= b.extent[d];
    }
    b.count = count;
    if (data == nullptr && count > 0) throw std::invalid_argument(n + "null data pointer");
    check_overlap(b);
    buffers_.push_back(std::move(b));
    ++generation_;
}

void registry::add_resizable(std::string_view name, type t,
                             std::function<std::pair<void*, std::size_t>()> current,
                             std::function<void*(std::size_t)> resize) {
    check_name(name);
    if (!valid_type(t)) {
        throw std::invalid_argument("resizable '" + std::string(name) + "': invalid element type " +
                                    std::to_string(static_cast<int>(t)));
    }
    if (!current || !resize) {
        throw std::invalid_argument("resizable '" + std::string(name) + "': empty callback");
    }
    buffer_desc b;
    b.name = std::string(name);
    b.elem = t;
    b.kind = buffer_kind::per_rank;
    b.variable = true;
    b.current = std::move(current);
    b.resize = std::move(resize);
    buffers_.push_back(std::move(b));
    ++generation_;
}

void registry::add_object(std::string_view name, std::string_view format_tag,
                          std::function<void(byte_writer&)> save,
                          std::function<void(byte_reader&)> load) {
    check_name(name);
    if (!save || !load) {
        throw std::invalid_argument("object '" + std::string(name) + "': empty callback");
    }
    auto e = std::make_unique<object_entry>();
    e->name = std::string(name);
    e->save = std::move(save);
    e->load = std::move(load);
    object_entry* p = e.get();
    buffer_desc b;
    b.name = std::string(name);
    b.elem = type::byte;
    b.kind = buffer_kind::per_rank;
    b.variable = true;
    b.object = true;
    b.format_tag = std::string(format_tag);
    b.current = [p] {
        return std::pair<void*, std::size_t>(static_cast<void*>(p->bytes.data()), p->bytes.size());
    };
    b.resize = [p](std::size_t n) -> void* {
        p->bytes.resize(n);
        return static_cast<void*>(p->bytes.data());
    };
    objects_.push_back(std::move(e));
    buffers_.push_back(std::move(b));
    ++generation_;
}

std::string registry::refresh(int rank) {
    std::string failure;
    for (auto& o : objects_) {
        o->bytes.clear();
        byte_writer w(o->bytes);
        try {
            o->save(w);
        } catch (const std::exception& e) {
            if (failure.empty()) {
                failure = "save of object '" + o->name + "' failed on rank " +
                          std::to_string(rank) + ": " + e.what();
            }
        } catch (...) {
            if (failure.empty()) {
                failure = "save of object '" + o->name + "' failed on rank " +
                          std::to_string(rank) + ": unknown exception";
            }
        }
    }
    for (auto& b : buffers_) {
        if (!b.variable) continue;
        const auto [data, count] = b.current();
        b.data = data;
        b.count = count;
        b.extent[0] = count;
        if (data == nullptr && count > 0 && failure.empty()) {
            failure = "resizable '" + b.name + "' on rank " + std::to_string(rank) +
                      ": null data pointer with " + std::to_string(count) + " elements";
        }
    }
    return failure;
}

void registry::load_objects(int rank) {
    for (auto& o : objects_) {
        byte_reader r(o->bytes.data(), o->bytes.size(), o->name, rank);
        try {
            o->load(r);
        } catch (const std::exception& e) {
            throw cairn::error("load of object '" + o->name + "' failed on rank " +
                               std::to_string(rank) + ": " + e.what());
        } catch (...) {
            throw cairn::error("load of object '" + o->name + "' failed on rank " +
                               std::to_string(rank) + ": unknown exception");
        }
    }
}

std::uint64_t registry::local_bytes() const {
    std::uint64_t n = 0;
    for (const auto& b : buffers_) n += b.bytes();
    return n;
}

std::string registry::signature() const {
    std::ostringstream o;
    for (const auto& b : buffers_) {
        o << b.name << ':' << static_cast<int>(b.kind) << ':' << type_name(b.elem) << ':'
          << b.ndims;
        if (b.variable) o << (b.object ? ":object:" + b.format_tag : std::string(":resizable"));
        if (b.kind == buffer_kind::distributed) {
            for (int d = 0; d < b.ndims; ++d) o << ':' << b.global[d];
        }
        o << ';';
    }
    return o.str();
}

}  // namespace cairn::detail
