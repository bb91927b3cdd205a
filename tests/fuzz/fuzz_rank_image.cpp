// Fuzz target: the rank image of the node-local tier (runtime/tier/image.*), the format of local
// and partner copies. The input is either an image of its own (first byte even) or a list of
// edits applied to a valid image built here (first byte odd): 5-byte records {offset: u32, xor:
// u8}, and a last short record cuts the image at that offset. Properties: the in-memory check,
// the streaming verifier, the parser and the streaming reader agree on every input; only the
// documented corrupt/mismatch errors (std::runtime_error) are thrown; an accepted image restores
// exactly the bytes that were saved.
#include "fuzz_util.hpp"
#include "tier/image.hpp"

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <vector>

namespace {

using namespace cairn::detail;

/// The saved state: a per-rank vector and a 2-D distributed block with one halo cell.
struct state {
    std::vector<double> values = std::vector<double>(16);
    std::vector<std::int32_t> field = std::vector<std::int32_t>(6 * 5);  // memory 6 x 5
    std::vector<buffer_desc> bufs;

    explicit state(bool fill) {
        for (std::size_t i = 0; i < values.size(); ++i) values[i] = fill ? 0.5 * i : -1;
        for (std::size_t i = 0; i < field.size(); ++i) field[i] = fill ? int(i) * 7 : -1;
        buffer_desc v;
        v.name = "values";
        v.data = values.data();
        v.elem = cairn::type::float64;
        v.count = values.size();
        buffer_desc f;
        f.name = "field";
        f.data = field.data();
        f.elem = cairn::type::int32;
        f.kind = buffer_kind::distributed;
        f.ndims = 2;
        f.global = {8, 3, 0};
        f.offset = {4, 0, 0};
        f.extent = {4, 3, 0};
        f.mem_shape = {6, 5, 0};
        f.mem_offset = {1, 1, 0};
        f.count = 12;
        bufs = {v, f};
    }
};

const std::vector<unsigned char>& valid_image() {
    static const std::vector<unsigned char> image = [] {
        state s(true);
        checkpoint_meta meta;
        meta.epoch = 3;
        meta.nranks = 2;
        meta.app_name = "fuzz";
        channel_state chan;
        chan.sent_white = {1, 2};
        chan.recv_before = {0, 1};
        chan.logged = {0, 1};
        chan.messages.push_back({0, 1, 7, 2, {1, 2, 3, 4}});
        return build_image(meta, 1, s.bufs, chan);
    }();
    return image;
}

std::vector<unsigned char> edited(const std::uint8_t* data, std::size_t size) {
    std::vector<unsigned char> b = valid_image();
    std::size_t i = 1;
    for (; i + 5 <= size; i += 5) {
        std::uint32_t off = 0;
        std::memcpy(&off, data + i, 4);
        if (!b.empty()) b[off % b.size()] ^= data[i + 4];
    }
    if (i < size && !b.empty()) b.resize(data[i] * b.size() / 256);
    return b;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const std::vector<unsigned char> bytes =
        (data[0] & 1U) != 0 ? edited(data, size) : std::vector<unsigned char>(data + 1, data + size);

    const std::string checked = check_image(bytes);
    memory_source ms(bytes.data(), bytes.size());
    std::string verified;
    try {
        verified = verify_image(ms, bytes.size());
    } catch (const std::runtime_error& e) {
        verified = e.what();
        cairn_fuzz::require(!verified.empty(), "verify_image threw an empty message");
    }
    cairn_fuzz::require(checked.empty() == verified.empty(),
                        "check_image and verify_image disagree");

    bool parsed = false;
    try {
        (void)parse_image(bytes, "fuzz");
        parsed = true;
    } catch (const std::runtime_error&) {
    }
    cairn_fuzz::require(parsed == checked.empty(), "parse_image and check_image disagree");

    state dst(false);
    bool read = false;
    try {
        memory_source in(bytes.data(), bytes.size());
        (void)read_image(in, bytes.size(), "fuzz", [](const image_head&) {}, dst.bufs);
        read = true;
    } catch (const std::runtime_error&) {
    }
    if (read) {
        cairn_fuzz::require(checked.empty(), "read_image accepted an image check_image rejects");
        const state ref(true);
        cairn_fuzz::require(dst.values == ref.values, "restored per-rank values differ");
        for (std::size_t r = 1; r <= 4; ++r) {
            for (std::size_t c = 1; c <= 3; ++c) {
                cairn_fuzz::require(dst.field[r * 5 + c] == ref.field[r * 5 + c],
                                    "restored block differs");
            }
        }
        cairn_fuzz::require(dst.field[0] == -1, "a halo cell was written");
    } else if (bytes == valid_image()) {
        cairn_fuzz::require(false, "the valid image was not read back");
    }
    return 0;
}
