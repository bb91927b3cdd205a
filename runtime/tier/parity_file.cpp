#include "parity_file.hpp"

#include "h5/checkpoint_file.hpp"
#include "storage/checksum.hpp"
#include "local_store.hpp"

#include <algorithm>
#include <cstring>
#include <memory>

namespace cairn::detail {

namespace {

constexpr char magic[8] = {'C', 'A', 'I', 'R', 'N', 'P', 'A', 'R'};
constexpr char end_magic[8] = {'C', 'A', 'I', 'R', 'N', 'E', 'N', 'D'};

void put32(std::vector<unsigned char>& out, std::uint32_t v) {
    const auto* p = reinterpret_cast<const unsigned char*>(&v);
    out.insert(out.end(), p, p + 4);
}
void put64(std::vector<unsigned char>& out, std::uint64_t v) {
    const auto* p = reinterpret_cast<const unsigned char*>(&v);
    out.insert(out.end(), p, p + 8);
}
std::uint32_t get32(const unsigned char* p) {
    std::uint32_t v = 0;
    std::memcpy(&v, p, 4);
    return v;
}
std::uint64_t get64(const unsigned char* p) {
    std::uint64_t v = 0;
    std::memcpy(&v, p, 8);
    return v;
}

constexpr std::uint64_t fixed_size = 72;  // up to the member table

}  // namespace

std::uint64_t parity_head::head_size() const {
    return fixed_size + 16 * members.size() + 8;
}

std::uint64_t parity_head::file_size() const {
    return head_size() + static_cast<std::uint64_t>(k) * segment +
           8 * static_cast<std::uint64_t>(k) + 16;
}

std::uint64_t parity_head::chunks() const {
    return chunk == 0 ? 0 : (segment + chunk - 1) / chunk;
}

std::uint64_t parity_head::chunk_length(std::uint64_t c) const {
    return std::min(chunk, segment - c * chunk);
}

std::uint64_t parity_head::offset(std::uint64_t c, int j) const {
    return head_size() + c * chunk * static_cast<std::uint64_t>(k) +
           static_cast<std::uint64_t>(j) * chunk_length(c);
}

std::vector<unsigned char> encode_parity_head(const parity_head& h) {
    std::vector<unsigned char> out(magic, magic + 8);
    put32(out, parity_format_version);
    put32(out, h.use_xor ? 1 : 0);
    put64(out, h.epoch);
    put32(out, static_cast<std::uint32_t>(h.nranks));
    put32(out, static_cast<std::uint32_t>(h.set));
    put32(out, static_cast<std::uint32_t>(h.m()));
    put32(out, static_cast<std::uint32_t>(h.k));
    put32(out, static_cast<std::uint32_t>(h.position));
    put32(out, 0);
    put64(out, h.segment);
    put64(out, h.chunk);
    put64(out, 0);
    for (std::size_t i = 0; i < h.members.size(); ++i) {
        put64(out, static_cast<std::uint64_t>(h.members[i]));
        put64(out, h.image_sizes[i]);
    }
    put64(out, hash_bytes(out.data(), out.size()));
    return out;
}

struct parity_hashes::state {
    std::uint64_t head_hash = 0;
    std::vector<std::unique_ptr<streaming_hash>> share;
};

parity_hashes::parity_hashes(const parity_head& h) : st_(std::make_unique<state>()) {
    const auto head = encode_parity_head(h);
    st_->head_hash = get64(head.data() + head.size() - 8);
    for (int j = 0; j < h.k; ++j) st_->share.push_back(std::make_unique<streaming_hash>());
}

parity_hashes::~parity_hashes() = default;

void parity_hashes::add(int j, const unsigned char* p, std::size_t n) {
    st_->share[static_cast<std::size_t>(j)]->update(p, n);
}

std::vector<unsigned char> parity_hashes::trailer() const {
    std::vector<unsigned char> out;
    put64(out, st_->head_hash);
    for (const auto& s : st_->share) put64(out, s->digest());
    const std::uint64_t all = hash_bytes(out.data(), out.size());
    out.erase(out.begin(), out.begin() + 8);  // the header hash is in the header already
    put64(out, all);
    out.insert(out.end(), end_magic, end_magic + 8);
    return out;
}

parity_head verify_parity_file(const std::string& path) {
    file_source in(path);
    if (!in.ok()) throw corrupt_error(path + " is missing");
    const auto bad = [&path](const std::string& why) { return corrupt_error(path + ": " + why); };
    if (in.size() < fixed_size + 8) throw bad("truncated parity file");
    std::vector<unsigned char> head(fixed_size);
    in.read(head.data(), head.size());
    if (std::memcmp(head.data(), magic, 8) != 0) throw bad("not a cairn parity file");
    if (get32(head.data() + 8) != parity_format_version) {
        throw bad("parity file format version " + std::to_string(get32(head.data() + 8)) +
                  " (this cairn reads version " + std::to_string(parity_format_version) + ")");
    }
    parity_head h;
    h.use_xor = get32(head.data() + 12) != 0;
    h.epoch = get64(head.data() + 16);
    h.nranks = static_cast<int>(get32(head.data() + 24));
    h.set = static_cast<int>(get32(head.data() + 28));
    const std::uint32_t m = get32(head.data() + 32);
    h.k = static_cast<int>(get32(head.data() + 36));
    h.position = static_cast<int>(get32(head.data() + 40));
    h.segment = get64(head.data() + 48);
    h.chunk = get64(head.data() + 56);
    if (m < 2 || m > 255 || h.k < 1 || h.k >= static_cast<int>(m) || h.chunk == 0 ||
        in.size() < fixed_size + 16ULL * m + 8) {
        throw bad("parity file header is damaged");
    }
    std::vector<unsigned char> table(16ULL * m + 8);
    in.read(table.data(), table.size());
    head.insert(head.end(), table.begin(), table.end() - 8);
    if (hash_bytes(head.data(), head.size()) != get64(table.data() + table.size() - 8)) {
        throw bad("parity file header checksum mismatch");
    }
    for (std::uint32_t i = 0; i < m; ++i) {
        h.members.push_back(static_cast<int>(get64(table.data() + 16ULL * i)));
        h.image_sizes.push_back(get64(table.data() + 16ULL * i + 8));
    }
    if (h.file_size() != in.size()) {
        throw bad("parity file is " + std::to_string(in.size()) + " bytes, its header says " +
                  std::to_string(h.file_size()));
    }
    parity_hashes sums(h);
    for (std::uint64_t c = 0; c < h.chunks(); ++c) {
        for (int j = 0; j < h.k; ++j) {
            in.skim(static_cast<std::size_t>(h.chunk_length(c)),
                    [&](const unsigned char* p, std::size_t n) { sums.add(j, p, n); });
        }
    }
    const std::vector<unsigned char> want = sums.trailer();
    std::vector<unsigned char> got(want.size());
    in.read(got.data(), got.size());
    for (int j = 0; j < h.k; ++j) {
        if (std::memcmp(got.data() + 8 * j, want.data() + 8 * j, 8) != 0) {
            throw bad("checksum mismatch in parity share " + std::to_string(j));
        }
    }
    if (got != want) throw bad("parity file trailer is damaged");
    return h;
}

}  // namespace cairn::detail
