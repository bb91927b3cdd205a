// Erasure coding of the node-local tier's redundancy sets (docs/tiers.md): where each share of a
// set lives (stripe_map) and the arithmetic over the shares (erasure_code, Intel ISA-L: XOR for
// xor sets, a Cauchy Reed-Solomon matrix for rs sets). Pure code, no MPI, no files.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace cairn::detail {

/// Memory aligned to 64 bytes (ISA-L's XOR wants 32-byte aligned vectors). Move-only.
class aligned_bytes {
public:
    aligned_bytes() = default;
    explicit aligned_bytes(std::size_t n);
    aligned_bytes(aligned_bytes&& o) noexcept;
    aligned_bytes& operator=(aligned_bytes&& o) noexcept;
    aligned_bytes(const aligned_bytes&) = delete;
    aligned_bytes& operator=(const aligned_bytes&) = delete;
    ~aligned_bytes();
    [[nodiscard]] unsigned char* data() const { return p_; }
    [[nodiscard]] std::size_t size() const { return n_; }

private:
    unsigned char* p_ = nullptr;
    std::size_t n_ = 0;
};

/// Layout of a set of m members (one per node) with k parity shares each: every member's image
/// is cut into m-k segments of equal size; there are m stripes, and in stripe s the members
/// (s + j) mod m, j < k, hold parity share j while the other m-k members contribute one data
/// segment each (member p's segment t is in the t-th stripe where p holds no parity). The loss
/// of any k members leaves m-k cells of every stripe, enough to rebuild it.
struct stripe_map {
    int m = 0;  ///< members
    int k = 0;  ///< parity shares per stripe
    [[nodiscard]] int data() const { return m - k; }
    /// Member holding parity share j of stripe s.
    [[nodiscard]] int holder(int s, int j) const { return (s + j) % m; }
    /// Parity share member p holds in stripe s, or -1 when p contributes data there.
    [[nodiscard]] int parity_share(int s, int p) const;
    /// Members contributing data to stripe s, ascending (index = data cell of the stripe).
    [[nodiscard]] std::vector<int> data_members(int s) const;
    /// Stripes where member p contributes data, ascending (index = p's segment number).
    [[nodiscard]] std::vector<int> data_stripes(int p) const;
    /// Stripes where member p holds parity, by share: [j] = stripe where p holds share j.
    [[nodiscard]] std::vector<int> parity_stripes(int p) const;
};

/// The code over one stripe: data cells 0..d-1, parity cells d..d+k-1 (cell d+j = share j).
class erasure_code {
public:
    /// `use_xor`: k must be 1; the parity is the XOR of the data (xor sets). Otherwise a Cauchy
    /// matrix, any d of whose d+k rows are independent (rs sets). Throws std::invalid_argument.
    erasure_code(int d, int k, bool use_xor);
    [[nodiscard]] int data() const { return d_; }
    [[nodiscard]] int parity() const { return k_; }

    /// Parity share j of `len` bytes from the d data cells `src` (each 64-byte aligned; len a
    /// multiple of 64).
    void encode(int j, std::size_t len, unsigned char* const* src, unsigned char* dst) const;

    /// How to rebuild one cell from d others: set up once per stripe, then applied per chunk.
    class decoder {
    public:
        void apply(std::size_t len, unsigned char* const* src, unsigned char* dst) const;

    private:
        friend class erasure_code;
        bool xor_ = false;
        int d_ = 0;
        std::vector<unsigned char> tables_;
    };
    /// A decoder rebuilding data cell `target` from the d distinct cells `from` (data or parity
    /// cells, in the order the sources will be given). Throws std::invalid_argument when `from`
    /// is not d distinct cells.
    [[nodiscard]] decoder decoder_for(const std::vector<int>& from, int target) const;

private:
    int d_;
    int k_;
    bool xor_;
    std::vector<unsigned char> matrix_;  // (d+k) x d, identity on top
    std::vector<unsigned char> tables_;  // per parity row j: 32*d bytes
};

}  // namespace cairn::detail
