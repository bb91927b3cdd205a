// The subcommands of the `cairn` tool. Each takes the arguments after its name and returns the
// exit code (0 ok, 1 failure, 2 usage error; usage errors may also be thrown as usage_error).
#pragma once

#include <string>
#include <vector>

namespace cairn::cli {

/// `cairn interval`: the Young/Daly calculator.
int cmd_interval(const std::vector<std::string>& args);

/// `cairn run`: runs an MPI job under mpirun and restarts it after failures.
int cmd_run(const std::vector<std::string>& args);

/// `cairn inspect`: lists and verifies checkpoint files.
int cmd_inspect(const std::vector<std::string>& args);

/// `cairn submit`: writes and submits a Slurm batch script.
int cmd_submit(const std::vector<std::string>& args);

}  // namespace cairn::cli
