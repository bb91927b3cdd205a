// The C API: every function catches everything and returns a status code.
#include <cairn/cairn.h>
#include <cairn/cairn.hpp>

#include <exception>
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

const char* cairn_last_error(void) { return last_error.c_str(); }

const char* cairn_version(void) { return cairn::version(); }

}  // extern "C"
