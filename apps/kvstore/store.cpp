#include "store.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <sstream>
#include <stdexcept>

namespace kv {

namespace fs = std::filesystem;

std::uint32_t crc32(const void* p, std::size_t n, std::uint32_t crc) {
    static std::uint32_t table[256];
    static const bool ready = [] {
        for (std::uint32_t i = 0; i < 256; ++i) {
            std::uint32_t c = i;
            for (int k = 0; k < 8; ++k) c = (c & 1U) != 0 ? 0xEDB88320U ^ (c >> 1U) : c >> 1U;
            table[i] = c;
        }
        return true;
    }();
    (void)ready;
    const auto* b = static_cast<const unsigned char*>(p);
    crc = ~crc;
    for (std::size_t i = 0; i < n; ++i) crc = table[(crc ^ b[i]) & 0xFFU] ^ (crc >> 8U);
    return ~crc;
}

namespace {

void put_bytes(std::vector<unsigned char>& out, const void* p, std::size_t n) {
    const auto* b = static_cast<const unsigned char*>(p);
    out.insert(out.end(), b, b + n);
}
template <class T>
void put(std::vector<unsigned char>& out, T v) {
    put_bytes(out, &v, sizeof v);
}
void put_record(std::vector<unsigned char>& out, op o, const std::string& k, const std::string& v) {
    put(out, static_cast<std::uint8_t>(o));
    put(out, static_cast<std::uint32_t>(k.size()));
    put(out, static_cast<std::uint32_t>(v.size()));
    put_bytes(out, k.data(), k.size());
    put_bytes(out, v.data(), v.size());
}

// Sequential reader over bytes; ok() false once something was missing.
struct cursor {
    const std::vector<unsigned char>& b;
    std::size_t pos = 0;
    bool good = true;
    bool take(void* dst, std::size_t n) {
        if (!good || n > b.size() - pos) return good = false;
        std::memcpy(dst, b.data() + pos, n);
        pos += n;
        return true;
    }
    template <class T>
    T get() {
        T v{};
        take(&v, sizeof v);
        return v;
    }
    std::string str(std::size_t n) {
        if (!good || n > b.size() - pos) {
            good = false;
            return {};
        }
        std::string s(reinterpret_cast<const char*>(b.data() + pos), n);
        pos += n;
        return s;
    }
};

std::vector<unsigned char> read_all(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    if (!in) throw std::runtime_error("cannot open " + p.string());
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_all(int fd, const unsigned char* p, std::size_t n, const std::string& what) {
    while (n > 0) {
        const ssize_t w = ::write(fd, p, n);
        if (w < 0) throw std::runtime_error("write " + what + ": " + std::strerror(errno));
        p += w;
        n -= static_cast<std::size_t>(w);
    }
}

void sync_dir(const fs::path& d) {
    const int fd = ::open(d.c_str(), O_RDONLY | O_DIRECTORY);
    if (fd >= 0) {
        ::fsync(fd);
        ::close(fd);
    }
}

constexpr std::uint32_t chain_magic = 0x4B564331;  // "KVC1"

}  // namespace

owner::owner(fs::path dir, int rank, int full_every, bool log, int group_commit)
    : dir_(std::move(dir)), rank_(rank), full_every_(std::max(1, full_every)), log_(log),
      group_commit_(std::max(1, group_commit)) {
    fs::create_directories(dir_);
}

owner::~owner() {
    if (log_fd_ >= 0) ::close(log_fd_);
}

const std::string* owner::find(const std::string& key) const {
    const auto it = map_.find(key);
    return it == map_.end() ? nullptr : &it->second;
}

std::uint64_t owner::apply(op o, const std::string& key, const std::string& value) {
    ++version_;
    if (o == op::put) {
        map_[key] = value;
    } else {
        map_.erase(key);
    }
    dirty_.insert(key);
    if (log_) {
        const std::size_t start = log_buf_.size();
        put(log_buf_, version_);
        put_record(log_buf_, o, key, value);
        const std::uint32_t c = crc32(log_buf_.data() + start, log_buf_.size() - start);
        put(log_buf_, c);
        dirty_log_ = true;
        if (++unsynced_ >= group_commit_) sync();
    }
    return version_;
}

void owner::flush_log() {
    if (log_buf_.empty()) return;
    write_all(log_fd_, log_buf_.data(), log_buf_.size(), "log");
    log_buf_.clear();
}

void owner::sync() {
    if (!log_ || !dirty_log_) return;
    flush_log();
    if (::fdatasync(log_fd_) != 0) throw std::runtime_error("fdatasync of the log failed");
    segments_.back().last = version_;
    unsynced_ = 0;
    dirty_log_ = false;
}

void owner::open_segment() {
    if (!log_) return;
    sync();
    if (log_fd_ >= 0) ::close(log_fd_);
    const auto ns = std::chrono::steady_clock::now().time_since_epoch().count();
    char name[96];
    std::snprintf(name, sizeof name, "log.%020llu.%020lld", static_cast<unsigned long long>(version_ + 1),
                  static_cast<long long>(ns));
    const fs::path p = dir_ / name;
    log_fd_ = ::open(p.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_APPEND, 0644);
    if (log_fd_ < 0) throw std::runtime_error("cannot create " + p.string());
    sync_dir(dir_);
    segments_.push_back({p, version_});
}

std::string owner::write_chain_file(const std::string& stem,
                                    const std::vector<unsigned char>& bytes) {
    // A new name every time (O_EXCL): a file some checkpoint references is never rewritten, even
    // when a restart reaches the same versions again.
    std::string name;
    int fd = -1;
    for (int k = 0; fd < 0; ++k) {
        name = k == 0 ? stem + ".bin" : stem + "." + std::to_string(k) + ".bin";
        fd = ::open((dir_ / name).c_str(), O_WRONLY | O_CREAT | O_EXCL, 0644);
        if (fd < 0 && (errno != EEXIST || k > 1000)) {
            throw std::runtime_error("cannot create " + (dir_ / name).string() + ": " +
                                     std::strerror(errno));
        }
    }
    const fs::path p = dir_ / name;
    try {
        write_all(fd, bytes.data(), bytes.size(), p.string());
    } catch (...) {
        ::close(fd);
        throw;
    }
    const int rc = ::fsync(fd);
    ::close(fd);
    if (rc != 0) throw std::runtime_error("fsync " + p.string() + " failed");
    sync_dir(dir_);
    return name;
}

void owner::save(cairn::byte_writer& w) {
    // cairn runs one checkpoint at a time: the previous save's checkpoint has finished by now.
    settle(true);
    sync();
    const bool full = need_full_ || saves_since_full_ + 1 >= full_every_ || chain_.empty();
    link l;
    l.full = full ? 1 : 0;
    l.from = full ? 0 : chain_.back().to;
    l.to = version_;
    std::vector<unsigned char> bytes;
    put(bytes, chain_magic);
    put(bytes, l.full);
    put(bytes, l.from);
    put(bytes, l.to);
    if (full) {
        put(bytes, static_cast<std::uint64_t>(map_.size()));
        for (const auto& [k, v] : map_) put_record(bytes, op::put, k, v);
    } else {
        put(bytes, static_cast<std::uint64_t>(dirty_.size()));
        for (const auto& k : dirty_) {
            const auto it = map_.find(k);
            if (it == map_.end()) {
                put_record(bytes, op::del, k, {});  // tombstone
            } else {
                put_record(bytes, op::put, k, it->second);
            }
        }
    }
    char stem[96];
    std::snprintf(stem, sizeof stem, "%s.%020llu-%020llu", full ? "full" : "delta",
                  static_cast<unsigned long long>(l.from), static_cast<unsigned long long>(l.to));
    l.bytes = bytes.size();
    l.crc = crc32(bytes.data(), bytes.size());
    l.file = write_chain_file(stem, bytes);
    // Nothing is deleted here: in non-blocking mode this checkpoint commits (or not) later, and
    // the older chain stays needed until then (collect_garbage() after the commit).
    if (full) {
        chain_.clear();
        saves_since_full_ = 0;
        need_full_ = false;
        full_bytes_ += l.bytes;
        ++fulls_;
    } else {
        ++saves_since_full_;
        delta_bytes_ += l.bytes;
        ++deltas_;
    }
    chain_.push_back(l);
    dirty_.clear();
    saved_version_ = version_;
    pending_.valid = true;
    pending_.epoch_before = cairn::epoch();
    pending_.ref = chain_ref();
    w.put(version_);
    w.put(static_cast<std::uint64_t>(chain_.size()));
    for (const auto& c : chain_) {
        w.put(c.full);
        w.put(c.from);
        w.put(c.to);
        w.put(c.bytes);
        w.put(c.crc);
        w.put_string(c.file);
    }
}

void owner::load(cairn::byte_reader& r) {
    const auto version = r.get<std::uint64_t>();
    const auto n = r.get<std::uint64_t>();
    std::vector<link> chain;
    for (std::uint64_t i = 0; i < n; ++i) {
        link l;
        l.full = r.get<std::uint8_t>();
        l.from = r.get<std::uint64_t>();
        l.to = r.get<std::uint64_t>();
        l.bytes = r.get<std::uint64_t>();
        l.crc = r.get<std::uint32_t>();
        l.file = r.get_string();
        chain.push_back(l);
    }
    loaded_.files.clear();
    for (const auto& l : chain) loaded_.files.push_back(l.file);
    map_.clear();
    dirty_.clear();
    chain_.clear();
    version_ = 0;
    std::string broken;
    for (std::size_t i = 0; i < chain.size() && broken.empty(); ++i) {
        const link& l = chain[i];
        std::vector<unsigned char> bytes;
        try {
            bytes = read_all(dir_ / l.file);
        } catch (const std::exception& e) {
            broken = e.what();
            break;
        }
        if (bytes.size() != l.bytes || crc32(bytes.data(), bytes.size()) != l.crc) {
            broken = l.file + " does not verify (size or CRC-32)";
            break;
        }
        if ((i == 0) != (l.full == 1) || (i > 0 && l.from != chain[i - 1].to)) {
            broken = l.file + " does not continue the chain";
            break;
        }
        cursor c{bytes};
        const auto magic = c.get<std::uint32_t>();
        c.get<std::uint8_t>();
        c.get<std::uint64_t>();
        c.get<std::uint64_t>();
        const auto records = c.get<std::uint64_t>();
        if (magic != chain_magic) {
            broken = l.file + " is not a chain file";
            break;
        }
        if (l.full) map_.clear();
        for (std::uint64_t k = 0; k < records && c.good; ++k) {
            const auto o = static_cast<op>(c.get<std::uint8_t>());
            const auto kl = c.get<std::uint32_t>();
            const auto vl = c.get<std::uint32_t>();
            std::string key = c.str(kl);
            std::string val = c.str(vl);
            if (!c.good) break;
            if (o == op::put) {
                map_[std::move(key)] = std::move(val);
            } else {
                map_.erase(key);
            }
        }
        if (!c.good) {
            broken = l.file + " is truncated";
            break;
        }
        chain_.push_back(l);
        version_ = l.to;
    }
    if (!broken.empty()) {
        std::fprintf(stderr,
                     "kvstore rank %d: broken link in the checkpoint chain: %s; the restored "
                     "state stops at version %llu (the checkpoint holds %llu)\n",
                     rank_, broken.c_str(), static_cast<unsigned long long>(version_),
                     static_cast<unsigned long long>(version));
        need_full_ = true;
    } else {
        need_full_ = false;
        saves_since_full_ = static_cast<int>(chain_.size()) - 1;
    }
    saved_version_ = version_;
    // What this checkpoint (with the log) restores to: after a broken link, the last good state,
    // so that the log records past it are kept for the next restart.
    loaded_.version = version_;
}

owner::manifest_ref owner::chain_ref() const {
    manifest_ref r;
    r.version = chain_.empty() ? version_ : chain_.back().to;
    for (const auto& c : chain_) r.files.push_back(c.file);
    return r;
}

void owner::settle(bool over) {
    if (!pending_.valid) return;
    const std::uint64_t e = cairn::epoch();
    if (e > pending_.epoch_before) {
        committed_[e] = pending_.ref;
        write_refs();
        pending_.valid = false;
    } else if (over) {
        pending_.valid = false;  // that checkpoint failed or was aborted
    }
}

void owner::restored(std::uint64_t epoch) {
    read_refs();
    committed_[epoch] = loaded_;
    write_refs();
    collect_garbage();
}

void owner::on_commit() {
    settle(false);
    if (log_) open_segment();
    collect_garbage();
}

void owner::read_refs() {
    std::ifstream in(dir_ / "refs");
    std::string line;
    while (std::getline(in, line)) {
        std::istringstream s(line);
        std::uint64_t epoch = 0;
        manifest_ref r;
        if (!(s >> epoch >> r.version)) continue;
        std::string f;
        while (s >> f) r.files.push_back(f);
        committed_[epoch] = std::move(r);
    }
}

void owner::write_refs() {
    std::string text;
    for (const auto& [epoch, r] : committed_) {
        text += std::to_string(epoch) + ' ' + std::to_string(r.version);
        for (const auto& f : r.files) text += ' ' + f;
        text += '\n';
    }
    const fs::path tmp = dir_ / "refs.tmp";
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) throw std::runtime_error("cannot create " + tmp.string());
    try {
        write_all(fd, reinterpret_cast<const unsigned char*>(text.data()), text.size(), tmp.string());
    } catch (...) {
        ::close(fd);
        throw;
    }
    const int rc = ::fsync(fd);
    ::close(fd);
    if (rc != 0) throw std::runtime_error("fsync " + tmp.string() + " failed");
    fs::rename(tmp, dir_ / "refs");
    sync_dir(dir_);
}

void owner::collect_garbage() {
    const std::vector<std::uint64_t> kept = cairn::committed_epochs();
    const std::uint64_t current = cairn::epoch();
    // Manifests of checkpoints retention removed are no longer needed.
    bool changed = false;
    for (auto it = committed_.begin(); it != committed_.end();) {
        if (std::find(kept.begin(), kept.end(), it->first) == kept.end()) {
            it = committed_.erase(it);
            changed = true;
        } else {
            ++it;
        }
    }
    if (changed) write_refs();
    // A kept checkpoint whose manifest is unknown (its commit was not recorded before a crash and
    // it was not the one restored) may reference anything: delete nothing until retention drops
    // it. Newer epochs than current() are the pending save's commit, protected below.
    for (const auto e : kept) {
        if (e <= current && committed_.count(e) == 0) return;
    }
    std::unordered_set<std::string> needed;
    std::uint64_t oldest_version = version_;
    for (const auto& [epoch, r] : committed_) {
        needed.insert(r.files.begin(), r.files.end());
        oldest_version = std::min(oldest_version, r.version);
    }
    if (pending_.valid) needed.insert(pending_.ref.files.begin(), pending_.ref.files.end());
    for (const auto& c : chain_) needed.insert(c.file);
    bool removed = false;
    for (const auto& e : fs::directory_iterator(dir_)) {
        const std::string name = e.path().filename().string();
        const bool chain_file = (name.rfind("full.", 0) == 0 || name.rfind("delta.", 0) == 0) &&
                                name.size() > 4 && name.compare(name.size() - 4, 4, ".bin") == 0;
        if (chain_file && needed.count(name) == 0) {
            std::error_code ec;
            fs::remove(e.path(), ec);
            removed = true;
        }
    }
    // Log segments: every kept checkpoint (a fallback too) must still replay to the newest
    // acknowledged write, so a closed segment goes once the oldest kept checkpoint covers it.
    if (log_ && !committed_.empty()) {
        std::vector<segment> keep;
        for (std::size_t i = 0; i + 1 < segments_.size(); ++i) {
            if (segments_[i].last <= oldest_version) {
                std::error_code ec;
                fs::remove(segments_[i].path, ec);
                removed = true;
            } else {
                keep.push_back(segments_[i]);
            }
        }
        if (!segments_.empty()) keep.push_back(segments_.back());
        segments_ = std::move(keep);
    }
    if (removed) sync_dir(dir_);
}

std::uint64_t owner::replay() {
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(dir_)) {
        if (e.path().filename().string().rfind("log.", 0) == 0) files.push_back(e.path());
    }
    std::sort(files.begin(), files.end());
    std::uint64_t applied = 0;
    const bool was_logging = log_;
    log_ = false;  // replayed records are already in the log
    for (const auto& f : files) {
        const std::vector<unsigned char> b = read_all(f);
        cursor c{b};
        std::uint64_t last = 0;
        while (c.pos < b.size()) {
            const std::size_t start = c.pos;
            const auto v = c.get<std::uint64_t>();
            const auto o = static_cast<op>(c.get<std::uint8_t>());
            const auto kl = c.get<std::uint32_t>();
            const auto vl = c.get<std::uint32_t>();
            const std::string key = c.str(kl);
            const std::string val = c.str(vl);
            const std::size_t end = c.pos;
            const auto crc = c.get<std::uint32_t>();
            if (!c.good || crc != crc32(b.data() + start, end - start)) {
                std::fprintf(stderr, "kvstore rank %d: torn tail in %s at byte %zu: log ends\n",
                             rank_, f.filename().c_str(), start);
                break;
            }
            last = v;
            if (v <= version_) continue;
            if (v != version_ + 1) {
                std::fprintf(stderr, "kvstore rank %d: gap in the log (%llu after %llu)\n", rank_,
                             static_cast<unsigned long long>(v),
                             static_cast<unsigned long long>(version_));
                break;
            }
            apply(o, key, val);
            ++applied;
        }
        segments_.push_back({f, last});
    }
    log_ = was_logging;
    return applied;
}

}  // namespace kv
