#include "local_store.hpp"

#include "storage/fsutil.hpp"
#include "h5/checkpoint_file.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>

namespace cairn::detail {

namespace {

std::string epoch_text(std::uint64_t e) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "epoch.%06llu", static_cast<unsigned long long>(e));
    return buf;
}

// "epoch.<digits>" + suffix -> epoch.
std::optional<std::uint64_t> parse_epoch(const std::string& name, const std::string& suffix) {
    const std::string pre = "epoch.";
    if (name.size() <= pre.size() + suffix.size() || name.compare(0, pre.size(), pre) != 0 ||
        name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0) {
        return std::nullopt;
    }
    const std::string digits = name.substr(pre.size(), name.size() - pre.size() - suffix.size());
    if (digits.empty() || digits.size() > 18 ||
        !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        return std::nullopt;
    }
    return std::stoull(digits);
}

std::vector<std::string> list_dir(const std::string& dir) {
    std::vector<std::string> out;
    DIR* d = opendir(dir.c_str());
    if (d == nullptr) {
        if (errno == ENOENT) return out;
        throw std::runtime_error("cannot list local tier directory '" + dir +
                                 "': " + std::strerror(errno));
    }
    while (const dirent* e = readdir(d)) out.emplace_back(e->d_name);
    closedir(d);
    return out;
}

// Batches pieces into one writev call (up to 1 MiB or IOV_MAX pieces, large pieces alone).
class vec_writer {
public:
    vec_writer(int fd, const std::string& path) : fd_(fd), path_(path) {}
    void put(const unsigned char* p, std::size_t n) {
        if (n == 0) return;
        iov_.push_back({const_cast<unsigned char*>(p), n});  // NOLINT: writev does not write
        bytes_ += n;
        if (bytes_ >= (std::size_t{1} << 20) || iov_.size() >= static_cast<std::size_t>(IOV_MAX)) {
            flush();
        }
    }
    void flush() {
        std::size_t first = 0;
        while (first < iov_.size()) {
            const int cnt = static_cast<int>(std::min<std::size_t>(iov_.size() - first, IOV_MAX));
            const ssize_t w = ::writev(fd_, iov_.data() + first, cnt);
            if (w < 0) {
                if (errno == EINTR) continue;
                throw std::runtime_error("cannot write '" + path_ + "': " + std::strerror(errno));
            }
            auto left = static_cast<std::size_t>(w);
            while (first < iov_.size() && left >= iov_[first].iov_len) {
                left -= iov_[first].iov_len;
                ++first;
            }
            if (left > 0) {  // partial piece: skip what was written
                iov_[first].iov_base = static_cast<unsigned char*>(iov_[first].iov_base) + left;
                iov_[first].iov_len -= left;
            }
        }
        iov_.clear();
        bytes_ = 0;
    }

private:
    int fd_;
    const std::string& path_;
    std::vector<iovec> iov_;
    std::size_t bytes_ = 0;
};

}  // namespace

std::string tier_marker::tiers() const {
    std::string t = "local";
    if (partner) t += "," + redundancy;
    if (shared) t += ",shared";
    return t;
}

std::string local_store::epoch_dir(std::uint64_t e) const { return join_path(dir_, epoch_text(e)); }

std::string local_store::own_path(std::uint64_t e, int rank) const {
    return join_path(epoch_dir(e), "rank." + std::to_string(rank) + ".img");
}

std::string local_store::partner_path(std::uint64_t e, int rank) const {
    return join_path(epoch_dir(e), "partner." + std::to_string(rank) + ".img");
}

std::string local_store::parity_path(std::uint64_t e, int rank) const {
    return join_path(epoch_dir(e), "parity." + std::to_string(rank) + ".img");
}

std::string local_store::marker_path(std::uint64_t e) const {
    return join_path(dir_, epoch_text(e) + ".done");
}

void local_store::write_durable(const std::string& path,
                                const std::vector<unsigned char>& bytes) const {
    write_durable(path, [&bytes](const piece_fn& put) { put(bytes.data(), bytes.size()); }, false);
}

void local_store::write_durable(const std::string& path,
                                const std::function<void(const piece_fn&)>& produce,
                                bool transient) const {
    const auto slash = path.find_last_of('/');
    if (slash != std::string::npos) make_directories(path.substr(0, slash));
    const std::string tmp = path + ".tmp";
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) throw std::runtime_error("cannot create '" + tmp + "': " + std::strerror(errno));
    try {
        vec_writer w(fd, tmp);
        produce([&w, transient](const unsigned char* p, std::size_t n) {
            w.put(p, n);
            if (transient) w.flush();
        });
        w.flush();
        if (::fsync(fd) != 0) {
            throw std::runtime_error("cannot fsync '" + tmp + "': " + std::strerror(errno));
        }
    } catch (...) {
        ::close(fd);
        ::unlink(tmp.c_str());
        throw;
    }
    if (::close(fd) != 0) {
        ::unlink(tmp.c_str());
        throw std::runtime_error("cannot close '" + tmp + "': " + std::strerror(errno));
    }
    rename_durable(tmp, path);
}

std::optional<std::vector<unsigned char>> local_store::read(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT || errno == ENOTDIR) return std::nullopt;
        throw std::runtime_error("cannot open '" + path + "': " + std::strerror(errno));
    }
    struct stat st {};
    if (fstat(fd, &st) != 0) {
        ::close(fd);
        throw std::runtime_error("cannot stat '" + path + "': " + std::strerror(errno));
    }
    std::vector<unsigned char> out(static_cast<std::size_t>(st.st_size));
    std::size_t got = 0;
    while (got < out.size()) {
        const ssize_t r = ::read(fd, out.data() + got, std::min<std::size_t>(out.size() - got, 1U << 30));
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) {
            const std::string why = r < 0 ? std::strerror(errno) : "unexpected end of file";
            ::close(fd);
            throw std::runtime_error("cannot read '" + path + "': " + why);
        }
        got += static_cast<std::size_t>(r);
    }
    ::close(fd);
    return out;
}

file_source::file_source(std::string path) : path_(std::move(path)) {
    fd_ = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) {
        if (errno == ENOENT || errno == ENOTDIR) return;
        throw std::runtime_error("cannot open '" + path_ + "': " + std::strerror(errno));
    }
    struct stat st {};
    if (fstat(fd_, &st) != 0) {
        const std::string why = std::strerror(errno);
        ::close(fd_);
        fd_ = -1;
        throw std::runtime_error("cannot stat '" + path_ + "': " + why);
    }
    size_ = static_cast<std::uint64_t>(st.st_size);
}

file_source::~file_source() {
    if (fd_ >= 0) ::close(fd_);
}

namespace {

// Reads up to n bytes (fewer only at the end of the file). Returns the count.
std::size_t read_some(int fd, unsigned char* p, std::size_t n, const std::string& path) {
    std::size_t got = 0;
    while (got < n) {
        const ssize_t r = ::read(fd, p + got, std::min<std::size_t>(n - got, 1U << 30));
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) throw std::runtime_error("cannot read '" + path + "': " + std::strerror(errno));
        if (r == 0) break;
        got += static_cast<std::size_t>(r);
    }
    return got;
}

}  // namespace

void file_source::fill() {
    if (buf_.empty()) buf_.resize(std::size_t{1} << 20);
    pos_ = 0;
    end_ = read_some(fd_, buf_.data(), buf_.size(), path_);
}

void file_source::read(unsigned char* dst, std::size_t n) {
    const std::size_t have = std::min(n, end_ - pos_);
    if (have > 0) std::memcpy(dst, buf_.data() + pos_, have);
    pos_ += have;
    dst += have;
    n -= have;
    if (n == 0) return;
    if (n >= (std::size_t{64} << 10)) {  // large: straight into place
        if (read_some(fd_, dst, n, path_) != n) {
            throw corrupt_error(path_ + ": rank image is truncated");
        }
        return;
    }
    fill();
    if (end_ < n) throw corrupt_error(path_ + ": rank image is truncated");
    std::memcpy(dst, buf_.data(), n);
    pos_ = n;
}

void file_source::skim(std::size_t n, const piece_fn& f) {
    while (n > 0) {
        if (pos_ == end_) {
            fill();
            if (end_ == 0) throw corrupt_error(path_ + ": rank image is truncated");
        }
        const std::size_t k = std::min(n, end_ - pos_);
        f(buf_.data() + pos_, k);
        pos_ += k;
        n -= k;
    }
}

void local_store::write_marker(const tier_marker& m) const {
    std::ostringstream o;
    o << "epoch = " << m.epoch << "\nnranks = " << m.nranks << "\ndir = " << m.dir
      << "\ntiers = " << m.tiers() << "\nredundancy = " << m.redundancy << "\n";
    const std::string text = o.str();
    write_durable(marker_path(m.epoch), std::vector<unsigned char>(text.begin(), text.end()));
}

std::optional<tier_marker> local_store::read_marker(std::uint64_t e) const {
    std::ifstream in(marker_path(e));
    if (!in) return std::nullopt;
    tier_marker m;
    std::string line;
    bool have_epoch = false;
    while (std::getline(in, line)) {
        const auto eq = line.find(" = ");
        if (eq == std::string::npos) continue;
        const std::string key = line.substr(0, eq);
        const std::string val = line.substr(eq + 3);
        try {
            if (key == "epoch") {
                m.epoch = std::stoull(val);
                have_epoch = true;
            } else if (key == "nranks") {
                m.nranks = std::stoi(val);
            } else if (key == "dir") {
                m.dir = val;
            } else if (key == "redundancy") {
                m.redundancy = val;
            } else if (key == "tiers") {
                m.partner = val.find("partner") != std::string::npos ||
                            val.find("xor:") != std::string::npos ||
                            val.find("rs:") != std::string::npos;
                m.shared = val.find("shared") != std::string::npos;
            }
        } catch (const std::exception&) {
            return std::nullopt;
        }
    }
    if (!have_epoch || m.epoch != e) return std::nullopt;
    return m;
}

std::vector<std::uint64_t> local_store::committed() const {
    std::set<std::uint64_t> out;
    for (const auto& n : list_dir(dir_)) {
        if (auto e = parse_epoch(n, ".done")) out.insert(*e);
    }
    return {out.begin(), out.end()};
}

std::vector<std::uint64_t> local_store::uncommitted() const {
    std::set<std::uint64_t> dirs;
    std::set<std::uint64_t> done;
    for (const auto& n : list_dir(dir_)) {
        if (auto e = parse_epoch(n, ".done")) done.insert(*e);
        else if (auto d = parse_epoch(n, "")) dirs.insert(*d);
    }
    std::vector<std::uint64_t> out;
    for (auto e : dirs) {
        if (done.count(e) == 0) out.push_back(e);
    }
    return out;
}

std::string local_store::remove_epoch(std::uint64_t e) const {
    std::string problems;
    std::string why;
    if (!remove_file(marker_path(e), why)) return why;  // still counts: leave the files
    const std::string d = epoch_dir(e);
    std::vector<std::string> names;
    try {
        names = list_dir(d);
    } catch (const std::exception& ex) {
        return ex.what();
    }
    for (const auto& n : names) {
        if (n == "." || n == "..") continue;
        if (!remove_file(join_path(d, n), why)) problems += (problems.empty() ? "" : "; ") + why;
    }
    if (::rmdir(d.c_str()) != 0 && errno != ENOENT && problems.empty()) {
        problems = "cannot remove '" + d + "': " + std::strerror(errno);
    }
    return problems;
}

void local_store::remove_rank_files(std::uint64_t e, int rank) const {
    std::string why;
    remove_file(own_path(e, rank), why);
    remove_file(own_path(e, rank) + ".tmp", why);
}

}  // namespace cairn::detail
