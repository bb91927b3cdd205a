#include "storage/naming.hpp"

#include <dirent.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <stdexcept>

namespace cairn::detail {

namespace {

std::optional<std::uint64_t> parse_digits(std::string_view s) {
    if (s.empty() || s.size() > 19) return std::nullopt;
    std::uint64_t v = 0;
    for (const char ch : s) {
        if (ch < '0' || ch > '9') return std::nullopt;
        v = v * 10 + static_cast<std::uint64_t>(ch - '0');
    }
    return v;
}

}  // namespace

std::string checkpoint_name(std::uint64_t epoch) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "ckpt.%06llu.h5", static_cast<unsigned long long>(epoch));
    return buf;
}

std::string temp_name(std::uint64_t epoch) { return checkpoint_name(epoch) + ".tmp"; }

std::string removing_name(std::uint64_t epoch) { return checkpoint_name(epoch) + ".removing"; }

std::optional<std::uint64_t> parse_checkpoint_name(std::string_view f) {
    constexpr std::string_view pre = "ckpt.";
    constexpr std::string_view suf = ".h5";
    if (f.size() <= pre.size() + suf.size()) return std::nullopt;
    if (f.substr(0, pre.size()) != pre || f.substr(f.size() - suf.size()) != suf) {
        return std::nullopt;
    }
    return parse_digits(f.substr(pre.size(), f.size() - pre.size() - suf.size()));
}

namespace {

std::optional<std::uint64_t> parse_suffixed(std::string_view f, std::string_view suf) {
    if (f.size() <= suf.size() || f.substr(f.size() - suf.size()) != suf) return std::nullopt;
    return parse_checkpoint_name(f.substr(0, f.size() - suf.size()));
}

}  // namespace

std::optional<std::uint64_t> parse_temp_name(std::string_view f) { return parse_suffixed(f, ".tmp"); }

std::optional<std::uint64_t> parse_removing_name(std::string_view f) {
    return parse_suffixed(f, ".removing");
}

dir_listing list_checkpoints(const std::string& dir) {
    dir_listing out;
    std::unique_ptr<DIR, int (*)(DIR*)> d(opendir(dir.c_str()), &closedir);
    if (!d) {
        if (errno == ENOENT) return out;
        throw std::runtime_error("cannot list checkpoint directory '" + dir +
                                 "': " + std::strerror(errno));
    }
    while (const dirent* e = readdir(d.get())) {
        const std::string_view name = e->d_name;
        if (auto ep = parse_checkpoint_name(name)) out.committed.push_back(*ep);
        else if (auto tp = parse_temp_name(name)) out.temps.push_back(*tp);
        else if (auto rp = parse_removing_name(name)) out.removing.push_back(*rp);
    }
    std::sort(out.committed.begin(), out.committed.end());
    std::sort(out.temps.begin(), out.temps.end());
    std::sort(out.removing.begin(), out.removing.end());
    return out;
}

std::vector<std::uint64_t> retention_victims(const std::vector<std::uint64_t>& committed,
                                             int keep, std::uint64_t protect) {
    std::vector<std::uint64_t> sorted = committed;
    std::sort(sorted.begin(), sorted.end());
    std::vector<std::uint64_t> out;
    const std::size_t k = keep < 1 ? 1 : static_cast<std::size_t>(keep);
    if (sorted.size() <= k) return out;
    for (std::size_t i = 0; i + k < sorted.size(); ++i) {
        if (sorted[i] != protect) out.push_back(sorted[i]);
    }
    return out;
}

}  // namespace cairn::detail
