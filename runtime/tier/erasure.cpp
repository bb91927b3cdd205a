#include "erasure.hpp"

#include <isa-l/erasure_code.h>
#include <isa-l/raid.h>

#include <algorithm>
#include <cstdlib>
#include <new>
#include <stdexcept>
#include <string>

namespace cairn::detail {

namespace {

/// dst = one combination of the d cells src[0..d): their XOR (`xor_cells`), or the GF(2^8)
/// combination whose ISA-L tables (32 * d bytes, ec_init_tables) are `tables`. Encoding a parity
/// cell and rebuilding a lost cell are both this.
void combine(bool xor_cells, int d, const unsigned char* tables, std::size_t len,
             unsigned char* const* src, unsigned char* dst) {
    if (len == 0) return;
    if (xor_cells) {
        if (d == 1) {
            std::copy(src[0], src[0] + len, dst);
            return;
        }
        std::vector<void*> v(src, src + d);
        v.push_back(dst);
        if (xor_gen(d + 1, static_cast<int>(len), v.data()) != 0) {
            throw std::runtime_error("erasure code: xor_gen failed");
        }
        return;
    }
    unsigned char* out[1] = {dst};
    // ISA-L's prototype takes non-const tables and sources; they are only read.
    ec_encode_data(static_cast<int>(len), d, 1, const_cast<unsigned char*>(tables),  // NOLINT
                   const_cast<unsigned char**>(src), out);                           // NOLINT
}

}  // namespace

aligned_bytes::aligned_bytes(std::size_t n) : n_(n) {
    if (n == 0) return;
    void* p = nullptr;
    if (posix_memalign(&p, 64, (n + 63) / 64 * 64) != 0) throw std::bad_alloc();
    p_ = static_cast<unsigned char*>(p);
}

aligned_bytes::aligned_bytes(aligned_bytes&& o) noexcept : p_(o.p_), n_(o.n_) {
    o.p_ = nullptr;
    o.n_ = 0;
}

aligned_bytes& aligned_bytes::operator=(aligned_bytes&& o) noexcept {
    if (this != &o) {
        std::free(p_);
        p_ = o.p_;
        n_ = o.n_;
        o.p_ = nullptr;
        o.n_ = 0;
    }
    return *this;
}

aligned_bytes::~aligned_bytes() { std::free(p_); }

int stripe_map::parity_share(int s, int p) const {
    const int j = ((p - s) % m + m) % m;
    return j < k ? j : -1;
}

std::vector<int> stripe_map::data_members(int s) const {
    std::vector<int> out;
    for (int p = 0; p < m; ++p) {
        if (parity_share(s, p) < 0) out.push_back(p);
    }
    return out;
}

std::vector<int> stripe_map::data_stripes(int p) const {
    std::vector<int> out;
    for (int s = 0; s < m; ++s) {
        if (parity_share(s, p) < 0) out.push_back(s);
    }
    return out;
}

std::vector<int> stripe_map::parity_stripes(int p) const {
    std::vector<int> out;
    for (int j = 0; j < k; ++j) out.push_back(((p - j) % m + m) % m);
    return out;
}

erasure_code::erasure_code(int d, int k, bool use_xor) : d_(d), k_(k), xor_(use_xor) {
    if (d < 1 || k < 1 || d + k > 255 || (use_xor && k != 1)) {
        throw std::invalid_argument("erasure code: unsupported shape " + std::to_string(d) +
                                    " data + " + std::to_string(k) + " parity" +
                                    (use_xor ? " (xor)" : ""));
    }
    const auto ud = static_cast<std::size_t>(d);
    matrix_.assign(static_cast<std::size_t>(d + k) * ud, 0);
    if (use_xor) {
        for (std::size_t i = 0; i < ud; ++i) matrix_[i * ud + i] = 1;
        std::fill(matrix_.begin() + static_cast<std::ptrdiff_t>(ud * ud), matrix_.end(), 1);
    } else {
        gf_gen_cauchy1_matrix(matrix_.data(), d + k, d);
    }
    tables_.resize(static_cast<std::size_t>(k) * 32 * ud);
    for (int j = 0; j < k; ++j) {
        ec_init_tables(d, 1, matrix_.data() + static_cast<std::size_t>(d + j) * ud,
                       tables_.data() + static_cast<std::size_t>(j) * 32 * ud);
    }
}

void erasure_code::encode(int j, std::size_t len, unsigned char* const* src,
                          unsigned char* dst) const {
    const std::size_t row = static_cast<std::size_t>(j) * 32 * static_cast<std::size_t>(d_);
    const unsigned char* t = xor_ ? nullptr : tables_.data() + row;
    combine(xor_, d_, t, len, src, dst);
}

erasure_code::decoder erasure_code::decoder_for(const std::vector<int>& from, int target) const {
    const auto ud = static_cast<std::size_t>(d_);
    std::vector<int> sorted = from;
    std::sort(sorted.begin(), sorted.end());
    if (from.size() != ud || std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end() ||
        sorted.front() < 0 || sorted.back() >= d_ + k_ || target < 0 || target >= d_) {
        throw std::invalid_argument("erasure code: a cell is rebuilt from " + std::to_string(d_) +
                                    " distinct other cells");
    }
    decoder dec;
    dec.d_ = d_;
    if (xor_) {
        dec.xor_ = true;  // the one missing cell is the XOR of all others
        return dec;
    }
    // Rows of the encoding matrix for the cells at hand, inverted: row `target` of the inverse
    // gives the target data cell as a combination of the cells at hand.
    std::vector<unsigned char> sub(ud * ud);
    for (std::size_t r = 0; r < ud; ++r) {
        std::copy_n(matrix_.begin() + static_cast<std::ptrdiff_t>(static_cast<std::size_t>(from[r]) * ud),
                    ud, sub.begin() + static_cast<std::ptrdiff_t>(r * ud));
    }
    std::vector<unsigned char> inv(ud * ud);
    if (gf_invert_matrix(sub.data(), inv.data(), d_) != 0) {
        throw std::invalid_argument("erasure code: the cells at hand do not determine the lost one");
    }
    dec.tables_.resize(32 * ud);
    ec_init_tables(d_, 1, inv.data() + static_cast<std::size_t>(target) * ud, dec.tables_.data());
    return dec;
}

void erasure_code::decoder::apply(std::size_t len, unsigned char* const* src,
                                  unsigned char* dst) const {
    combine(xor_, d_, xor_ ? nullptr : tables_.data(), len, src, dst);
}

}  // namespace cairn::detail
