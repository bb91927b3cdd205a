// One owner's part of the key-value store: the map, its delta checkpoints and its operation log.
#pragma once

#include <cairn/cairn.hpp>

#include <cstdint>
#include <filesystem>
#include <map>
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
    /// After cairn::restore() loaded checkpoint `epoch`: records its manifest as committed and
    /// removes the chain files no kept checkpoint references (older chains, files of checkpoints
    /// that never committed).
    void restored(std::uint64_t epoch);
    /// cairn::epoch() increased: the last save() committed. Records its manifest, then removes
    /// the chain files and log segments no kept checkpoint needs; opens a new log segment.
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
    // Files and version of a checkpoint's manifest.
    struct manifest_ref {
        std::uint64_t version = 0;
        std::vector<std::string> files;
    };
    // The newest save(): its checkpoint commits if cairn::epoch() grows past `epoch_before`.
    struct pending_save {
        bool valid = false;
        std::uint64_t epoch_before = 0;
        manifest_ref ref;
    };
    std::string write_chain_file(const std::string& stem, const std::vector<unsigned char>& bytes);
    void flush_log();
    // Moves the pending save into committed_ if it committed; drops it if `over` (its checkpoint
    // finished without committing).
    void settle(bool over);
    void read_refs();
    void write_refs();
    // Deletes chain files and log segments no kept checkpoint (nor the pending save, nor the
    // current chain) needs; does nothing while a kept checkpoint's manifest is unknown.
    void collect_garbage();
    [[nodiscard]] manifest_ref chain_ref() const;

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
    std::map<std::uint64_t, manifest_ref> committed_;  // epoch -> manifest (persisted in refs)
    pending_save pending_;
    manifest_ref loaded_;  // manifest of the checkpoint load() read (every link, even broken ones)
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
