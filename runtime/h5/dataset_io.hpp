// Dataset creation and small-table I/O shared by the writer, the reader and the channel log.
#pragma once

#include "h5/handles.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace cairn::detail::h5 {

/// Remembers the first failure of a collective transfer so that every rank still makes every
/// collective call; the failure is thrown after the last one.
struct deferred_failure {
    std::optional<std::string> first;
    /// Runs f, keeping the text of the first hdf5_error or cairn::error it throws.
    template <class F>
    void run(F&& f) {
        try {
            f();
        } catch (const hdf5_error& e) {
            if (!first) first = e.detail();
        } catch (const cairn::error& e) {
            if (!first) first = e.what();
        }
    }
    /// Keeps `why` unless a failure is already remembered or `why` is empty.
    void note(const std::string& why) {
        if (!first && !why.empty()) first = why;
    }
};

/// Creation list of checkpoint datasets: contiguous, allocated early, never filled.
plist contiguous_dcpl();

/// Creation list of a compressed data dataset of shape `dims` with `elem_size`-byte elements:
/// chunks of about 1 MiB (trailing dimensions kept whole where they fit), shuffle + deflate at
/// `level` (1-9). A dataset with a zero dimension cannot be chunked: it gets contiguous_dcpl().
plist deflate_dcpl(const std::vector<hsize_t>& dims, std::size_t elem_size, int level);

/// Creates dataset `path` of file type `ftype` and shape `dims` (collective in parallel files).
dataset create_dataset(hid_t fid, const std::string& path, hid_t ftype,
                       const std::vector<hsize_t>& dims, hid_t dcpl);

/// Creates a uint64 table `path` of shape `dims` (every rank: creation is collective) that rank
/// 0 writes alone with independent I/O (`values`, row-major): no collective transfer, whose
/// rounds of messages cost the most where ranks share cores with the application.
void write_table(hid_t fid, const std::string& path, const std::vector<hsize_t>& dims,
                 const std::vector<std::uint64_t>& values, int rank, hid_t dcpl,
                 deferred_failure& failure);

/// "0x%016x" of a checksum.
std::string hex(std::uint64_t v);

}  // namespace cairn::detail::h5
