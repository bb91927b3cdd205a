// Run identity: which run a checkpoint belongs to (application name plus run key), so that a job
// never restores another run's checkpoint from a reused directory without being told to.
// docs/configuration.md ("Run identity") documents the rules for users.
#pragma once

#include "common/config.hpp"
#include "h5/checkpoint_file.hpp"

#include <optional>
#include <string>
#include <vector>

namespace cairn::detail {

/// The command-line arguments of this process, program name first: argv when given (argc > 0),
/// else /proc/self/cmdline, else empty.
std::vector<std::string> process_arguments(int argc, const char* const* argv);

/// The default run key: the arguments after the program name, joined by single spaces (empty
/// when there are none). The arguments are taken as they are, without quoting.
std::string run_key_from_arguments(const std::vector<std::string>& args);

/// This job's run key when the run_key setting does not give one: the application's choice
/// (init_options::run_key) if any, else run_key_from_arguments() of the process's arguments
/// (argc/argv as given to init(), either may be null).
std::string default_run_key(const std::optional<std::string>& from_application, const int* argc,
                            char* const* const* argv);

/// Human-readable identity, e.g. "app 'heat', run_key '--nx 64'".
std::string describe_identity(const std::string& app_name, const std::string& run_key);

/// "" when the checkpoint described by `file` belongs to the run configured in `cfg` (same
/// app_name; same run_key, unless the file predates run keys); otherwise what differs, naming
/// the file and both identities.
std::string identity_mismatch(const std::string& path, const checkpoint_meta& file,
                              const config& cfg);

/// The error text of a refused restore: `mismatch` plus the ways to go on.
std::string identity_refusal(const std::string& mismatch);

}  // namespace cairn::detail
