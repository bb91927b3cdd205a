// `cairn inspect`: lists checkpoints in a directory (or one file), shows their contents and,
// with --verify, recomputes every checksum. Serial: no mpirun needed.
#include "cli.hpp"
#include "commands.hpp"
#include "inspect_report.hpp"

#include "h5/delta_file.hpp"
#include "storage/naming.hpp"

#include <sys/stat.h>

#include <iostream>

namespace po = boost::program_options;
namespace cd = cairn::detail;

namespace cairn::cli {
namespace {

file_report examine(const std::string& path, std::uint64_t epoch, bool verify) {
    file_report f;
    f.path = path;
    f.epoch = epoch;
    try {
        f.summary = cd::inspect_checkpoint_file(path);
        f.readable = true;
        if (verify) {
            f.problems = cd::verify_checkpoint_file(path);
            f.verified = true;
        }
    } catch (const std::exception& e) {
        f.error = e.what();
    }
    return f;
}

}  // namespace

int cmd_inspect(const std::vector<std::string>& args) {
    po::options_description desc("options");
    desc.add_options()("help,h", "show this help")(
        "verify", "read every dataset and recompute every rank's checksums")(
        "json", "print one JSON document instead of text")(
        "local", po::value<std::string>()->value_name("LOCAL_DIR"),
        "also list the node-local tier under LOCAL_DIR (the job's local_dir): per checkpoint "
        "its tiers, redundancy scheme and bytes")(
        "materialize", po::value<std::uint64_t>()->value_name("EPOCH"),
        "write checkpoint EPOCH of DIR (base + every delta, verified) as one full file")(
        "output,o", po::value<std::string>()->value_name("OUT.h5"),
        "the file --materialize writes (overwritten)")(
        "path", po::value<std::vector<std::string>>()->value_name("DIR|FILE"),
        "checkpoint directory or file");
    po::positional_options_description pos;
    pos.add("path", -1);
    po::variables_map vm;
    parse_options(args, desc, pos, vm);
    if (vm.count("help")) {
        print_help(
            "cairn inspect DIR|FILE... [--verify] [--json] [--local LOCAL_DIR]\n"
            "       cairn inspect DIR --materialize EPOCH --output OUT.h5",
            "Lists the committed checkpoints (ckpt.<epoch>.h5, newest last) of a directory, or\n"
            "one file: epoch, time, size, rank count, buffers, channel log, the interval data\n"
            "(delta, M, T) the scheduler used. Uncommitted .tmp files are mentioned. --verify\n"
            "recomputes the checksums. Needs no mpirun.\n"
            "--local LOCAL_DIR lists the node-local tier as well: for each checkpoint the tiers\n"
            "that hold it (local, partner / xor:N / rs:N+K, shared), its redundancy scheme, the\n"
            "node directories with its marker and the bytes of images and redundancy.\n"
            "Incremental checkpoints show their kind (full or delta), base, parent and chain;\n"
            "--verify checks a delta's stored blocks. --materialize applies a delta chain to\n"
            "its base, verifying every link, and writes one standalone full checkpoint file.\n"
            "Exit status: 0 all files readable (and verified), 1 a file is unreadable, foreign,\n"
            "or fails verification (named on stderr), 2 usage error.",
            desc);
        return exit_ok;
    }
    if (!vm.count("path")) throw usage_error("give a checkpoint directory or file");
    if (vm.count("materialize")) {
        const auto paths = vm["path"].as<std::vector<std::string>>();
        if (paths.size() != 1 || !vm.count("output")) {
            throw usage_error("--materialize EPOCH needs one checkpoint directory and --output");
        }
        const std::uint64_t epoch = vm["materialize"].as<std::uint64_t>();
        const std::string out = vm["output"].as<std::string>();
        try {
            cd::materialize_checkpoint(paths.front(), epoch, out);
        } catch (const std::exception& e) {
            std::cerr << "cairn inspect: cannot materialise checkpoint " << epoch << ": "
                      << e.what() << "\n";
            return exit_failure;
        }
        std::cout << "wrote " << out << ": full checkpoint equal to epoch " << epoch << " of "
                  << paths.front() << "\n";
        return exit_ok;
    }
    if (vm.count("output")) throw usage_error("--output is only used with --materialize");
    const bool verify = vm.count("verify") > 0;
    const bool json = vm.count("json") > 0;
    int status = exit_ok;
    std::string local_dir;
    std::vector<cd::local_epoch_summary> local;
    if (vm.count("local")) {
        local_dir = vm["local"].as<std::string>();
        try {
            local = cd::summarize_local_tier(local_dir);
        } catch (const std::exception& e) {
            std::cerr << "cairn inspect: node-local tier " << local_dir << ": " << e.what() << "\n";
            return exit_failure;
        }
    }
    for (const auto& target : vm["path"].as<std::vector<std::string>>()) {
        inspect_report r;
        r.target = target;
        r.local_dir = local_dir;
        r.local = local;
        struct stat st {};
        if (stat(target.c_str(), &st) != 0) {
            std::cerr << "cairn inspect: " << target << ": no such file or directory\n";
            status = exit_failure;
            continue;
        }
        if (S_ISDIR(st.st_mode)) {
            r.is_directory = true;
            const auto listing = cd::list_checkpoints(target);
            const std::string prefix = target.back() == '/' ? target : target + "/";
            for (auto e : listing.committed)
                r.files.push_back(examine(prefix + cd::checkpoint_name(e), e, verify));
            for (auto e : listing.temps) r.uncommitted.push_back(prefix + cd::temp_name(e));
        } else {
            const auto slash = target.find_last_of('/');
            const auto e = cd::parse_checkpoint_name(
                slash == std::string::npos ? target : target.substr(slash + 1));
            r.files.push_back(examine(target, e.value_or(0), verify));
        }
        if (json)
            print_json(std::cout, r);
        else
            print_text(std::cout, r);
        for (const auto& f : r.files) {
            if (!f.readable) {
                std::cerr << "cairn inspect: " << f.path
                          << ": not a readable cairn checkpoint: " << f.error << "\n";
                status = exit_failure;
            }
            for (const auto& p : f.problems) {
                std::cerr << "cairn inspect: " << f.path << ": verification failed: " << p << "\n";
                status = exit_failure;
            }
        }
    }
    return status;
}

}  // namespace cairn::cli
