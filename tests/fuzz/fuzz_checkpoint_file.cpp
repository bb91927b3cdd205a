// Fuzz target: the serial checkpoint readers (inspect_checkpoint_file, verify_checkpoint_file,
// read_channel_state) on arbitrary bytes written to a scratch file. Documented errors are
// cairn::error (corrupt_error derives from it); any other exception or crash is a finding.
#include "fuzz_util.hpp"
#include "h5/checkpoint_file.hpp"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace cairn::detail;
    const auto& path = cairn_fuzz::write_input_file(data, size, ".h5");
    try {
        (void)inspect_checkpoint_file(path);
    } catch (const cairn::error&) {
    }
    try {
        (void)verify_checkpoint_file(path);
    } catch (const cairn::error&) {
    }
    try {
        (void)read_channel_state(path, 0);
    } catch (const cairn::error&) {
    }
    return 0;
}
