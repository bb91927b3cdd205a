// Elastic restart: a checkpoint written by 4 ranks (2-D grid with halo, uneven 1-D, 3-D, a
// replicated per-rank scalar) is read by jobs of 2, 3 and 4 ranks with other decompositions
// (sub-communicators of one 4-rank run). Checks values against the global pattern, halos left
// alone, a damaged writer block reported by its verifier, and the clear mismatch errors for a
// non-replicated per-rank buffer and for a non-empty channel log.
#include "file_util.hpp"

#include <array>
#include <filesystem>
#include <fstream>
#include <memory>

using namespace file_test;
namespace cd = cairn::detail;
namespace fs = std::filesystem;

namespace {

constexpr std::uint64_t gy = 10;  // grid
constexpr std::uint64_t gx = 12;
constexpr std::uint64_t nline = 23;
constexpr std::array<std::uint64_t, 3> cube = {4, 5, 6};
constexpr std::int64_t step_value = 42;
constexpr double halo_mark = -7.0;

double grid_value(const std::array<std::uint64_t, 3>& g) {
    return 1000.0 * static_cast<double>(g[0]) + static_cast<double>(g[1]);
}
double line_value(const std::array<std::uint64_t, 3>& g) {
    return 7.0 * static_cast<double>(g[0]) + 1.0;
}
double cube_value(const std::array<std::uint64_t, 3>& g) {
    return static_cast<double>(g[0] * 100 + g[1] * 10 + g[2]);
}

/// One distributed buffer with its memory (halo of `halo` cells on every side).
struct block {
    std::string name;
    cairn::type elem;
    std::vector<unsigned char> mem;
    cd::buffer_desc desc;
    double (*value)(const std::array<std::uint64_t, 3>&);

    block(std::string n, cairn::type t, const std::vector<std::uint64_t>& global,
          const std::vector<std::uint64_t>& offset, const std::vector<std::uint64_t>& extent,
          std::uint64_t halo, double (*v)(const std::array<std::uint64_t, 3>&))
        : name(std::move(n)), elem(t), value(v) {
        std::vector<std::uint64_t> mshape;
        std::vector<std::uint64_t> moff;
        for (auto e : extent) {
            mshape.push_back(e + 2 * halo);
            moff.push_back(halo);
        }
        desc = distributed(name, nullptr, t, global, offset, extent, mshape, moff);
        std::size_t n_mem = 1;
        for (auto m : mshape) n_mem *= m;
        mem.resize(n_mem * cairn::type_size(t));
        desc.data = mem.data();
    }

    /// Calls f(memory index, global coordinates or nullptr for a halo cell).
    template <class F>
    void each(F&& f) const {
        const int nd = desc.ndims;
        std::size_t n = mem.size() / cairn::type_size(elem);
        for (std::size_t e = 0; e < n; ++e) {
            std::array<std::uint64_t, 3> g{};
            bool in = true;
            std::size_t rest = e;
            for (int d = nd - 1; d >= 0; --d) {
                const std::uint64_t i = rest % desc.mem_shape[d];
                rest /= desc.mem_shape[d];
                if (i < desc.mem_offset[d] || i >= desc.mem_offset[d] + desc.extent[d]) in = false;
                g[d] = desc.offset[d] + i - desc.mem_offset[d];
            }
            f(e, in ? &g : nullptr);
        }
    }

    void set(std::size_t e, double v) {
        switch (elem) {
            case cairn::type::float64:
                reinterpret_cast<double*>(mem.data())[e] = v;
                break;
            case cairn::type::int32:
                reinterpret_cast<std::int32_t*>(mem.data())[e] = static_cast<std::int32_t>(v);
                break;
            default:
                reinterpret_cast<std::uint16_t*>(mem.data())[e] = static_cast<std::uint16_t>(v);
        }
    }
    [[nodiscard]] double get(std::size_t e) const {
        switch (elem) {
            case cairn::type::float64:
                return reinterpret_cast<const double*>(mem.data())[e];
            case cairn::type::int32:
                return reinterpret_cast<const std::int32_t*>(mem.data())[e];
            default:
                return reinterpret_cast<const std::uint16_t*>(mem.data())[e];
        }
    }

    /// Source pattern (fill) or halo markers everywhere.
    void init(bool fill) {
        each([&](std::size_t e, const std::array<std::uint64_t, 3>* g) {
            set(e, fill && g != nullptr ? value(*g)
                                        : (elem == cairn::type::float64 ? halo_mark : 77.0));
        });
    }

    /// Interior = pattern, halo untouched.
    void check(const std::string& what) const {
        std::size_t bad = 0;
        std::size_t bad_halo = 0;
        const double mark = elem == cairn::type::float64 ? halo_mark : 77.0;
        each([&](std::size_t e, const std::array<std::uint64_t, 3>* g) {
            if (g != nullptr && get(e) != value(*g)) ++bad;
            if (g == nullptr && get(e) != mark) ++bad_halo;
        });
        FT_CHECK(bad == 0, what + ": " + name + ": " + std::to_string(bad) + " wrong values");
        FT_CHECK(bad_halo == 0,
                 what + ": " + name + ": " + std::to_string(bad_halo) + " halo cells overwritten");
    }
};

/// A registration of one rank of a job of `p` ranks (p = 2, 3, 4; `alt` = the other 4-rank
/// decomposition).
struct state {
    std::vector<std::unique_ptr<block>> blocks;
    std::int64_t step = 0;
    std::vector<std::int32_t> parts;
    std::vector<cd::buffer_desc> bufs;

    state(int rank, int p, bool fill, bool alt = false, bool with_parts = false,
          std::uint64_t cube_x = cube[2]) {
        const auto r = static_cast<std::uint64_t>(rank);
        auto add = [&](auto&&... args) {
            blocks.push_back(std::make_unique<block>(std::forward<decltype(args)>(args)...));
        };
        if (p == 4 && !alt) {  // the writer: 2 x 2 grid, halo 1
            const auto rows = split(gy, 2, false);
            const auto cols = split(gx, 2, false);
            const int ry = rank / 2;
            const int rx = rank % 2;
            add("grid", cairn::type::float64, std::vector<std::uint64_t>{gy, gx},
                std::vector<std::uint64_t>{start_of(rows, ry), start_of(cols, rx)},
                std::vector<std::uint64_t>{rows[ry], cols[rx]}, 1, grid_value);
            const auto l = split(nline, 4, true);
            add("line", cairn::type::int32, std::vector<std::uint64_t>{nline},
                std::vector<std::uint64_t>{start_of(l, rank)}, std::vector<std::uint64_t>{l[r]}, 0,
                line_value);
            const auto c = split(cube[0], 4, false);
            add("cube", cairn::type::uint16, std::vector<std::uint64_t>{cube[0], cube[1], cube_x},
                std::vector<std::uint64_t>{start_of(c, rank), 0, 0},
                std::vector<std::uint64_t>{c[r], cube[1], cube_x}, 0, cube_value);
        } else {  // readers: row strips of the grid with halo 2, other axes for the others
            const auto rows = split(gy, p, p == 3);
            add("grid", cairn::type::float64, std::vector<std::uint64_t>{gy, gx},
                std::vector<std::uint64_t>{start_of(rows, rank), 0},
                std::vector<std::uint64_t>{rows[r], gx}, 2, grid_value);
            const auto l = split(nline, p, p == 3);
            add("line", cairn::type::int32, std::vector<std::uint64_t>{nline},
                std::vector<std::uint64_t>{start_of(l, rank)}, std::vector<std::uint64_t>{l[r]}, 1,
                line_value);
            const auto c = split(p == 2 ? cube_x : cube[1], p, false);
            if (p == 2) {
                add("cube", cairn::type::uint16,
                    std::vector<std::uint64_t>{cube[0], cube[1], cube_x},
                    std::vector<std::uint64_t>{0, 0, start_of(c, rank)},
                    std::vector<std::uint64_t>{cube[0], cube[1], c[r]}, 1, cube_value);
            } else {
                add("cube", cairn::type::uint16,
                    std::vector<std::uint64_t>{cube[0], cube[1], cube_x},
                    std::vector<std::uint64_t>{0, start_of(c, rank), 0},
                    std::vector<std::uint64_t>{cube[0], c[r], cube_x}, 0, cube_value);
            }
        }
        for (auto& b : blocks) {
            b->init(fill);
            bufs.push_back(b->desc);
        }
        step = fill ? step_value : 0;
        bufs.push_back(per_rank("step", &step, cairn::type::int64, 1));
        if (with_parts) {
            parts.assign(static_cast<std::size_t>(rank) + 1, fill ? 10 * rank : 0);
            bufs.push_back(per_rank("parts", parts.data(), cairn::type::int32, parts.size()));
        }
    }

    void check(const std::string& what) const {
        for (const auto& b : blocks) b->check(what);
        FT_CHECK(step == step_value, what + ": replicated step is " + std::to_string(step));
    }
};

/// Runs `f(sub, sub_rank)` on the first `n` ranks of the world; the others wait.
template <class F>
void on_first(int n, int rank, F&& f) {
    MPI_Comm sub = MPI_COMM_NULL;
    MPI_Comm_split(MPI_COMM_WORLD, rank < n ? 0 : MPI_UNDEFINED, rank, &sub);
    if (sub != MPI_COMM_NULL) {
        f(sub, rank);
        MPI_Comm_free(&sub);
    }
    MPI_Barrier(MPI_COMM_WORLD);
}

template <class E>
std::string error_of(const std::string& path, MPI_Comm comm,
                     const std::vector<cd::buffer_desc>& b) {
    try {
        cd::read_checkpoint_file(path, comm, b);
    } catch (const E& e) {
        return e.what();
    } catch (const std::exception& e) {
        FT_CHECK(false, path + ": wrong exception type: " + e.what());
        return "?";
    }
    return "";
}

void flip_byte(const std::string& path, std::uint64_t at) {
    std::fstream io(path, std::ios::in | std::ios::out | std::ios::binary);
    io.seekg(static_cast<std::streamoff>(at));
    char c = 0;
    io.read(&c, 1);
    c = static_cast<char>(c ^ 0x5A);
    io.seekp(static_cast<std::streamoff>(at));
    io.write(&c, 1);
}

}  // namespace

int main(int argc, char** argv) {
    MPI_Init(&argc, &argv);
    int rank = 0;
    int p = 0;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &p);
    if (p != 4) {
        if (rank == 0) std::fprintf(stderr, "file_elastic needs 4 ranks\n");
        MPI_Finalize();
        return 2;
    }
    try {
        {
            // Counters but no logged message: the channel log is empty, elastic reads allowed.
            cd::channel_state chan;
            chan.sent_white.assign(4, 3);
            chan.recv_before.assign(4, 3);
            chan.logged.assign(4, 0);
            const state src(rank, 4, true);
            cd::write_checkpoint_file("elastic.h5", MPI_COMM_WORLD, test_meta(1), src.bufs, chan);
            const state with_parts(rank, 4, true, false, true);
            cd::write_checkpoint_file("parts.h5", MPI_COMM_WORLD, test_meta(2), with_parts.bufs);
            if (rank == 1) {
                chan.messages.push_back({0, 3, 9, 1, {1, 2, 3}});
            }
            cd::write_checkpoint_file("inflight.h5", MPI_COMM_WORLD, test_meta(3), src.bufs, chan);
        }
        if (rank == 0) {
            fs::copy_file("elastic.h5", "flip.h5", fs::copy_options::overwrite_existing);
            // Element (7, 10) of the grid belongs to writer rank 3 (rows 6-9, columns 8-11).
            flip_byte("flip.h5",
                      cd::dataset_file_offset("flip.h5", "/data/grid") + (7 * gx + 10) * 8 + 2);
        }
        MPI_Barrier(MPI_COMM_WORLD);

        for (int n : {2, 3}) {
            const std::string job = std::to_string(n) + " ranks";
            on_first(n, rank, [&](MPI_Comm sub, int r) {
                state got(r, n, false);
                cd::channel_state chan;
                chan.logged.assign(1, 5);
                const cd::checkpoint_meta m =
                    cd::read_checkpoint_file("elastic.h5", sub, got.bufs, chan);
                got.check("elastic.h5 on " + job);
                FT_CHECK(m.nranks == 4 && m.epoch == 1, "meta on " + job);
                FT_CHECK(chan.messages.empty() && chan.logged.empty() && chan.sent_white.empty(),
                         "another rank count restores an empty channel state");

                // A damaged writer block: reported by its verifier (rank 3 % n) only, by name.
                state bad(r, n, false);
                const std::string msg = error_of<cd::corrupt_error>("flip.h5", sub, bad.bufs);
                if (r == 3 % n) {
                    FT_CHECK(contains(msg, "checksum mismatch in 'grid' for writer rank 3"),
                             "flip on " + job + ": " + msg);
                } else {
                    FT_CHECK(msg.empty(), "flip seen by rank " + std::to_string(r) + ": " + msg);
                }
                for (std::size_t i = 1; i < bad.blocks.size(); ++i) bad.blocks[i]->check("flip");

                // Per-rank buffer that differs between writers, and an in-flight message.
                state pr(r, n, false, false, true);
                const std::string e1 = error_of<cd::mismatch_error>("parts.h5", sub, pr.bufs);
                FT_CHECK(contains(e1, "checkpoint was written by 4 ranks, this job has " +
                                          std::to_string(n) +
                                          ": per-rank buffer 'parts' cannot be redistributed "
                                          "(only distributed arrays can change rank count"),
                         "parts on " + job + ": " + e1);
                state fl(r, n, false);
                const std::string e2 = error_of<cd::mismatch_error>("inflight.h5", sub, fl.bufs);
                FT_CHECK(contains(e2,
                                  "has in-flight messages logged for 4 ranks; restart with 4 "
                                  "ranks"),
                         "inflight on " + job + ": " + e2);
                // The global shape must still match.
                state shape(r, n, false, false, false, cube[2] + 1);
                const std::string e3 = error_of<cd::mismatch_error>("elastic.h5", sub, shape.bufs);
                FT_CHECK(contains(e3,
                                  "'cube' has global shape (4, 5, 6) in the file, registered "
                                  "(4, 5, 7)"),
                         "cube shape on " + job + ": " + e3);
                if (r == 0 && std::getenv("CAIRN_TEST_VERBOSE") != nullptr) {
                    std::printf("%s\n%s\n%s\n%s\n", msg.c_str(), e1.c_str(), e2.c_str(),
                                e3.c_str());
                }
            });
        }

        // Same rank count, other blocks: allowed with per-rank buffers, not with a channel log.
        {
            state got(rank, 4, false, true, true);
            cd::channel_state chan;
            cd::read_checkpoint_file("parts.h5", MPI_COMM_WORLD, got.bufs, chan);
            got.check("parts.h5 on 4 ranks, row strips");
            FT_CHECK(got.parts ==
                         std::vector<std::int32_t>(static_cast<std::size_t>(rank) + 1, 10 * rank),
                     "per-rank buffer on the same rank count");
            state fl(rank, 4, false, true);
            const std::string e =
                error_of<cd::mismatch_error>("inflight.h5", MPI_COMM_WORLD, fl.bufs);
            FT_CHECK(contains(e, "distributed buffer 'grid' is registered with other blocks") &&
                         contains(e, "restart with the same decomposition"),
                     "inflight, same rank count: " + e);
            state same(rank, 4, false);
            cd::read_checkpoint_file("inflight.h5", MPI_COMM_WORLD, same.bufs, chan);
            same.check("inflight.h5, same decomposition");
            FT_CHECK(chan.messages.size() == (rank == 1 ? 1U : 0U), "in-flight message restored");
            FT_CHECK(chan.sent_white == std::vector<std::uint64_t>(4, 3), "counters restored");
        }
    } catch (const std::exception& e) {
        FT_CHECK(false, std::string("unexpected exception: ") + e.what());
        MPI_Abort(MPI_COMM_WORLD, 2);
    }
    const int rc = finish("file_elastic");
    MPI_Finalize();
    return rc;
}
