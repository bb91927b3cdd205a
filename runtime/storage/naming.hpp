// Checkpoint file names in a directory, listing and the retention policy. Pure code, no MPI.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cairn::detail {

/// "ckpt.000042.h5" (at least six digits, more when the epoch needs them).
std::string checkpoint_name(std::uint64_t epoch);

/// "ckpt.000042.h5.tmp": the name a checkpoint is written under before it is committed.
std::string temp_name(std::uint64_t epoch);

/// "ckpt.000042.h5.removing": a file retention took out of the checkpoint set (a rename, at once)
/// and deletes in the background; no listing, restore or tool treats it as a checkpoint.
std::string removing_name(std::uint64_t epoch);

/// Epoch of a committed checkpoint file name ("ckpt.<digits>.h5"), else nullopt.
std::optional<std::uint64_t> parse_checkpoint_name(std::string_view filename);

/// Epoch of a temporary file name ("ckpt.<digits>.h5.tmp"), else nullopt.
std::optional<std::uint64_t> parse_temp_name(std::string_view filename);

/// Epoch of a file being removed ("ckpt.<digits>.h5.removing"), else nullopt.
std::optional<std::uint64_t> parse_removing_name(std::string_view filename);

/// What a checkpoint directory holds.
struct dir_listing {
    std::vector<std::uint64_t> committed;  ///< epochs, ascending
    std::vector<std::uint64_t> temps;      ///< epochs of uncommitted .tmp files, ascending
    std::vector<std::uint64_t> removing;   ///< epochs of .removing files (left by a crash)
};

/// Lists `dir` (a missing directory is empty). Throws std::runtime_error if it cannot be read.
dir_listing list_checkpoints(const std::string& dir);

/// Epochs to delete so that the newest `keep` committed checkpoints remain. `protect` (the newest
/// checkpoint known to be good) is never returned.
std::vector<std::uint64_t> retention_victims(const std::vector<std::uint64_t>& committed,
                                             int keep, std::uint64_t protect);

}  // namespace cairn::detail
