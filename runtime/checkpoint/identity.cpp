#include "checkpoint/identity.hpp"

#include <fstream>
#include <iterator>

namespace cairn::detail {

std::vector<std::string> process_arguments(int argc, const char* const* argv) {
    std::vector<std::string> out;
    if (argv != nullptr && argc > 0) {
        for (int i = 0; i < argc && argv[i] != nullptr; ++i) out.emplace_back(argv[i]);
        return out;
    }
    std::ifstream f("/proc/self/cmdline", std::ios::binary);
    if (!f) return out;
    const std::string all((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    std::string::size_type b = 0;
    while (b < all.size()) {
        auto e = all.find('\0', b);
        if (e == std::string::npos) e = all.size();
        out.push_back(all.substr(b, e - b));
        b = e + 1;
    }
    return out;
}

std::string run_key_from_arguments(const std::vector<std::string>& args) {
    std::string key;
    for (std::size_t i = 1; i < args.size(); ++i) {
        if (i > 1) key += ' ';
        key += args[i];
    }
    return key;
}

std::string default_run_key(const std::optional<std::string>& from_application, const int* argc,
                            char* const* const* argv) {
    if (from_application) return *from_application;
    const bool have_argv = argc != nullptr && argv != nullptr && *argv != nullptr;
    return run_key_from_arguments(
        process_arguments(have_argv ? *argc : 0, have_argv ? *argv : nullptr));
}

std::string describe_identity(const std::string& app_name, const std::string& run_key) {
    return "app '" + app_name + "', run_key '" + run_key + "'";
}

std::string identity_mismatch(const std::string& path, const checkpoint_meta& file,
                              const config& cfg) {
    const bool same_app = file.app_name == cfg.app_name;
    const bool same_key = !file.has_run_key || file.run_key == cfg.run_key;
    if (same_app && same_key) return "";
    const std::string theirs = file.has_run_key
                                   ? describe_identity(file.app_name, file.run_key)
                                   : "app '" + file.app_name + "' (no run_key recorded)";
    return "checkpoint " + path + " belongs to another run: it was written by " + theirs +
           ", this job is " + describe_identity(cfg.app_name, cfg.run_key);
}

std::string identity_refusal(const std::string& mismatch) {
    return mismatch +
           ". Not restoring it (the files are left in place). If this is the same computation, "
           "give both runs the same run key (CAIRN_RUN_KEY, run_key in the config file, or "
           "init_options::run_key); to restore it anyway set restart=force (CAIRN_RESTART=force); "
           "to start afresh use another directory (CAIRN_DIR) or restart=never";
}

}  // namespace cairn::detail
