// Serial inspect/verify (no MPI_Init, no mpiexec, as `cairn inspect` runs) on the files that
// file_corrupt leaves in its directory. Usage: file_verify_serial <dir of file_corrupt>
#include "file_util.hpp"

using namespace file_test;
namespace cd = cairn::detail;

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: file_verify_serial DIR\n");
        return 2;
    }
    const std::string dir = std::string(argv[1]) + "/";
    try {
        const cd::checkpoint_summary s = cd::inspect_checkpoint_file(dir + "good.h5");
        FT_CHECK(s.meta.nranks == 4 && s.meta.epoch == 3 && s.meta.app_name == "file-test",
                 "inspect meta");
        FT_CHECK(s.file_bytes > 0, "file_bytes");
        FT_CHECK(s.datasets.size() == 3, "3 datasets");
        if (s.datasets.size() == 3) {
            const cd::dataset_summary& g = s.datasets[0];
            FT_CHECK(g.name == "grid" && g.kind == cd::buffer_kind::distributed &&
                         g.elem == cairn::type::float64,
                     "grid summary");
            FT_CHECK((g.global_shape == std::vector<std::uint64_t>{6, 8}) && g.bytes == 384,
                     "grid shape/bytes");
            FT_CHECK((g.rank_counts == std::vector<std::uint64_t>{15, 9, 15, 9}), "grid counts");
            const cd::dataset_summary& pr = s.datasets[2];
            FT_CHECK(pr.name == "parts" && pr.kind == cd::buffer_kind::per_rank &&
                         pr.elem == cairn::type::int32,
                     "parts summary");
            FT_CHECK((pr.rank_counts == std::vector<std::uint64_t>{2, 3, 4, 5}) && pr.bytes == 56,
                     "parts counts");
        }
        const auto good = cd::verify_checkpoint_file(dir + "good.h5");
        FT_CHECK(good.empty(), good.empty() ? "" : good.front());

        const auto flip = cd::verify_checkpoint_file(dir + "flip.h5");
        FT_CHECK(flip.size() == 1, std::to_string(flip.size()) + " problems in flip.h5");
        for (const auto& pr : flip) {
            std::printf("verify flip.h5: %s\n", pr.c_str());
            FT_CHECK(contains(pr, "checksum mismatch in 'grid' for rank 2"), pr);
        }
        FT_CHECK(cd::inspect_checkpoint_file(dir + "flip.h5").datasets.size() == 3,
                 "a damaged data region does not stop inspect");
        FT_CHECK(s.channel_messages == 0 && s.channel_bytes == 0, "good.h5 has no channel log");

        std::uint64_t messages = 0;
        std::uint64_t bytes = 0;
        for (int r = 0; r < 4; ++r) {
            messages += test_channel(r, 4, 5).messages.size();
            bytes += test_channel(r, 4, 5).payload_bytes();
        }
        const cd::checkpoint_summary cs = cd::inspect_checkpoint_file(dir + "chan.h5");
        FT_CHECK(cs.channel_messages == messages && cs.channel_bytes == bytes,
                 "chan.h5 channel summary");
        const auto chan_good = cd::verify_checkpoint_file(dir + "chan.h5");
        FT_CHECK(chan_good.empty(), chan_good.empty() ? "" : chan_good.front());
        const auto chan_flip = cd::verify_checkpoint_file(dir + "chan_flip.h5");
        FT_CHECK(chan_flip.size() == 1,
                 std::to_string(chan_flip.size()) + " problems in chan_flip");
        for (const auto& pr : chan_flip) {
            std::printf("verify chan_flip.h5: %s\n", pr.c_str());
            FT_CHECK(contains(pr, "checksum mismatch in the channel log for rank"), pr);
        }

        const std::vector<std::pair<std::string, std::string>> bad = {
            {"trunc.h5", "truncated"},
            {"foreign.h5", "not a cairn checkpoint"},
            {"text.h5", "not an HDF5 file"},
            {"missing.h5", "does not exist"},
            {"v7.h5", "format_version 7 is newer"}};
        for (const auto& [name, why] : bad) {
            const std::string a = expect_throw<cd::corrupt_error>(
                [&] { cd::inspect_checkpoint_file(dir + name); }, name.c_str());
            FT_CHECK(contains(a, why), "inspect " + name + ": " + a);
            const std::string b = expect_throw<cd::corrupt_error>(
                [&] { cd::verify_checkpoint_file(dir + name); }, name.c_str());
            FT_CHECK(contains(b, why), "verify " + name + ": " + b);
        }
    } catch (const std::exception& e) {
        FT_CHECK(false, std::string("unexpected exception: ") + e.what());
    }
    std::printf("file_verify_serial: %s (%d failed checks)\n",
                file_test::failures == 0 ? "PASSED" : "FAILED", file_test::failures);
    return file_test::failures == 0 ? 0 : 1;
}
