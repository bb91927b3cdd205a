// cairn: one program with subcommands (run, submit, inspect, interval).
#include "cli.hpp"
#include "commands.hpp"

#include <cairn/cairn.hpp>

#include <exception>
#include <iostream>
#include <string>
#include <vector>

namespace {

struct subcommand {
    const char* name;
    int (*fn)(const std::vector<std::string>&);
    const char* summary;
};

const subcommand subcommands[] = {
    {"run", cairn::cli::cmd_run, "run an MPI job with mpirun, restarting it after failures"},
    {"submit", cairn::cli::cmd_submit,
     "write and submit a Slurm batch script that requeues itself"},
    {"inspect", cairn::cli::cmd_inspect, "list checkpoints, show their contents, verify checksums"},
    {"interval", cairn::cli::cmd_interval, "Young/Daly checkpoint interval calculator"},
};

void print_usage(std::ostream& os) {
    os << "usage: cairn <command> [options] [-- program args]\n\n"
          "Checkpoint/restart tools for MPI jobs.\n\ncommands:\n";
    for (const auto& s : subcommands) {
        std::string name = s.name;
        name.resize(10, ' ');
        os << "  " << name << s.summary << "\n";
    }
    os << "\nRun 'cairn <command> --help' for the options of a command.\n"
          "Exit status: 0 success, 1 failure (job failed, verification failed), 2 usage error.\n";
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        print_usage(std::cerr);
        return cairn::cli::exit_usage;
    }
    const std::string name = argv[1];
    if (name == "-h" || name == "--help" || name == "help") {
        print_usage(std::cout);
        return cairn::cli::exit_ok;
    }
    if (name == "--version" || name == "version") {
        std::cout << "cairn " << cairn::version() << "\n";
        return cairn::cli::exit_ok;
    }
    for (const auto& s : subcommands) {
        if (name != s.name) continue;
        const std::vector<std::string> args(argv + 2, argv + argc);
        try {
            return s.fn(args);
        } catch (const cairn::cli::usage_error& e) {
            std::cerr << "cairn " << name << ": " << e.what() << "\n"
                      << "Try 'cairn " << name << " --help'.\n";
            return cairn::cli::exit_usage;
        } catch (const std::exception& e) {
            std::cerr << "cairn " << name << ": " << e.what() << "\n";
            return cairn::cli::exit_failure;
        }
    }
    std::cerr << "cairn: unknown command '" << name << "'\n\n";
    print_usage(std::cerr);
    return cairn::cli::exit_usage;
}
