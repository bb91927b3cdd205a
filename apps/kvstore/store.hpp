// One owner's part of the key-value store: the map, its delta checkpoints and its operation log.
#pragma once

#include <cairn/cairn.hpp>

#include <cstdint>
#include <filesystem>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

namespace kv {

enum class op : std::uint8_t { get = 0, put = 1, del = 2 };

/// CRC-32 (IEEE) of `n` bytes, continuing from `crc`.
std::uint32_t crc32(const void* p, std::size_t n, std::uint32_t crc = 0);

/// The map one rank owns, with its checkpoint chain and log.
class owner {
public:
    owner(std::filesystem::path dir, int rank, int full_every, bool log, int group_commit);
    ~owner();
    owner(const owner&) = delete;
    owner& operator=(const owner&) = delete;

    /// Applies a put or delete (logged when the log is on); returns the new version.
    std::uint64_t apply(op o, const std::string& key, const std::string& value);
    /// Makes every logged record durable (fdatasync); call before acknowledging.
    void sync();
    /// Looks a key up.
    const std::string* find(const std::string& key) const;

    /// cairn save callback: writes a full image or a delta file, then the manifest to `w`.
    void save(cairn::byte_writer& w);
    /// cairn load callback: loads the base and applies each verified delta in order.
    void load(cairn::byte_reader& r);
    /// A checkpoint covering the last save() committed: new log segment, old segments dropped.
    void on_commit();
    /// Replays log records past the restored version; returns how many were applied.
    std::uint64_t replay();
    /// Opens a fresh log segment (after restore/replay, or at start).
    void open_segment();

    [[nodiscard]] std::uint64_t version() const { return version_; }
    [[nodiscard]] const std::unordered_map<std::string, std::string>& map() const { return map_; }
    [[nodiscard]] std::uint64_t full_bytes() const { return full_bytes_; }
    [[nodiscard]] std::uint64_t delta_bytes() const { return delta_bytes_; }
    [[nodiscard]] std::uint64_t fulls() const { return fulls_; }
    [[nodiscard]] std::uint64_t deltas() const { return deltas_; }

private:
    struct link {
        std::uint8_t full = 0;
        std::uint64_t from = 0;
        std::uint64_t to = 0;
        std::uint64_t bytes = 0;
        std::uint32_t crc = 0;
        std::string file;
    };
    struct segment {
        std::filesystem::path path;
        std::uint64_t last = 0;  // newest version it holds
    };
    void write_chain_file(const link& l, const std::vector<unsigned char>& bytes);
    void flush_log();

    std::filesystem::path dir_;
    int rank_;
    int full_every_;
    bool log_;
    int group_commit_;
    std::unordered_map<std::string, std::string> map_;
    std::unordered_set<std::string> dirty_;
    std::uint64_t version_ = 0;
    std::uint64_t saved_version_ = 0;
    std::vector<link> chain_;
    std::vector<std::string> older_chain_;  // files of the previous chain (deleted at the next full)
    int saves_since_full_ = 0;
    bool need_full_ = true;
    std::uint64_t full_bytes_ = 0;
    std::uint64_t delta_bytes_ = 0;
    std::uint64_t fulls_ = 0;
    std::uint64_t deltas_ = 0;
    int log_fd_ = -1;
    std::vector<unsigned char> log_buf_;
    int unsynced_ = 0;
    bool dirty_log_ = false;
    std::vector<segment> segments_;  // closed segments, oldest first, then the open one
};

}  // namespace kv
