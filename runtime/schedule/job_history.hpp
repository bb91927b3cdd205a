// The job history file: one line per attempt of a job, appended by `cairn run` (and the Slurm
// batch script) and read by the interval scheduler to refine the job MTBF. Format in
// docs/tuning.md ("The job history file").
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace cairn::detail {

/// Why an attempt ended.
enum class attempt_cause {
    ok,        ///< exit status 0 (finished, or checkpointed and exited on request)
    failed,    ///< non-zero exit status
    killed,    ///< a rank (or the launcher) was killed by a signal
    signal,    ///< the launcher forwarded a signal from the user (SIGINT/SIGTERM) and stopped
    injected,  ///< ended by a deliberately injected failure (demo/test; not counted as a failure)
    timeout,   ///< stopped by a time limit (Slurm's warning signal); not a failure
};

/// Text form of a cause ("ok", "failed", ...).
const char* to_string(attempt_cause c);

/// Parses a cause; throws std::invalid_argument for an unknown word.
attempt_cause parse_attempt_cause(std::string_view text);

/// True for causes that count as failures when refining the MTBF (failed, killed).
bool counts_as_failure(attempt_cause c);

/// One attempt (one launch of the job).
struct job_attempt {
    int number = 0;         ///< 1-based attempt number
    double start_unix = 0;  ///< seconds since 1970 when the attempt started
    double end_unix = 0;    ///< seconds since 1970 when it ended
    int exit_code = 0;      ///< exit status, or 128 + N when killed by signal N
    attempt_cause cause = attempt_cause::ok;
    std::uint64_t epoch_before = 0;  ///< newest committed checkpoint epoch at start (0 = none)
    std::uint64_t epoch_after = 0;   ///< newest committed checkpoint epoch at the end

    /// Wall-clock duration of the attempt in seconds (never negative).
    [[nodiscard]] double duration() const {
        return end_unix > start_unix ? end_unix - start_unix : 0.0;
    }
};

/// All attempts recorded in a history file, oldest first.
struct job_history {
    std::vector<job_attempt> attempts;
};

/// Reads a history file. A missing file gives an empty history. Throws std::runtime_error
/// naming "file:line" and the problem for a malformed file.
job_history read_job_history(const std::string& path);

/// Appends one attempt (creating the file with its header line if needed) and fsyncs it.
/// Throws std::runtime_error naming the file and the system error.
void append_job_attempt(const std::string& path, const job_attempt& attempt);

/// Formats one attempt as a history line (without the newline).
std::string format_job_attempt(const job_attempt& attempt);

/// Refined job MTBF: (configured + total observed run time) / (1 + observed failures).
/// The configured value acts as one failure-free pseudo-observation. Throws
/// std::invalid_argument if configured_job_mtbf is not a finite number > 0.
double refined_job_mtbf(const job_history& history, double configured_job_mtbf);

}  // namespace cairn::detail
