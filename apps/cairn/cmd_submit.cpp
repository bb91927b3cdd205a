// `cairn submit`: writes a Slurm batch script that checkpoints before the time limit and
// requeues itself, and submits it with sbatch.
#include "cli.hpp"
#include "commands.hpp"
#include "launcher.hpp"
#include "sbatch_script.hpp"

#include "common/duration.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cmath>
#include <cstring>
#include <fstream>
#include <iostream>

namespace po = boost::program_options;

namespace cairn::cli {
namespace {

std::string absolute(const std::string& path) {
    if (!path.empty() && path[0] == '/') return path;
    char buf[PATH_MAX];
    if (getcwd(buf, sizeof buf) == nullptr) return path;
    return std::string(buf) + "/" + path;
}

std::string basename_of(const std::string& path) {
    const auto slash = path.find_last_of('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

long positive(const po::variables_map& vm, const char* name, long min) {
    const long v = vm[name].as<long>();
    if (v < min)
        throw usage_error(std::string("--") + name + " must be at least " + std::to_string(min) +
                          " (got " + std::to_string(v) + ")");
    return v;
}

}  // namespace

int cmd_submit(const std::vector<std::string>& args) {
    po::options_description desc("options");
    desc.add_options()("help,h", "show this help")(
        "nodes,N", po::value<long>()->default_value(1)->value_name("N"), "nodes (#SBATCH --nodes)")(
        "overcommit", "allow more tasks than CPUs (#SBATCH --overcommit)")(
        "simulated-nodes",
        "the nodes are simulated on one host (scripts/slurm-local.sh start DIR N): implies\n"
        "--overcommit, and mpirun uses --mca btl self,tcp because the simulated nodes share\n"
        "one hostname, so their shared-memory segments would collide")(
        "ntasks,n", po::value<long>()->default_value(1)->value_name("N"),
        "MPI processes (#SBATCH --ntasks, mpirun -n)")(
        "time,t", po::value<std::string>()->default_value("1:00:00")->value_name("T"),
        "time limit in Slurm syntax (minutes, MM:SS, HH:MM:SS, D-HH)")(
        "signal-before", po::value<std::string>()->default_value("60")->value_name("DURATION"),
        "send SIGUSR1 this long before the time limit (#SBATCH --signal=B:USR1@seconds)")(
        "max-restarts", po::value<long>()->default_value(3)->value_name("N"),
        "requeue after a failure while SLURM_RESTART_COUNT < N")(
        "partition,p", po::value<std::string>()->value_name("P"), "partition")(
        "job-name,J", po::value<std::string>()->value_name("NAME"),
        "job name (default: program name)")(
        "checkpoint-dir",
        po::value<std::string>()->default_value("cairn-checkpoints")->value_name("DIR"),
        "checkpoint directory (CAIRN_DIR in the job; made absolute)")(
        "output,o", po::value<std::string>()->default_value("cairn-%x-%j.out")->value_name("FILE"),
        "job output file (appended to across requeues)")(
        "mpirun", po::value<std::string>()->default_value("mpirun")->value_name("PATH"),
        "MPI launcher in the job")("mpirun-args", po::value<std::string>()->value_name("ARGS"),
                                   "extra launcher arguments, split on blanks")(
        "sbatch-option", po::value<std::vector<std::string>>()->value_name("OPT"),
        "extra '#SBATCH OPT' line (repeatable, e.g. --sbatch-option=--mem=4G)")(
        "sbatch", po::value<std::string>()->default_value("sbatch")->value_name("PATH"),
        "sbatch command")("script-out", po::value<std::string>()->value_name("FILE"),
                          "where to write the script (default: DIR/cairn-job.sbatch)")(
        "dry-run", "print the script (and write --script-out if given); do not submit");
    const auto split = split_at_separator(args);
    po::variables_map vm;
    parse_options(split.options, desc, {}, vm);
    if (vm.count("help")) {
        print_help(
            "cairn submit [options] -- PROGRAM [ARGS...]",
            "Writes a Slurm batch script from the cairn template and submits it with sbatch.\n"
            "The script asks Slurm for SIGUSR1 before the time limit (--signal=B:USR1@T),\n"
            "forwards it to mpirun so the ranks checkpoint at the next safe point and exit, then\n"
            "requeues the job (scontrol requeue), which resumes from that checkpoint. Failed runs\n"
            "are requeued while SLURM_RESTART_COUNT < --max-restarts. With --requeue (always set)\n"
            "Slurm itself requeues the job when one of its nodes fails; the next run restarts\n"
            "from the best checkpoint tier. See docs/slurm.md.",
            desc);
        return exit_ok;
    }
    sbatch_values v;
    v.command = split.command;
    if (v.command.empty())
        throw usage_error("no program given: cairn submit [options] -- PROGRAM [ARGS...]");
    v.nodes = positive(vm, "nodes", 1);
    v.ntasks = positive(vm, "ntasks", 1);
    v.max_restarts = positive(vm, "max-restarts", 0);
    v.time = vm["time"].as<std::string>();
    if (v.time.empty() || v.time.find_first_not_of("0123456789:-") != std::string::npos)
        throw usage_error("--time: invalid Slurm time \"" + v.time +
                          "\" (examples: 30, 1:00:00, 1-12)");
    const double before = duration_option("signal-before", vm["signal-before"].as<std::string>());
    if (before > 65535)
        throw usage_error("--signal-before: at most 65535 s (Slurm's limit), got " +
                          std::to_string(before));
    v.signal_before = std::lround(std::ceil(before));
    if (vm.count("partition")) v.partition = vm["partition"].as<std::string>();
    v.job_name = vm.count("job-name") ? vm["job-name"].as<std::string>()
                                      : "cairn-" + basename_of(v.command[0]);
    v.checkpoint_dir = absolute(vm["checkpoint-dir"].as<std::string>());
    v.output = vm["output"].as<std::string>();
    v.mpirun = vm["mpirun"].as<std::string>();
    const bool simulated = vm.count("simulated-nodes") > 0;
    v.overcommit = simulated || vm.count("overcommit") > 0;
    if (simulated) v.mpirun_args = {"--mca", "btl", "self,tcp"};
    if (vm.count("mpirun-args"))
        for (auto& w : split_words(vm["mpirun-args"].as<std::string>()))
            v.mpirun_args.push_back(std::move(w));
    if (vm.count("sbatch-option"))
        v.extra_sbatch = vm["sbatch-option"].as<std::vector<std::string>>();

    const std::string script = render_sbatch_script(v);
    const bool dry = vm.count("dry-run") > 0;
    std::string path;
    if (vm.count("script-out"))
        path = vm["script-out"].as<std::string>();
    else if (!dry) {
        mkdir(v.checkpoint_dir.c_str(), 0755);
        path = v.checkpoint_dir + "/cairn-job.sbatch";
    }
    if (!path.empty()) {
        std::ofstream out(path, std::ios::trunc);
        out << script;
        out.close();
        if (!out) throw std::runtime_error("cannot write " + path + ": " + std::strerror(errno));
        chmod(path.c_str(), 0755);
    }
    if (dry) {
        std::cout << script;
        if (!path.empty())
            std::cerr << "cairn submit: wrote " << path << " (dry run, not submitted)\n";
        return exit_ok;
    }
    std::cout << "cairn submit: wrote " << path << "; submitting with "
              << vm["sbatch"].as<std::string>() << std::endl;
    launch_request req;
    req.argv = {vm["sbatch"].as<std::string>(), path};
    const launch_result r = launch(req);
    if (!r.exited || r.exit_status != 0) {
        std::cerr << "cairn submit: sbatch failed (" << (r.exited ? "exit status " : "signal ")
                  << r.exit_status << ")\n";
        return exit_failure;
    }
    return exit_ok;
}

}  // namespace cairn::cli
