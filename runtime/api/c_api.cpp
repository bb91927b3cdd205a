// The C API: every function catches everything and returns a status code.
#include <cairn/cairn.h>
#include <cairn/cairn.hpp>

#include <exception>
#include <utility>
#include <vector>
#include <string>

namespace {

thread_local std::string last_error;  // NOLINT: per-thread error text for cairn_last_error()

template <class F>
int guarded(F&& f) noexcept {
    try {
        f();
        last_error.clear();
        return CAIRN_OK;
    } catch (const std::exception& e) {
        last_error = e.what();
    } catch (...) {
        last_error = "unknown error";
    }
    return CAIRN_ERR;
}

int arg_error(const char* what) noexcept {
    try {
        last_error = what;
    } catch (...) {  // NOLINT(bugprone-empty-catch)
    }
    return CAIRN_ERR_ARG;
}

bool valid_type(int t) { return t >= CAIRN_INT8 && t <= CAIRN_BYTE; }

}  // namespace

struct cairn_writer {
    cairn::byte_writer* w;
};
struct cairn_reader {
    cairn::byte_reader* r;
    std::string error;  // the stream's own message when a read failed
};

extern "C" {

int cairn_init(int* argc, char*** argv) {
    return guarded([&] { cairn::init(argc, argv); });
}

int cairn_init_comm(int* argc, char*** argv, MPI_Comm comm, const char* app_name,
                    const char* config_file) {
    return guarded([&] {
        cairn::init_options o;
        o.comm = comm;
        if (app_name != nullptr) o.app_name = app_name;
        if (config_file != nullptr) o.config_file = config_file;
        cairn::init(argc, argv, o);
    });
}

int cairn_finalize(void) {
    return guarded([] { cairn::finalize(); });
}

int cairn_register_buffer(const char* name, void* data, int type, size_t count) {
    if (name == nullptr) return arg_error("cairn_register_buffer: name is NULL");
    if (!valid_type(type)) return arg_error("cairn_register_buffer: invalid cairn_type");
    return guarded([&] {
        cairn::register_buffer(name, data, static_cast<cairn::type>(type), count);
    });
}

int cairn_register_resizable(const char* name, int type, void* (*data)(void* ctx, size_t* count),
                             void* (*resize)(void* ctx, size_t count), void* ctx) {
    if (name == nullptr) return arg_error("cairn_register_resizable: name is NULL");
    if (!valid_type(type)) return arg_error("cairn_register_resizable: invalid cairn_type");
    if (data == nullptr || resize == nullptr) {
        return arg_error("cairn_register_resizable: NULL callback");
    }
    return guarded([&] {
        cairn::register_resizable(
            name, static_cast<cairn::type>(type),
            [data, ctx] {
                size_t n = 0;
                void* p = data(ctx, &n);
                return std::pair<void*, std::size_t>(p, n);
            },
            [resize, ctx](std::size_t n) { return resize(ctx, n); });
    });
}

int cairn_register_object(const char* name, const char* format_tag,
                          int (*save)(void* ctx, cairn_writer* w),
                          int (*load)(void* ctx, cairn_reader* r), void* ctx) {
    if (name == nullptr) return arg_error("cairn_register_object: name is NULL");
    if (save == nullptr || load == nullptr) return arg_error("cairn_register_object: NULL callback");
    const std::string tag = format_tag == nullptr ? "" : format_tag;
    const std::string obj = name;
    return guarded([&] {
        cairn::register_object(
            name, tag,
            [save, ctx, obj](cairn::byte_writer& w) {
                cairn_writer cw{&w};
                const int rc = save(ctx, &cw);
                if (rc != 0) {
                    throw cairn::error("save callback of object '" + obj + "' returned " +
                                       std::to_string(rc));
                }
            },
            [load, ctx, obj](cairn::byte_reader& r) {
                cairn_reader cr{&r, {}};
                const int rc = load(ctx, &cr);
                if (!cr.error.empty()) throw cairn::error(cr.error);
                if (rc != 0) {
                    throw cairn::error("load callback of object '" + obj + "' returned " +
                                       std::to_string(rc));
                }
            });
    });
}

int cairn_write_bytes(cairn_writer* w, const void* p, size_t n) {
    if (w == nullptr || (p == nullptr && n > 0)) return arg_error("cairn_write_bytes: NULL argument");
    return guarded([&] { w->w->write(p, n); });
}

int cairn_read_bytes(cairn_reader* r, void* p, size_t n) {
    if (r == nullptr || (p == nullptr && n > 0)) return arg_error("cairn_read_bytes: NULL argument");
    return guarded([&] {
        try {
            r->r->read(p, n);
        } catch (const cairn::error& e) {
            r->error = e.what();
            throw;
        }
    });
}

size_t cairn_reader_remaining(const cairn_reader* r) {
    return r == nullptr ? 0 : r->r->remaining();
}

int cairn_register_distributed(const char* name, void* data, int type, int ndims,
                               const uint64_t* global_shape, const uint64_t* offset,
                               const uint64_t* extent, const uint64_t* mem_shape,
                               const uint64_t* mem_offset) {
    if (name == nullptr) return arg_error("cairn_register_distributed: name is NULL");
    if (!valid_type(type)) return arg_error("cairn_register_distributed: invalid cairn_type");
    if (ndims < 1 || ndims > 3) {
        return arg_error("cairn_register_distributed: ndims must be 1, 2 or 3");
    }
    if (global_shape == nullptr || offset == nullptr || extent == nullptr) {
        return arg_error("cairn_register_distributed: global_shape, offset and extent are required");
    }
    return guarded([&] {
        const auto n = static_cast<std::size_t>(ndims);
        cairn::array_layout l;
        l.global_shape.assign(global_shape, global_shape + n);
        l.offset.assign(offset, offset + n);
        l.extent.assign(extent, extent + n);
        if (mem_shape != nullptr) l.memory_shape.assign(mem_shape, mem_shape + n);
        if (mem_offset != nullptr) l.memory_offset.assign(mem_offset, mem_offset + n);
        cairn::register_distributed(name, data, static_cast<cairn::type>(type), l);
    });
}

int cairn_restore(int* restored) {
    return guarded([&] {
        const bool r = cairn::restore();
        if (restored != nullptr) *restored = r ? 1 : 0;
    });
}

int cairn_restarted(void) {
    int out = 0;
    guarded([&] { out = cairn::restarted() ? 1 : 0; });
    return out;
}

int cairn_safe_point(void) {
    return guarded([] { cairn::safe_point(); });
}

int cairn_checkpoint_now(void) {
    return guarded([] { cairn::checkpoint_now(); });
}

int cairn_request_checkpoint(void) {
    return guarded([] { cairn::request_checkpoint(); });
}

int cairn_exit_requested(void) {
    int out = 0;
    guarded([&] { out = cairn::exit_requested() ? 1 : 0; });
    return out;
}

uint64_t cairn_safe_point_index(void) {
    uint64_t out = 0;
    guarded([&] { out = cairn::safe_point_index(); });
    return out;
}

uint64_t cairn_epoch(void) {
    uint64_t out = 0;
    guarded([&] { out = cairn::epoch(); });
    return out;
}

int cairn_initialized(void) { return cairn::initialized() ? 1 : 0; }

int cairn_committed_epochs(uint64_t* out, size_t capacity, size_t* count) {
    if (count == nullptr) return arg_error("cairn_committed_epochs: count is NULL");
    if (out == nullptr && capacity > 0) {
        return arg_error("cairn_committed_epochs: out is NULL but capacity is not 0");
    }
    return guarded([&] {
        const std::vector<std::uint64_t> e = cairn::committed_epochs();
        for (std::size_t i = 0; i < e.size() && i < capacity; ++i) out[i] = e[i];
        *count = e.size();
    });
}

size_t cairn_type_size(int type) {
    return valid_type(type) ? cairn::type_size(static_cast<cairn::type>(type)) : 0;
}

const char* cairn_type_name(int type) {
    return valid_type(type) ? cairn::type_name(static_cast<cairn::type>(type)) : "invalid";
}

const char* cairn_last_error(void) { return last_error.c_str(); }

const char* cairn_version(void) { return cairn::version(); }

}  // extern "C"
