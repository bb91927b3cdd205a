// The Slurm batch script `cairn submit` writes, filled from slurm/cairn-job.sbatch.in.
#pragma once

#include <string>
#include <vector>

namespace cairn::cli {

/// Values substituted into the template.
struct sbatch_values {
    std::string job_name;
    long nodes = 1;
    long ntasks = 1;
    bool overcommit = false;  ///< #SBATCH --overcommit
    std::string time;         ///< Slurm --time syntax, passed through
    long signal_before = 60;  ///< seconds before the limit that SIGUSR1 is sent
    long max_restarts = 3;
    std::string partition;  ///< "" = cluster default
    std::string checkpoint_dir;
    std::string output;
    std::string mpirun = "mpirun";
    std::vector<std::string> mpirun_args;
    std::vector<std::string> extra_sbatch;  ///< more "#SBATCH <x>" lines
    std::vector<std::string> command;
};

/// The template text compiled into the tool.
const char* sbatch_template_text();

/// Fills the template. Throws std::runtime_error if a placeholder is left unfilled.
std::string render_sbatch_script(const sbatch_values& v);

}  // namespace cairn::cli
