// Fuzz target: byte sizes (parse_size). Documented errors are std::invalid_argument.
#include "common/config.hpp"

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    try {
        (void)cairn::detail::parse_size(text);
    } catch (const std::invalid_argument&) {
    }
    return 0;
}
