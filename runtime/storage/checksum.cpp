#include "storage/checksum.hpp"

#include "xxh3/variants.h"

#include <new>
#include <stdexcept>

namespace cairn::detail {

namespace {

// XXH3-64 is defined independently of the instruction set: every variant gives the same value
// (tested against libxxhash), the wider ones faster. Measured here on 64 KiB blocks of 64 MiB
// (docs/benchmarks.md): 5.3 GB/s portable (SSE2), 9.1 GB/s AVX2, 14-16 GB/s AVX-512.
struct xxh3_ops {
    std::uint64_t (*oneshot)(const void*, std::size_t);
    void* (*create)();
    void (*reset)(void*);
    void (*destroy)(void*);
    void (*update)(void*, const void*, std::size_t);
    std::uint64_t (*digest)(const void*);
    const char* name;
};

#define CAIRN_XXH3_OPS(v)                                                                     \
    xxh3_ops {                                                                                \
        cairn_xxh3_oneshot_##v, cairn_xxh3_create_##v, cairn_xxh3_reset_##v,                  \
            cairn_xxh3_destroy_##v,                                                           \
            cairn_xxh3_update_##v, cairn_xxh3_digest_##v, #v                                  \
    }

std::vector<xxh3_ops> available() {
    std::vector<xxh3_ops> v{CAIRN_XXH3_OPS(portable)};
#if defined(CAIRN_XXH3_X86)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx2")) v.push_back(CAIRN_XXH3_OPS(avx2));
    if (__builtin_cpu_supports("avx512f")) v.push_back(CAIRN_XXH3_OPS(avx512));
#endif
    return v;
}

/// The widest variant this CPU runs, chosen once.
const xxh3_ops& ops() {
    static const xxh3_ops chosen = available().back();
    return chosen;
}

}  // namespace

std::uint64_t hash_bytes(const void* data, std::size_t n) { return ops().oneshot(data, n); }

const char* hash_implementation() { return ops().name; }

std::vector<std::string> hash_variants() {
    std::vector<std::string> names;
    for (const xxh3_ops& o : available()) names.emplace_back(o.name);
    return names;
}

std::uint64_t hash_bytes_with(const std::string& variant, const void* data, std::size_t n) {
    for (const xxh3_ops& o : available()) {
        if (variant == o.name) return o.oneshot(data, n);
    }
    throw std::invalid_argument("no XXH3 variant '" + variant + "' on this CPU");
}

struct streaming_hash::state {
    const xxh3_ops& impl = ops();
    void* s = impl.create();
    state() {
        if (s == nullptr) throw std::bad_alloc();
    }
    ~state() { impl.destroy(s); }
    state(const state&) = delete;
    state& operator=(const state&) = delete;
};

streaming_hash::streaming_hash() : st_(std::make_unique<state>()) {}
streaming_hash::~streaming_hash() = default;

void streaming_hash::update(const void* data, std::size_t n) {
    if (n > 0) st_->impl.update(st_->s, data, n);
}

std::uint64_t streaming_hash::digest() const { return st_->impl.digest(st_->s); }

void streaming_hash::reset() { st_->impl.reset(st_->s); }

std::uint64_t hash_buffer(const buffer_desc& b) {
    if (b.contiguous()) return hash_bytes(b.data, b.bytes());
    // Block inside larger memory: stream its rows, which hashes like the packed block.
    streaming_hash h;
    for_each_block_row(b, [&](const unsigned char* row, std::size_t n) { h.update(row, n); });
    return h.digest();
}

}  // namespace cairn::detail
