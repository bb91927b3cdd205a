// Fuzz target: config file text (apply_config_text). Documented errors are std::invalid_argument;
// any other exception or crash is a finding.
#include "common/config.hpp"

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    cairn::detail::config c;
    try {
        cairn::detail::apply_config_text(c, text, "fuzz.conf");
        (void)cairn::detail::describe(c);
    } catch (const std::invalid_argument&) {
    }
    return 0;
}
