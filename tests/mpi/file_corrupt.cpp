// Classification of bad files: corrupt_error for damaged, foreign, truncated, non-HDF5, missing
// and too-new files; mismatch_error for sound files that do not fit the registration. Leaves the
// files in the working directory for the serial test (file_verify_serial).
#include "file_util.hpp"
#include "h5/handles.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>

using namespace file_test;
namespace cd = cairn::detail;
namespace h5 = cairn::detail::h5;
namespace fs = std::filesystem;

namespace {

constexpr std::uint64_t ny = 6;
constexpr std::uint64_t nx = 8;

/// The registration of one rank; `variant` changes one thing.
struct state {
    std::vector<double> grid;
    std::vector<std::int32_t> parts;
    std::vector<std::int32_t> ints;
    std::vector<float> ints_f;
    std::vector<cd::buffer_desc> bufs;

    state(int rank, bool fill, const std::string& variant = "") {
        const std::uint64_t ry = static_cast<std::uint64_t>(rank) / 2;
        const std::uint64_t rx = static_cast<std::uint64_t>(rank) % 2;
        std::uint64_t oy = ry * 3;
        std::uint64_t ox = rx == 0 ? 0 : 5;
        std::uint64_t ey = 3;
        std::uint64_t ex = rx == 0 ? 5 : 3;
        std::uint64_t gx = nx;
        if (variant == "grid_shape") ex = 5, gx = 10;
        if (variant == "grid_decomposition") oy = rank * 1U, ey = rank == 3 ? 3 : 1, ox = 0, ex = 8;
        grid.assign(ey * ex, 0.0);
        parts.assign(static_cast<std::size_t>(rank) + 2 + (variant == "parts_count" && rank == 1),
                     0);
        ints.assign(3, 0);
        ints_f.assign(3, 0.0F);
        if (fill) {
            for (std::uint64_t i = 0; i < ey; ++i) {
                for (std::uint64_t j = 0; j < ex; ++j) {
                    grid[i * ex + j] =
                        1000.0 * static_cast<double>(oy + i) + static_cast<double>(ox + j);
                }
            }
            for (std::size_t k = 0; k < parts.size(); ++k)
                parts[k] = 10 * rank + static_cast<int>(k);
            for (std::size_t k = 0; k < ints.size(); ++k) ints[k] = -rank - static_cast<int>(k);
        }
        bufs.push_back(
            distributed("grid", grid.data(), cairn::type::float64, {ny, gx}, {oy, ox}, {ey, ex}));
        bufs.push_back(per_rank("parts", parts.data(), cairn::type::int32, parts.size()));
        if (variant == "ints_type") {
            bufs.push_back(per_rank("ints", ints_f.data(), cairn::type::float32, 3));
        } else if (variant == "ints_kind") {
            bufs.push_back(distributed("ints", ints.data(), cairn::type::int32, {12},
                                       {3 * static_cast<std::uint64_t>(rank)}, {3}));
        } else {
            bufs.push_back(per_rank("ints", ints.data(), cairn::type::int32, 3));
        }
        if (variant == "extra")
            bufs.push_back(per_rank("nothere", ints.data(), cairn::type::int32, 1));
        if (variant == "grid_only") bufs.resize(1);
    }
};

/// Reads `path` with the registration `variant`; returns the error text of type E or "".
template <class E>
std::string read_error(const std::string& path, int rank, const std::string& variant = "",
                       MPI_Comm comm = MPI_COMM_WORLD) {
    state s(rank, false, variant);
    try {
        cd::read_checkpoint_file(path, comm, s.bufs);
    } catch (const E& e) {
        return e.what();
    } catch (const std::exception& e) {
        FT_CHECK(false, path + " (" + variant + "): wrong exception type: " + e.what());
        return "?";
    }
    return "";
}

/// Expects E on every rank with every part of `parts` in the message.
template <class E>
void expect_everywhere(const std::string& path, int rank, const std::string& variant,
                       const std::vector<std::string>& parts) {
    const std::string msg = read_error<E>(path, rank, variant);
    if (rank == 0 && std::getenv("CAIRN_TEST_VERBOSE") != nullptr) {
        std::printf("%s (%s): %s\n", path.c_str(), variant.c_str(), msg.c_str());
    }
    FT_CHECK(!msg.empty(), path + " (" + variant + "): no error");
    for (const auto& part : parts) {
        FT_CHECK(contains(msg, part), path + " (" + variant + "): '" + part + "' not in: " + msg);
    }
}

/// The rank whose logged payload holds the last byte of /cairn/channel/payload in chan.h5.
int last_payload_owner(int p) {
    int owner = -1;
    for (int r = 0; r < p; ++r) {
        if (test_channel(r, p, 5).payload_bytes() > 0) owner = r;
    }
    return owner;
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

/// Files made by rank 0 from good.h5.
void make_bad_files() {
    fs::copy_file("good.h5", "flip.h5", fs::copy_options::overwrite_existing);
    // Element (4, 2) of the grid belongs to rank 2 (rows 3-5, columns 0-4).
    flip_byte("flip.h5", cd::dataset_file_offset("flip.h5", "/data/grid") + (4 * nx + 2) * 8 + 3);

    fs::copy_file("chan.h5", "chan_flip.h5", fs::copy_options::overwrite_existing);
    flip_byte("chan_flip.h5",
              cd::dataset_file_offset("chan_flip.h5", "/cairn/channel/payload") +
                  cd::dataset_storage_bytes("chan_flip.h5", "/cairn/channel/payload") - 1);

    fs::copy_file("good.h5", "trunc.h5", fs::copy_options::overwrite_existing);
    fs::resize_file("trunc.h5", fs::file_size("trunc.h5") / 2);

    {
        h5::file f(H5Fcreate("foreign.h5", H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), "foreign");
        h5::group g(H5Gcreate2(f.get(), "/data", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), "group");
    }
    std::ofstream("text.h5") << "this is not an HDF5 file\n";
    fs::remove("missing.h5");

    fs::copy_file("good.h5", "v7.h5", fs::copy_options::overwrite_existing);
    {
        h5::file f(H5Fopen("v7.h5", H5F_ACC_RDWR, H5P_DEFAULT), "open v7.h5");
        h5::attribute a(H5Aopen(f.get(), "format_version", H5P_DEFAULT), "format_version");
        const std::uint32_t seven = 7;
        h5::check(H5Awrite(a.get(), H5T_NATIVE_UINT32, &seven), "write format_version");
    }
}

}  // namespace

int main(int argc, char** argv) {
    MPI_Init(&argc, &argv);
    h5::silence_errors();
    int rank = 0;
    int p = 0;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &p);
    if (p != 4) {
        if (rank == 0) std::fprintf(stderr, "file_corrupt needs 4 ranks\n");
        MPI_Finalize();
        return 2;
    }
    try {
        const state src(rank, true);
        cd::write_checkpoint_file("good.h5", MPI_COMM_WORLD, test_meta(3), src.bufs);
        {
            state got(rank, false);
            cd::read_checkpoint_file("good.h5", MPI_COMM_WORLD, got.bufs);
            FT_CHECK(got.grid == src.grid && got.parts == src.parts && got.ints == src.ints,
                     "good.h5 round trip");
        }
        FT_CHECK(read_error<cd::corrupt_error>("good.h5", rank, "grid_only").empty(),
                 "unregistered datasets in the file are ignored");
        const cd::channel_state chan_src = test_channel(rank, p, 5);
        cd::write_checkpoint_file("chan.h5", MPI_COMM_WORLD, test_meta(4), src.bufs, chan_src);

        if (rank == 0) make_bad_files();
        MPI_Barrier(MPI_COMM_WORLD);

        // One flipped byte: only the owner of the block sees it, after reading everything.
        {
            state got(rank, false);
            std::string msg;
            try {
                cd::read_checkpoint_file("flip.h5", MPI_COMM_WORLD, got.bufs);
            } catch (const cd::corrupt_error& e) {
                msg = e.what();
            }
            if (rank == 2) {
                FT_CHECK(contains(msg, "checksum mismatch in 'grid' for rank 2"), "flip: " + msg);
            } else {
                FT_CHECK(msg.empty(), "flip seen by rank " + std::to_string(rank) + ": " + msg);
            }
            FT_CHECK(got.parts == src.parts && got.ints == src.ints,
                     "buffers after the damaged one are still read");
        }
        // One flipped payload byte of the channel log: only its receiver sees it.
        {
            state got(rank, false);
            cd::channel_state chan;
            std::string msg;
            try {
                cd::read_checkpoint_file("chan_flip.h5", MPI_COMM_WORLD, got.bufs, chan);
            } catch (const cd::corrupt_error& e) {
                msg = e.what();
            }
            const int owner = last_payload_owner(p);
            if (rank == owner) {
                FT_CHECK(contains(msg, "checksum mismatch in the channel log for rank " +
                                           std::to_string(owner)),
                         "chan_flip: " + msg);
                FT_CHECK(chan.messages.empty(), "no channel state after a failed read");
            } else {
                FT_CHECK(msg.empty(),
                         "chan_flip seen by rank " + std::to_string(rank) + ": " + msg);
            }
            FT_CHECK(got.grid == src.grid, "buffers are read before the channel log");
            cd::read_checkpoint_file("chan.h5", MPI_COMM_WORLD, got.bufs, chan);
            FT_CHECK(same_channel(chan_src, chan, p), "chan.h5 round trip");
            if (rank == 0) {
                const std::string e = expect_throw<cd::corrupt_error>(
                    [&] { cd::read_channel_state("chan_flip.h5", owner); }, "read_channel_state");
                FT_CHECK(contains(e, "checksum mismatch in the channel log"), e);
            }
        }
        expect_everywhere<cd::corrupt_error>("trunc.h5", rank, "", {"trunc.h5", "truncated"});
        expect_everywhere<cd::corrupt_error>(
            "foreign.h5", rank, "", {"not a cairn checkpoint (no cairn_format attribute)"});
        expect_everywhere<cd::corrupt_error>("text.h5", rank, "",
                                             {"text.h5", "not an HDF5 file or truncated"});
        expect_everywhere<cd::corrupt_error>("missing.h5", rank, "", {"does not exist"});
        expect_everywhere<cd::corrupt_error>("v7.h5", rank, "",
                                             {"format_version 7 is newer than this cairn (1)"});

        expect_everywhere<cd::mismatch_error>(
            "good.h5", rank, "parts_count",
            {"'parts'", "rank 1 has 3 elements in the file, 4 registered"});
        expect_everywhere<cd::mismatch_error>("good.h5", rank, "ints_type",
                                              {"'ints'", "int32", "float32"});
        expect_everywhere<cd::mismatch_error>("good.h5", rank, "ints_kind",
                                              {"'ints'", "per_rank", "distributed"});
        expect_everywhere<cd::mismatch_error>("good.h5", rank, "grid_shape",
                                              {"'grid'", "(6, 8)", "(6, 10)"});
        // Another decomposition of the grid is read (elastic restart, see file_elastic).
        {
            state got(rank, false, "grid_decomposition");
            cd::read_checkpoint_file("good.h5", MPI_COMM_WORLD, got.bufs);
            const std::uint64_t oy = static_cast<std::uint64_t>(rank);
            bool ok = true;
            for (std::size_t k = 0; k < got.grid.size(); ++k) {
                ok = ok && got.grid[k] == 1000.0 * static_cast<double>(oy + k / nx) +
                                              static_cast<double>(k % nx);
            }
            FT_CHECK(ok && got.parts == src.parts, "good.h5 with another grid decomposition");
        }
        expect_everywhere<cd::mismatch_error>("good.h5", rank, "extra",
                                              {"'nothere' is registered but not in the file"});

        // Written by 4 ranks, read by two jobs of 2 ranks each.
        MPI_Comm half = MPI_COMM_NULL;
        MPI_Comm_split(MPI_COMM_WORLD, rank / 2, rank, &half);
        {
            std::vector<std::int32_t> v(2);
            const std::vector<cd::buffer_desc> bufs = {
                per_rank("parts", v.data(), cairn::type::int32, v.size())};
            std::string msg;
            try {
                cd::read_checkpoint_file("good.h5", half, bufs);
            } catch (const cd::mismatch_error& e) {
                msg = e.what();
            }
            FT_CHECK(contains(msg,
                              "checkpoint was written by 4 ranks, this job has 2: per-rank "
                              "buffer 'parts' cannot be redistributed"),
                     "rank count: " + msg);
        }
        MPI_Comm_free(&half);
    } catch (const std::exception& e) {
        FT_CHECK(false, std::string("unexpected exception: ") + e.what());
        MPI_Abort(MPI_COMM_WORLD, 2);
    }
    const int rc = finish("file_corrupt");
    MPI_Finalize();
    return rc;
}
