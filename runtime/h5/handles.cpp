#include "h5/handles.hpp"

#include "common/error.hpp"

#include <array>

namespace cairn::detail::h5 {

hdf5_error::hdf5_error(const std::string& detail)
    : cairn::error(make_error(detail).what()), detail_(detail) {}

void silence_errors() noexcept {
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
}

namespace {

herr_t collect_frame(unsigned n, const H5E_error2_t* e, void* out) {
    auto& text = *static_cast<std::string*>(out);
    if (n > 0) text += "; ";
    std::array<char, 160> minor{};
    if (H5Eget_msg(e->min_num, nullptr, minor.data(), minor.size()) < 0) minor[0] = '\0';
    text += e->func_name ? e->func_name : "?";
    text += "(): ";
    text += e->desc ? e->desc : "";
    if (minor[0] != '\0') {
        text += " [";
        text += minor.data();
        text += "]";
    }
    return 0;
}

}  // namespace

std::string take_error_stack() {
    std::string text;
    const hid_t stack = H5Eget_current_stack();  // copies and clears the current stack
    if (stack < 0) return "no HDF5 error stack";
    // Innermost frame (where the failure was detected) first.
    H5Ewalk2(stack, H5E_WALK_UPWARD, collect_frame, &text);
    H5Eclose_stack(stack);
    if (text.empty()) text = "no HDF5 error details";
    return text;
}

void throw_hdf5_error(const std::string& what) {
    const std::string stack = take_error_stack();
    throw hdf5_error(what + " (HDF5: " + stack + ")");
}

}  // namespace cairn::detail::h5
