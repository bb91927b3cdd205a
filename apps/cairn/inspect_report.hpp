// What `cairn inspect` found, and its text and JSON output.
#pragma once

#include "h5/checkpoint_file.hpp"
#include "tier/local_summary.hpp"

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

namespace cairn::cli {

/// One checkpoint file examined.
struct file_report {
    std::string path;
    std::uint64_t epoch = 0;  ///< from the file name (0 if the name is not ckpt.<n>.h5)
    bool readable = false;    ///< inspect_checkpoint_file succeeded
    std::string error;        ///< why it is not readable
    cairn::detail::checkpoint_summary summary;
    bool verified = false;              ///< --verify ran
    std::vector<std::string> problems;  ///< checksum/structure problems found by --verify

    /// True if the file is readable and (when verified) has no problems.
    [[nodiscard]] bool good() const { return readable && problems.empty(); }
};

/// Everything found for one DIR or FILE argument.
struct inspect_report {
    std::string target;
    bool is_directory = false;
    std::vector<file_report> files;        ///< committed checkpoints, oldest first
    std::vector<std::string> uncommitted;  ///< .tmp files (not checkpoints)
    std::string local_dir;  ///< --local: the node-local tier listed too ("" = not asked)
    std::vector<cairn::detail::local_epoch_summary> local;  ///< its epochs, oldest first
};

/// The node-local tier part of the text and JSON output (nothing when local_dir is "").
void print_local_text(std::ostream& os, const inspect_report& r);
void print_local_json(std::ostream& os, const inspect_report& r);

/// Human-readable listing.
void print_text(std::ostream& os, const inspect_report& r);

/// JSON document (one object; see docs/tools.md).
void print_json(std::ostream& os, const inspect_report& r);

}  // namespace cairn::cli
