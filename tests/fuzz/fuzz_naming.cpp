// Fuzz target: checkpoint file names (parse_checkpoint_name, parse_temp_name). A parsed epoch
// must survive a round trip through checkpoint_name/temp_name.
#include "fuzz_util.hpp"
#include "storage/naming.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace cairn::detail;
    const std::string_view name(reinterpret_cast<const char*>(data), size);
    if (auto e = parse_checkpoint_name(name)) {
        cairn_fuzz::require(parse_checkpoint_name(checkpoint_name(*e)) == e,
                            "checkpoint_name/parse_checkpoint_name round trip");
        cairn_fuzz::require(!parse_temp_name(name), "a name parsed as committed and temporary");
    }
    if (auto e = parse_temp_name(name)) {
        cairn_fuzz::require(parse_temp_name(temp_name(*e)) == e, "temp_name round trip");
    }
    return 0;
}
