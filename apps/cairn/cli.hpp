// Shared pieces of the `cairn` command-line tool: exit codes, usage errors, argument helpers.
#pragma once

#include <boost/program_options.hpp>

#include <stdexcept>
#include <string>
#include <vector>

namespace cairn::cli {

/// Exit codes every subcommand uses (scripts test them).
inline constexpr int exit_ok = 0;       ///< success
inline constexpr int exit_failure = 1;  ///< runtime failure, job failed, verification failed
inline constexpr int exit_usage = 2;    ///< bad command line

/// A bad command line; main() prints "cairn <sub>: <what>" and exits with exit_usage.
class usage_error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// Arguments of one subcommand: its options (before "--") and the command after "--".
struct split_args {
    std::vector<std::string> options;
    std::vector<std::string> command;
    bool has_separator = false;  ///< a "--" was present
};

/// Splits at the first "--".
split_args split_at_separator(const std::vector<std::string>& args);

/// Parses `args` against `desc` (and positional names) into `vm`; unknown options, missing
/// values and bad types become usage_error.
void parse_options(const std::vector<std::string>& args,
                   const boost::program_options::options_description& desc,
                   const boost::program_options::positional_options_description& positional,
                   boost::program_options::variables_map& vm);

/// Parses a duration option (see runtime/common/duration.hpp); bad text becomes usage_error naming
/// the option. Requires > 0 unless allow_zero.
double duration_option(const std::string& option, const std::string& text, bool allow_zero = false);

/// Prints "usage: ...", the description and the options.
void print_help(const std::string& usage, const std::string& description,
                const boost::program_options::options_description& desc);

/// Quotes a word for a POSIX shell ('...' unless it is plainly safe).
std::string shell_quote(const std::string& word);

/// Splits a string on blanks (for --mpirun-args).
std::vector<std::string> split_words(const std::string& text);

}  // namespace cairn::cli
