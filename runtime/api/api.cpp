// The C++ public API: a thin layer over the one runtime instance.
#include "common/error.hpp"
#include "storage/naming.hpp"
#include "core/runtime.hpp"

#include <cairn/cairn.hpp>

#include <algorithm>
#include <memory>
#include <stdexcept>

namespace cairn {

namespace {

std::unique_ptr<detail::runtime>& instance() {
    static std::unique_ptr<detail::runtime> rt;  // NOLINT: the process-wide runtime
    return rt;
}

detail::runtime& rt(const char* call) {
    auto& p = instance();
    if (!p) {
        throw detail::make_error(std::string("cairn::") + call +
                                 "() called before cairn::init() or after cairn::finalize()");
    }
    return *p;
}

}  // namespace

void init(int* argc, char*** argv, const init_options& opts) {
    if (instance()) throw detail::make_error("cairn::init() called twice");
    instance() = std::make_unique<detail::runtime>(argc, argv, opts);
}

void finalize() {
    auto& p = instance();
    if (!p) return;
    p->finalize();
    p.reset();
}

bool initialized() { return static_cast<bool>(instance()); }

void register_buffer(std::string_view name, void* data, type t, std::size_t count) {
    auto& r = rt("register_buffer");
    try {
        r.reg().add_per_rank(name, data, t, count);
    } catch (const std::invalid_argument& e) {
        throw detail::make_error(std::string("register_buffer: ") + e.what());
    }
}

void register_distributed(std::string_view name, void* data, type t, const array_layout& l) {
    auto& r = rt("register_distributed");
    try {
        r.reg().add_distributed(name, data, t, l);
    } catch (const std::invalid_argument& e) {
        throw detail::make_error(std::string("register_distributed: ") + e.what());
    }
}

void register_resizable(std::string_view name, type t,
                        std::function<std::pair<void*, std::size_t>()> current,
                        std::function<void*(std::size_t)> resize) {
    auto& r = rt("register_resizable");
    try {
        r.reg().add_resizable(name, t, std::move(current), std::move(resize));
    } catch (const std::invalid_argument& e) {
        throw detail::make_error(std::string("register_resizable: ") + e.what());
    }
}

void register_object(std::string_view name, std::string_view format_tag,
                     std::function<void(byte_writer&)> save, std::function<void(byte_reader&)> load) {
    auto& r = rt("register_object");
    try {
        r.reg().add_object(name, format_tag, std::move(save), std::move(load));
    } catch (const std::invalid_argument& e) {
        throw detail::make_error(std::string("register_object: ") + e.what());
    }
}

bool restore() { return rt("restore").restore(); }
bool restarted() { return rt("restarted").restarted(); }
void safe_point() { rt("safe_point").safe_point(); }
void checkpoint_now() { rt("checkpoint_now").checkpoint_now(); }
void request_checkpoint() { rt("request_checkpoint").request_checkpoint(); }
bool exit_requested() { return rt("exit_requested").exit_requested(); }
std::uint64_t safe_point_index() { return rt("safe_point_index").index(); }
std::uint64_t epoch() { return rt("epoch").epoch(); }

std::vector<std::uint64_t> committed_epochs() {
    auto& r = rt("committed_epochs");
    try {
        std::vector<std::uint64_t> e = detail::list_checkpoints(r.cfg().dir).committed;
        std::sort(e.begin(), e.end());
        return e;
    } catch (const std::exception& e) {
        throw detail::make_error(std::string("committed_epochs: ") + e.what());
    }
}

}  // namespace cairn
