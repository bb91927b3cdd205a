// Fuzz target: durations (parse_duration). Accepted values must be finite and not negative.
#include "common/duration.hpp"
#include "fuzz_util.hpp"

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    try {
        const double s = cairn::detail::parse_duration(text);
        cairn_fuzz::require(std::isfinite(s) && s >= 0, "parse_duration returned a negative or "
                                                        "non-finite value");
        (void)cairn::detail::format_duration(s);
    } catch (const std::invalid_argument&) {
    }
    return 0;
}
