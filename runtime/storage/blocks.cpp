#include "storage/blocks.hpp"

#include "storage/checksum.hpp"

#include <algorithm>
#include <cstring>
#include <utility>

namespace cairn::detail {

const unsigned char* packed_bytes(const buffer_desc& b, std::vector<unsigned char>& tmp) {
    if (b.contiguous()) return static_cast<const unsigned char*>(b.data);
    tmp.resize(b.bytes());
    unsigned char* out = tmp.data();
    for_each_block_row(b, [&](const unsigned char* row, std::size_t n) {
        std::memcpy(out, row, n);
        out += n;
    });
    return tmp.data();
}

void unpack_bytes(const buffer_desc& b, const unsigned char* in) {
    // for_each_block_row walks b.data's rows; they are the application's writable memory.
    for_each_block_row(b, [&](const unsigned char* row, std::size_t n) {
        std::memcpy(const_cast<unsigned char*>(row), in,
                    n);  // NOLINT(cppcoreguidelines-pro-type-const-cast)
        in += n;
    });
}

std::size_t block_count(std::size_t n, std::size_t block) {
    return (n + block - 1) / block;
}

std::vector<std::uint64_t> block_hashes(const unsigned char* data, std::size_t n,
                                        std::size_t block) {
    std::vector<std::uint64_t> h(block_count(n, block));
    for (std::size_t i = 0; i < h.size(); ++i) {
        const std::size_t off = i * block;
        h[i] = hash_bytes(data + off, std::min(block, n - off));
    }
    return h;
}

std::uint64_t hashes_checksum(const std::vector<std::uint64_t>& hashes) {
    std::vector<unsigned char> le(hashes.size() * 8);
    for (std::size_t i = 0; i < hashes.size(); ++i) {
        for (int k = 0; k < 8; ++k)
            le[i * 8 + k] = static_cast<unsigned char>(hashes[i] >> (8 * k));
    }
    return hash_bytes(le.data(), le.size());
}

std::uint64_t state_checksum(const unsigned char* data, std::size_t n, std::size_t block) {
    return hashes_checksum(block_hashes(data, n, block));
}

buffer_change diff_blocks(const unsigned char* data, std::size_t n, std::size_t block,
                          const std::vector<std::uint64_t>& new_hashes,
                          const std::vector<std::uint64_t>& old_hashes, bool whole,
                          std::uint64_t checksum, std::vector<unsigned char> spare) {
    buffer_change c;
    c.bytes = std::move(spare);
    c.bytes.clear();
    c.size = n;
    c.checksum = checksum;
    for (std::size_t i = 0; i < new_hashes.size(); ++i) {
        if (whole || i >= old_hashes.size() || old_hashes[i] != new_hashes[i]) {
            c.blocks.push_back(i);
        }
    }
    std::size_t total = 0;
    for (const auto i : c.blocks) total += std::min(block, n - i * block);
    c.bytes.resize(total);
    unsigned char* out = c.bytes.data();
    for (const auto i : c.blocks) {
        const std::size_t len = std::min(block, n - i * block);
        std::memcpy(out, data + i * block, len);
        out += len;
    }
    return c;
}

std::uint64_t change_checksum(const std::vector<std::uint64_t>& blocks,
                              const std::vector<unsigned char>& bytes) {
    std::vector<unsigned char> all(blocks.size() * 8 + bytes.size());
    for (std::size_t i = 0; i < blocks.size(); ++i) {
        for (int k = 0; k < 8; ++k)
            all[i * 8 + k] = static_cast<unsigned char>(blocks[i] >> (8 * k));
    }
    if (!bytes.empty()) std::memcpy(all.data() + blocks.size() * 8, bytes.data(), bytes.size());
    return hash_bytes(all.data(), all.size());
}

std::string apply_blocks(std::vector<unsigned char>& state, std::uint64_t size, std::size_t block,
                         const std::vector<std::uint64_t>& blocks,
                         const std::vector<unsigned char>& bytes) {
    const std::size_t nblocks = block_count(size, block);
    std::size_t pos = 0;
    for (std::size_t k = 0; k < blocks.size(); ++k) {
        const std::uint64_t i = blocks[k];
        if (i >= nblocks) {
            return "block index " + std::to_string(i) + " beyond the " + std::to_string(nblocks) +
                   " blocks of the buffer";
        }
        if (k > 0 && i <= blocks[k - 1]) return "block indices are not ascending";
        pos += std::min<std::uint64_t>(block, size - i * block);
    }
    if (pos != bytes.size()) {
        return "stored bytes (" + std::to_string(bytes.size()) + ") do not match the blocks (" +
               std::to_string(pos) + ")";
    }
    state.resize(size);
    pos = 0;
    for (const auto i : blocks) {
        const std::size_t len = std::min<std::uint64_t>(block, size - i * block);
        std::memcpy(state.data() + i * block, bytes.data() + pos, len);
        pos += len;
    }
    return "";
}

}  // namespace cairn::detail
