#include "local_summary.hpp"

#include "local_store.hpp"
#include "storage/fsutil.hpp"

#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <stdexcept>

namespace cairn::detail {

namespace {

std::vector<std::string> entries(const std::string& dir, bool want_dirs) {
    std::vector<std::string> out;
    DIR* d = opendir(dir.c_str());
    if (d == nullptr) {
        if (errno == ENOENT) return out;
        throw std::runtime_error("cannot list '" + dir + "': " + std::strerror(errno));
    }
    while (const dirent* e = readdir(d)) {
        const std::string n = e->d_name;
        if (n == "." || n == "..") continue;
        struct stat st {};
        if (stat(join_path(dir, n).c_str(), &st) != 0) continue;
        if (S_ISDIR(st.st_mode) == want_dirs) out.push_back(n);
    }
    closedir(d);
    std::sort(out.begin(), out.end());
    return out;
}

std::uint64_t size_of(const std::string& path) {
    struct stat st {};
    return stat(path.c_str(), &st) == 0 ? static_cast<std::uint64_t>(st.st_size) : 0;
}

}  // namespace

std::vector<local_epoch_summary> summarize_local_tier(const std::string& base) {
    struct stat st {};
    if (stat(base.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
        throw std::runtime_error("'" + base + "' is not a directory");
    }
    std::map<std::uint64_t, local_epoch_summary> by_epoch;
    std::map<std::uint64_t, std::map<std::string, int>> tiers;  // epoch -> tiers -> nodes
    for (const auto& node : entries(base, true)) {
        const local_store store(join_path(base, node));
        for (const auto e : store.committed()) {
            const auto m = store.read_marker(e);
            if (!m) continue;
            local_epoch_summary& s = by_epoch[e];
            s.epoch = e;
            s.nranks = m->nranks;
            s.dir = m->dir;
            s.redundancy = m->redundancy;
            s.nodes.push_back(node);
            ++tiers[e][m->tiers()];
            const std::string d = store.epoch_dir(e);
            for (const auto& f : entries(d, false)) {
                const auto dot = f.find('.');
                const std::string kind = f.substr(0, dot);
                if (f.size() < 4 || f.compare(f.size() - 4, 4, ".img") != 0) continue;
                const std::uint64_t n = size_of(join_path(d, f));
                if (kind == "rank") {
                    ++s.images;
                    s.image_bytes += n;
                } else if (kind == "partner") {
                    ++s.partner_copies;
                    s.redundancy_bytes += n;
                } else if (kind == "parity") {
                    ++s.parity_files;
                    s.redundancy_bytes += n;
                }
            }
        }
    }
    std::vector<local_epoch_summary> out;
    for (auto& [e, s] : by_epoch) {
        const auto& t = tiers[e];
        if (t.size() == 1) {
            s.tiers = t.begin()->first;
        } else {
            for (const auto& [text, n] : t) {
                s.tiers += (s.tiers.empty() ? "" : " | ") + text + " (" + std::to_string(n) +
                           (n == 1 ? " node)" : " nodes)");
            }
        }
        out.push_back(std::move(s));
    }
    return out;
}

}  // namespace cairn::detail
