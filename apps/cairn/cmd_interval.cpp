// `cairn interval`: Young and Daly checkpoint intervals and Daly's expected waste.
#include "cli.hpp"
#include "commands.hpp"

#include "common/duration.hpp"
#include "schedule/interval.hpp"

#include <cstdio>
#include <iostream>
#include <string>

namespace po = boost::program_options;

namespace cairn::cli {
namespace {

void print_row(const char* label, double t, double delta, double restart, double mtbf,
               double work) {
    const std::string interval = cairn::detail::format_duration(t);
    const double waste = cairn::detail::expected_waste(t, delta, restart, mtbf);
    std::printf("  %-28s %-24s %7.2f%%", label, interval.c_str(), 100.0 * waste);
    if (work > 0) {
        const double wall = cairn::detail::daly_expected_walltime(work, t, delta, restart, mtbf);
        std::printf("   %s", cairn::detail::format_duration(wall).c_str());
    }
    std::printf("\n");
}

}  // namespace

int cmd_interval(const std::vector<std::string>& args) {
    po::options_description desc("options");
    desc.add_options()("help,h", "show this help")(
        "cost", po::value<std::string>()->value_name("DURATION"),
        "checkpoint cost delta: the time the application stalls per checkpoint (required)")(
        "mtbf", po::value<std::string>()->value_name("DURATION"),
        "mean time between failures: of one node if --nodes is given, else of the job (required)")(
        "nodes", po::value<long>()->value_name("N"), "node count: job MTBF = node MTBF / N")(
        "restart", po::value<std::string>()->value_name("DURATION"),
        "restart cost R (default: the checkpoint cost)")(
        "work", po::value<std::string>()->value_name("DURATION"),
        "failure-free compute time of the job: also print the expected wall-clock time");
    po::variables_map vm;
    parse_options(args, desc, {}, vm);
    if (vm.count("help")) {
        print_help(
            "cairn interval --cost DURATION --mtbf DURATION [--nodes N] [--restart R] [--work W]",
            "Prints the Young (sqrt(2 delta M)) and Daly (2006) optimum checkpoint intervals and\n"
            "the expected fraction of wall-clock time lost (checkpoints, rework, restarts) at\n"
            "each, after Daly's model. Durations: 600, 90s, 10m, 6h, 1.5d, 1h30m.",
            desc);
        return exit_ok;
    }
    if (!vm.count("cost")) throw usage_error("--cost is required (e.g. --cost 300)");
    if (!vm.count("mtbf")) throw usage_error("--mtbf is required (e.g. --mtbf 6h)");
    const double delta = duration_option("cost", vm["cost"].as<std::string>());
    double mtbf = duration_option("mtbf", vm["mtbf"].as<std::string>());
    long nodes = 0;
    if (vm.count("nodes")) {
        nodes = vm["nodes"].as<long>();
        if (nodes < 1)
            throw usage_error("--nodes must be at least 1 (got " + std::to_string(nodes) + ")");
    }
    const double restart = vm.count("restart")
                               ? duration_option("restart", vm["restart"].as<std::string>(), true)
                               : delta;
    const double work =
        vm.count("work") ? duration_option("work", vm["work"].as<std::string>()) : 0.0;

    using cairn::detail::format_duration;
    std::printf("checkpoint cost delta : %s\n", format_duration(delta).c_str());
    if (nodes > 0) {
        std::printf("node MTBF             : %s\n", format_duration(mtbf).c_str());
        mtbf /= static_cast<double>(nodes);
        std::printf("job MTBF M            : %s  (node MTBF / %ld nodes)\n",
                    format_duration(mtbf).c_str(), nodes);
    } else {
        std::printf("job MTBF M            : %s\n", format_duration(mtbf).c_str());
    }
    std::printf("restart cost R        : %s\n", format_duration(restart).c_str());
    if (work > 0) std::printf("work                  : %s\n", format_duration(work).c_str());

    const double young = cairn::detail::young_interval(delta, mtbf);
    const double daly = cairn::detail::daly_interval(delta, mtbf);
    std::printf("\nYoung interval: %s\nDaly interval:  %s%s\n\n", format_duration(young).c_str(),
                format_duration(daly).c_str(),
                delta >= 2 * mtbf ? "  (cost >= 2 M: Daly's optimum is M itself)" : "");
    std::printf("  %-28s %-24s %8s%s\n", "", "interval", "waste",
                work > 0 ? "   expected wall time" : "");
    print_row("Young  sqrt(2 delta M)", young, delta, restart, mtbf, work);
    print_row("Daly   higher-order optimum", daly, delta, restart, mtbf, work);
    print_row("0.5 x Daly (for comparison)", 0.5 * daly, delta, restart, mtbf, work);
    print_row("2 x Daly   (for comparison)", 2 * daly, delta, restart, mtbf, work);
    print_row("4 x Daly   (for comparison)", 4 * daly, delta, restart, mtbf, work);
    std::printf(
        "\nwaste = 1 - work / expected wall time (Daly 2006: checkpoints, lost work, restarts).\n");
    return exit_ok;
}

}  // namespace cairn::cli
