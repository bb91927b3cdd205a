// Runtime configuration: defaults, an optional `key = value` file, then CAIRN_* environment
// variables (the environment wins). Pure code, no MPI.
#pragma once

#include "common/fault.hpp"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace cairn::detail {

/// How checkpoints are scheduled.
enum class interval_mode { off, steps, fixed, young, daly };

/// What restore() does.
/// force: as automatic, but also restores a checkpoint of another run (run identity differs).
enum class restart_mode { automatic, never, required, force };

/// When the node-local tier flushes a checkpoint to the shared directory.
enum class flush_mode { every, every_k, end };

/// Redundancy of the node-local tier: one partner copy per rank, or parity over sets of nodes
/// (XOR for one parity block, Reed-Solomon for more; docs/tiers.md).
enum class redundancy_kind { partner, xor_set, rs };

/// parallel_staging: a helper thread for the staging copy always, never, or where each rank on
/// the node has a core to spare for it (automatic).
enum class staging_split { off, on, automatic };

/// Parsed configuration. Field names equal the configuration keys.
struct config {
    std::string dir = "cairn-checkpoints";
    int keep = 2;
    int verbose = 1;
    interval_mode interval = interval_mode::daly;
    std::uint64_t interval_steps = 0;  ///< for interval_mode::steps
    double interval_seconds = 0;       ///< for interval_mode::fixed
    double node_mtbf = 30.0 * 86400;   ///< seconds
    restart_mode restart = restart_mode::automatic;
    std::vector<int> signals;  ///< signal numbers that trigger checkpoint-then-exit
    int lookahead = 2;
    std::string app_name;
    /// Run identity key (docs/configuration.md, "Run identity"); resolved by init(): the `run_key`
    /// setting, else init_options::run_key, else the command-line arguments.
    std::string run_key;
    bool run_key_set = false;  ///< run_key came from the configuration (file or environment)
    bool abort_on_error = false;
    std::string history;  ///< "" = <dir>/history
    bool nonblocking = true;  ///< mode: non-blocking Mattern snapshot (else blocking)
    /// The MPI interposition (headers, the consistent cut); off only with mode=blocking, where
    /// in-flight messages are then not saved (a baseline for benchmarks).
    bool interpose = true;
    std::uint64_t staging_limit = 8ULL << 30;  ///< bytes of staging memory per rank
    bool staging_prefault = true;  ///< allocate and touch staging memory before the first cut
    double epoch_timeout = 120;  ///< seconds before an unfinished snapshot is aborted
    /// Snapshots aborted in a row (none committed in between) after which the cause is reported
    /// as an error and on_error applies; 0 = never.
    int abort_limit = 5;
    int deflate_level = 0;  ///< compression: 0 = none, 1-9 = HDF5 deflate (gzip) level
    bool direct_io = true;  ///< raw data of contiguous blocks written/read with O_DIRECT
    staging_split parallel_staging =
        staging_split::automatic;  ///< staging copy split in two threads
    bool incremental = false;    ///< block-hash delta checkpoints (docs/incremental.md)
    std::uint64_t block_size = 64ULL << 10;  ///< bytes per hashed block of a delta
    int full_every = 8;          ///< a full checkpoint after this many deltas
    std::string local_dir;  ///< base of the node-local tier ("" = no local tier)
    flush_mode flush = flush_mode::every;  ///< local tier: flush policy
    std::uint64_t flush_every = 1;         ///< flush_mode::every_k: every K-th epoch
    int partner = 1;      ///< local tier: partner node distance on the ring (0 = no copy)
    int node_split = 0;   ///< testing aid: N consecutive ranks form a simulated node (0 = off)
    redundancy_kind redundancy = redundancy_kind::partner;  ///< local tier: partner or parity sets
    int set_data = 0;    ///< xor:N, rs:N+K: data shares per set (a set spans set_data + set_parity nodes)
    int set_parity = 0;  ///< parity shares per set (xor: 1)
    std::string failure_domain;  ///< "" (off), "env:NAME" or "host:REGEX": sets avoid sharing one
    fault::spec fault;  ///< fault injection for tests (off by default)
    std::string config_file;  ///< where the file keys came from ("" = none)

    /// Path of the job history file.
    [[nodiscard]] std::string history_path() const { return history.empty() ? dir + "/history" : history; }
};

/// All known keys, in documentation order.
const std::vector<std::string>& config_keys();

/// Applies one key. Throws std::invalid_argument naming key, value and the accepted values.
void apply_config_key(config& c, const std::string& key, const std::string& value);

/// Parses the text of a config file (`key = value`, `#` comments, blank lines). `origin` names the
/// file in errors ("cairn.conf:3: unknown key 'kep' (known keys: ...)").
void apply_config_text(config& c, const std::string& text, const std::string& origin);

/// Builds the configuration: defaults, then `file` (or $CAIRN_CONFIG if file is empty), then the
/// CAIRN_* variables in `env` (NAME=VALUE strings, e.g. from environ). Throws std::invalid_argument
/// with one clear message on any unknown key or bad value.
config load_config(const std::string& file, const std::vector<std::string>& env);

/// The CAIRN_* entries of the process environment.
std::vector<std::string> cairn_environment();

/// Parses a byte size such as "512MiB", "4GiB", "1000000" (bare number = bytes; k/M/G/T and
/// KiB/MiB/GiB/TiB accepted, powers of 1024). Throws std::invalid_argument.
std::uint64_t parse_size(const std::string& text);

/// "partner", "xor:N" or "rs:N+K" as configured (N = nodes of an xor set; see docs/tiers.md).
std::string redundancy_name(const config& c);

/// One-line summary for verbose output.
std::string describe(const config& c);

}  // namespace cairn::detail
