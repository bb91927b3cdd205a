// Fuzz target: the job history file (read_job_history on a scratch file). Documented errors are
// std::runtime_error; accepted attempts must format and refine without error.
#include "fuzz_util.hpp"
#include "schedule/job_history.hpp"

#include <cstddef>
#include <cstdint>
#include <stdexcept>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto& path = cairn_fuzz::write_input_file(data, size, ".history");
    try {
        const auto h = cairn::detail::read_job_history(path);
        for (const auto& a : h.attempts) (void)cairn::detail::format_job_attempt(a);
        const double m = cairn::detail::refined_job_mtbf(h, 86400.0);
        cairn_fuzz::require(m > 0, "refined_job_mtbf returned a value <= 0");
    } catch (const std::runtime_error&) {
    }
    return 0;
}
