// Writes every kind of buffer (all element types, per-rank with zero counts, distributed 1-D/2-D/
// 3-D with halos, uneven and empty blocks, zero-size datasets) with a channel state of random
// size per rank (none, empty payloads, no counters) and reads it all back bitwise.
#include "file_util.hpp"

#include <cstdio>
#include <memory>

using namespace file_test;
namespace cd = cairn::detail;

namespace {

struct owned {
    std::vector<unsigned char> mem;
    cd::buffer_desc desc;
};

using buffer_set = std::vector<std::unique_ptr<owned>>;

constexpr unsigned char source_halo = 0xEE;
constexpr unsigned char fresh_halo = 0x5A;

std::size_t mem_elems(const cd::buffer_desc& b) {
    if (b.kind == cd::buffer_kind::per_rank) return b.count;
    std::size_t n = 1;
    for (int d = 0; d < b.ndims; ++d) n *= b.mem_shape[d];
    return n;
}

/// True when memory element `e` lies in the block (not in the halo).
bool interior(const cd::buffer_desc& b, std::size_t e) {
    if (b.kind == cd::buffer_kind::per_rank) return true;
    for (int d = b.ndims - 1; d >= 0; --d) {
        const std::uint64_t i = e % b.mem_shape[d];
        e /= b.mem_shape[d];
        if (i < b.mem_offset[d] || i >= b.mem_offset[d] + b.extent[d]) return false;
    }
    return true;
}

void add(buffer_set& set, cd::buffer_desc d) {
    auto o = std::make_unique<owned>();
    o->desc = std::move(d);
    o->mem.resize(mem_elems(o->desc) * cairn::type_size(o->desc.elem));
    o->desc.data = o->mem.empty() ? nullptr : o->mem.data();
    set.push_back(std::move(o));
}

/// The same registrations on every call; `fill` = source pattern, else zeros with a halo marker.
buffer_set make_buffers(int rank, int p, bool fill) {
    buffer_set set;
    for (int t = 1; t <= 11; ++t) {
        const auto ty = static_cast<cairn::type>(t);
        const std::size_t n = rank == 1 ? 0 : 1 + static_cast<std::size_t>((rank + t) % 4) * 3;
        add(set, per_rank(std::string("pr_") + cairn::type_name(ty), nullptr, ty, n));
    }
    add(set, per_rank("pr_empty", nullptr, cairn::type::uint8, 0));

    const auto d1 = split(37, p, true);
    add(set,
        distributed("d1", nullptr, cairn::type::int32, {37}, {start_of(d1, rank)}, {d1[rank]}));

    const int ry = rank % 2;
    const int rx = rank / 2;
    const auto rows = split(11, 2, false);
    const auto cols = split(13, p / 2, false);
    const std::uint64_t gy = rows[ry];
    const std::uint64_t gx = cols[rx];
    add(set,
        distributed("grid", nullptr, cairn::type::float64, {11, 13},
                    {start_of(rows, ry), start_of(cols, rx)}, {gy, gx}, {gy + 2, gx + 2}, {1, 1}));

    const auto c1 = split(6, p, true);
    add(set, distributed("cube", nullptr, cairn::type::uint16, {5, 6, 7},
                         {0, start_of(c1, rank), 0}, {5, c1[rank], 7}));

    const auto inner = split(9, p, false);
    add(set, distributed("d2_inner", nullptr, cairn::type::float32, {4, 9},
                         {0, start_of(inner, rank)}, {4, inner[rank]}));

    add(set, distributed("d_zero", nullptr, cairn::type::float64, {0}, {0}, {0}));

    const auto z = split(5, p, false);
    add(set,
        distributed("halo3d", nullptr, cairn::type::int64, {3, 4, 5}, {0, 0, start_of(z, rank)},
                    {3, 4, z[rank]}, {5, 6, z[rank] + 2}, {1, 1, 1}));

    for (std::size_t i = 0; i < set.size(); ++i) {
        owned& o = *set[i];
        const std::size_t esz = cairn::type_size(o.desc.elem);
        for (std::size_t e = 0; e < o.mem.size() / esz; ++e) {
            const bool in = interior(o.desc, e);
            for (std::size_t k = 0; k < esz; ++k) {
                unsigned char v = 0;
                if (!in) {
                    v = fill ? source_halo : fresh_halo;
                } else if (fill) {
                    v = static_cast<unsigned char>((i * 131 + rank * 71 + e * 29 + k * 7 + 3) ^
                                                   (e >> 3));
                }
                o.mem[e * esz + k] = v;
            }
        }
    }
    return set;
}

std::vector<cd::buffer_desc> descs(const buffer_set& set) {
    std::vector<cd::buffer_desc> v;
    for (const auto& o : set) v.push_back(o->desc);
    return v;
}

void compare(const buffer_set& src, const buffer_set& got) {
    for (std::size_t i = 0; i < src.size(); ++i) {
        const owned& s = *src[i];
        const owned& g = *got[i];
        const std::size_t esz = cairn::type_size(s.desc.elem);
        std::size_t bad_interior = 0;
        std::size_t bad_halo = 0;
        for (std::size_t e = 0; e < s.mem.size() / esz; ++e) {
            const bool in = interior(s.desc, e);
            for (std::size_t k = 0; k < esz; ++k) {
                const unsigned char want = in ? s.mem[e * esz + k] : fresh_halo;
                if (g.mem[e * esz + k] != want) ++(in ? bad_interior : bad_halo);
            }
        }
        FT_CHECK(bad_interior == 0, s.desc.name + ": " + std::to_string(bad_interior) +
                                        " data bytes differ after the round trip");
        FT_CHECK(bad_halo == 0, s.desc.name + ": " + std::to_string(bad_halo) +
                                    " halo bytes were overwritten by the read");
    }
}

/// A 2-D array of smooth data, larger than one chunk, whose blocks span chunk boundaries: it is
/// stored in much less than its size, and reads back bitwise.
void compressed_round_trip(int rank, int p) {
    constexpr std::uint64_t rows = 1000;
    constexpr std::uint64_t cols = 300;  // 2400-byte rows: chunks of 436 rows
    const auto split_rows = split(rows, p, false);
    const std::uint64_t r0 = start_of(split_rows, rank);
    const std::uint64_t nr = split_rows[rank];
    std::vector<double> v(nr * cols);
    for (std::uint64_t i = 0; i < nr; ++i) {
        for (std::uint64_t j = 0; j < cols; ++j) {
            v[i * cols + j] = 0.25 * static_cast<double>((r0 + i) % 17) + static_cast<double>(j / 50);
        }
    }
    const cd::buffer_desc d =
        distributed("smooth", v.data(), cairn::type::float64, {rows, cols}, {r0, 0}, {nr, cols});
    cd::write_checkpoint_file("deflate_smooth.h5", MPI_COMM_WORLD, test_meta(3), {d}, {},
                              cd::write_options{1});
    std::vector<double> back(v.size(), -1.0);
    cd::buffer_desc r = d;
    r.data = back.data();
    cd::read_checkpoint_file("deflate_smooth.h5", MPI_COMM_WORLD, {r});
    FT_CHECK(back == v, "compressed 2-D array differs after the round trip");
    if (rank == 0) {
        const std::uint64_t stored = cd::dataset_storage_bytes("deflate_smooth.h5", "/data/smooth");
        const std::uint64_t raw = rows * cols * sizeof(double);
        FT_CHECK(stored > 0 && stored * 4 < raw, "deflate did not shrink smooth data: " +
                                                     std::to_string(stored) + " of " +
                                                     std::to_string(raw) + " bytes stored");
    }
}

/// Direct (O_DIRECT) raw-data transfers: the same buffers (contiguous blocks go direct, halo and
/// non-contiguous blocks fall back to MPI-IO in the same file) plus a per-rank buffer of 1 MiB +
/// an odd number of bytes (unaligned head and tail at every rank boundary). Written direct
/// and read by HDF5, written by HDF5 and read direct, and both direct; the serial verifier and
/// the bitwise comparison must agree every time.
void direct_round_trip(int rank, int p, const buffer_set& src, const cd::channel_state& chan_src) {
    const std::size_t big_n = (std::size_t{1} << 20U) + 4093 + static_cast<std::size_t>(rank) * 13;
    std::vector<unsigned char> big(big_n);
    for (std::size_t i = 0; i < big_n; ++i) {
        big[i] = static_cast<unsigned char>((i * 2654435761U) >> 13U ^ static_cast<unsigned>(rank));
    }
    std::vector<cd::buffer_desc> with_big = descs(src);
    with_big.push_back(per_rank("big", big.data(), cairn::type::uint8, big_n));
    const cd::checkpoint_meta meta = test_meta(8);
    for (const bool write_direct : {true, false}) {
        const char* file = write_direct ? "roundtrip_direct.h5" : "roundtrip_mpiio.h5";
        cd::write_options wo;
        wo.direct_io = write_direct;
        cd::write_checkpoint_file(file, MPI_COMM_WORLD, meta, with_big, chan_src, wo);
        if (rank == 0) {
            for (const auto& pr : cd::verify_checkpoint_file(file)) {
                FT_CHECK(false, std::string("verify ") + file + ": " + pr);
            }
        }
        for (const bool read_direct : {true, false}) {
            const buffer_set back = make_buffers(rank, p, false);
            std::vector<unsigned char> big_back(big_n, 0);
            std::vector<cd::buffer_desc> d = descs(back);
            d.push_back(per_rank("big", big_back.data(), cairn::type::uint8, big_n));
            cd::channel_state chan_back;
            cd::read_options ro;
            ro.direct_io = read_direct;
            cd::read_checkpoint_file(file, MPI_COMM_WORLD, d, chan_back, ro);
            const std::string how =
                std::string(file) + (read_direct ? ", read direct" : ", read by HDF5");
            compare(src, back);
            FT_CHECK(big_back == big, "1 MiB buffer differs: " + how);
            FT_CHECK(same_channel(chan_src, chan_back, p), "channel state: " + how);
        }
    }
    // A damaged byte inside a directly read block is still caught by the checksum.
    if (rank == 0) {
        const std::uint64_t off = cd::dataset_file_offset("roundtrip_direct.h5", "/data/big");
        std::FILE* f = std::fopen("roundtrip_direct.h5", "r+b");
        FT_CHECK(f != nullptr, "open roundtrip_direct.h5 to damage it");
        if (f != nullptr) {
            std::fseek(f, static_cast<long>(off + 500000), SEEK_SET);
            const int c = std::fgetc(f);
            std::fseek(f, static_cast<long>(off + 500000), SEEK_SET);
            std::fputc(c ^ 0x40, f);
            std::fclose(f);
        }
    }
    MPI_Barrier(MPI_COMM_WORLD);
    const buffer_set back = make_buffers(rank, p, false);
    std::vector<unsigned char> big_back(big_n, 0);
    std::vector<cd::buffer_desc> d = descs(back);
    d.push_back(per_rank("big", big_back.data(), cairn::type::uint8, big_n));
    cd::channel_state chan_back;
    cd::read_options ro;
    ro.direct_io = true;
    auto read = [&] {
        cd::read_checkpoint_file("roundtrip_direct.h5", MPI_COMM_WORLD, d, chan_back, ro);
    };
    if (rank == 0) {  // only rank 0's block is damaged; the others read theirs
        const std::string e = expect_throw<cd::corrupt_error>(read, "damaged direct block");
        FT_CHECK(contains(e, "checksum mismatch in 'big' for rank 0"), e);
    } else {
        read();
        FT_CHECK(big_back == big, "undamaged block of rank " + std::to_string(rank) + " read back");
    }
}

}  // namespace

int main(int argc, char** argv) {
    MPI_Init(&argc, &argv);
    int rank = 0;
    int p = 0;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &p);
    try {
        const buffer_set src = make_buffers(rank, p, true);
        // Without a channel state (4-argument overload): an empty log, zero counters.
        cd::write_checkpoint_file("roundtrip.h5", MPI_COMM_WORLD, test_meta(6), descs(src));
        {
            const buffer_set got = make_buffers(rank, p, false);
            cd::channel_state chan = test_channel(rank, p, 99);
            cd::read_checkpoint_file("roundtrip.h5", MPI_COMM_WORLD, descs(got), chan);
            compare(src, got);
            FT_CHECK(same_channel(cd::channel_state{}, chan, p), "empty channel state");
        }
        // Written twice: the second write must replace the first file completely.
        const cd::checkpoint_meta meta = test_meta(7);
        const cd::channel_state chan_src = test_channel(rank, p, 7);
        cd::write_checkpoint_file("roundtrip.h5", MPI_COMM_WORLD, meta, descs(src), chan_src);

        const buffer_set got = make_buffers(rank, p, false);
        cd::channel_state chan;
        const cd::checkpoint_meta m =
            cd::read_checkpoint_file("roundtrip.h5", MPI_COMM_WORLD, descs(got), chan);
        compare(src, got);
        FT_CHECK(same_channel(chan_src, chan, p),
                 "channel state of rank " + std::to_string(rank) + " differs after the round trip");
        FT_CHECK(m.color == meta.color, "color");
        FT_CHECK(m.stats.bytes == meta.stats.bytes &&
                     m.stats.stall_seconds == meta.stats.stall_seconds &&
                     m.stats.write_seconds == meta.stats.write_seconds &&
                     m.stats.messages_logged == meta.stats.messages_logged &&
                     m.stats.aborted_epochs == meta.stats.aborted_epochs &&
                     m.stats.staging_waits == meta.stats.staging_waits &&
                     m.stats.nonblocking == meta.stats.nonblocking,
                 "stat_* attributes");
        FT_CHECK(m.format_version == 1, "format_version");
        FT_CHECK(m.epoch == 7 && m.safe_point == 1007, "epoch/safe_point");
        FT_CHECK(m.nranks == p, "nranks");
        FT_CHECK(m.cairn_version == meta.cairn_version && m.app_name == meta.app_name &&
                     m.time_iso == meta.time_iso && m.job_id == meta.job_id,
                 "string attributes");
        FT_CHECK(m.checksum_algorithm == "xxh3-64", m.checksum_algorithm);
        FT_CHECK(m.time_unix == meta.time_unix, "time_unix");
        FT_CHECK(m.interval_delta == meta.interval_delta && m.interval_mtbf == meta.interval_mtbf &&
                     m.interval_t == meta.interval_t,
                 "interval attributes");

        // A second read into the same memory gives the same result (reads are repeatable).
        cd::read_checkpoint_file("roundtrip.h5", MPI_COMM_WORLD, descs(got));
        compare(src, got);
        cd::read_checkpoint_file("roundtrip.h5", MPI_COMM_WORLD, descs(got), chan);
        FT_CHECK(same_channel(chan_src, chan, p), "channel state, second read");

        if (rank == 0) {
            const auto problems = cd::verify_checkpoint_file("roundtrip.h5");
            for (const auto& pr : problems) FT_CHECK(false, "verify: " + pr);
            const auto sum = cd::inspect_checkpoint_file("roundtrip.h5");
            FT_CHECK(sum.datasets.size() == src.size(), "inspect lists every dataset");
            FT_CHECK(sum.meta.epoch == 7, "inspect epoch");
            // Serial channel readers see what every rank restored.
            std::uint64_t messages = 0;
            std::uint64_t bytes = 0;
            const auto sent = cd::read_channel_counters("roundtrip.h5", "sent_white");
            const auto logged = cd::read_channel_counters("roundtrip.h5", "logged");
            FT_CHECK(sent.size() == static_cast<std::size_t>(p) && logged.size() == sent.size(),
                     "counter matrices have nranks rows");
            for (int r = 0; r < p && sent.size() == static_cast<std::size_t>(p); ++r) {
                const cd::channel_state want = test_channel(r, p, 7);
                messages += want.messages.size();
                bytes += want.payload_bytes();
                FT_CHECK(same_channel(want, cd::read_channel_state("roundtrip.h5", r), p),
                         "read_channel_state of rank " + std::to_string(r));
                const std::vector<std::uint64_t> zeros(static_cast<std::size_t>(p), 0);
                FT_CHECK(sent[r] == (want.sent_white.empty() ? zeros : want.sent_white) &&
                             logged[r] == (want.logged.empty() ? zeros : want.logged),
                         "read_channel_counters row " + std::to_string(r));
            }
            FT_CHECK(sum.channel_messages == messages && sum.channel_bytes == bytes,
                     "inspect channel_messages " + std::to_string(sum.channel_messages) + "/" +
                         std::to_string(messages) + ", channel_bytes " +
                         std::to_string(sum.channel_bytes) + "/" + std::to_string(bytes));
            const std::string e = expect_throw<cairn::error>(
                [] { cd::read_channel_counters("roundtrip.h5", "sent"); }, "bad counter name");
            FT_CHECK(contains(e, "unknown channel counter 'sent'"), e);
        }
        // Compressed (chunked, shuffle + deflate): the same buffers and channel state round trip
        // bitwise, and the serial verifier reads the filtered datasets.
        cd::write_checkpoint_file("roundtrip_deflate.h5", MPI_COMM_WORLD, meta, descs(src), chan_src,
                                  cd::write_options{6});
        {
            const buffer_set back = make_buffers(rank, p, false);
            cd::channel_state chan_back;
            cd::read_checkpoint_file("roundtrip_deflate.h5", MPI_COMM_WORLD, descs(back), chan_back);
            compare(src, back);
            FT_CHECK(same_channel(chan_src, chan_back, p), "channel state, compressed file");
            if (rank == 0) {
                for (const auto& pr : cd::verify_checkpoint_file("roundtrip_deflate.h5")) {
                    FT_CHECK(false, "verify (compressed): " + pr);
                }
            }
        }
        compressed_round_trip(rank, p);
        direct_round_trip(rank, p, src, chan_src);
    } catch (const std::exception& e) {
        FT_CHECK(false, std::string("unexpected exception: ") + e.what());
        MPI_Abort(MPI_COMM_WORLD, 2);  // other ranks may be inside a collective call
    }
    const int rc = finish("file_roundtrip");
    MPI_Finalize();
    return rc;
}
