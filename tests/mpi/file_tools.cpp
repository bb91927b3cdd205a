// Readability by tools cairn did not write: a 2-D distributed float64 grid (v = 1000*i + j,
// written from halo'd blocks of a 2 x 2 decomposition) and a per-rank buffer, checked with
// h5dump and with h5py, and the channel log with h5py. Usage: file_tools <h5dump> <python3>
// <file_check_h5py.py>
#include "file_util.hpp"

#include <cstdlib>
#include <fstream>
#include <sstream>

using namespace file_test;
namespace cd = cairn::detail;

namespace {

constexpr std::uint64_t ny = 6;
constexpr std::uint64_t nx = 8;

/// Parses the values of `h5dump -d` output (the "(i,j): a, b, ..." lines inside DATA { }).
std::vector<double> parse_h5dump(const std::string& text) {
    std::vector<double> v;
    const auto start = text.find("DATA {");
    if (start == std::string::npos) return v;
    std::istringstream in(text.substr(start + 6));
    std::string line;
    while (std::getline(in, line)) {
        if (line.find('}') != std::string::npos) break;
        const auto colon = line.find("):");
        std::string rest = colon == std::string::npos ? line : line.substr(colon + 2);
        std::istringstream items(rest);
        std::string item;
        while (std::getline(items, item, ',')) {
            if (item.find_first_not_of(" \t") == std::string::npos) continue;
            v.push_back(std::strtod(item.c_str(), nullptr));
        }
    }
    return v;
}

}  // namespace

int main(int argc, char** argv) {
    MPI_Init(&argc, &argv);
    int rank = 0;
    int p = 0;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &p);
    if (argc != 4 || p != 4) {
        if (rank == 0)
            std::fprintf(stderr, "usage: mpiexec -n 4 file_tools H5DUMP PYTHON SCRIPT\n");
        MPI_Finalize();
        return 2;
    }
    try {
        // 2 x 2 ranks, blocks 3 rows x (5 | 3) columns, one halo cell on every side.
        const std::uint64_t ry = static_cast<std::uint64_t>(rank) / 2;
        const std::uint64_t rx = static_cast<std::uint64_t>(rank) % 2;
        const std::uint64_t oy = ry * 3;
        const std::uint64_t ox = rx == 0 ? 0 : 5;
        const std::uint64_t ey = 3;
        const std::uint64_t ex = rx == 0 ? 5 : 3;
        std::vector<double> grid((ey + 2) * (ex + 2), -1.0);
        for (std::uint64_t i = 0; i < ey; ++i) {
            for (std::uint64_t j = 0; j < ex; ++j) {
                grid[(i + 1) * (ex + 2) + j + 1] =
                    1000.0 * static_cast<double>(oy + i) + static_cast<double>(ox + j);
            }
        }
        // Per-rank: rank r holds r + 1 values 100 * r + k.
        std::vector<std::int64_t> counts(static_cast<std::size_t>(rank) + 1);
        for (std::size_t k = 0; k < counts.size(); ++k)
            counts[k] = 100 * rank + static_cast<int>(k);

        const std::vector<cd::buffer_desc> bufs = {
            distributed("grid", grid.data(), cairn::type::float64, {ny, nx}, {oy, ox}, {ey, ex},
                        {ey + 2, ex + 2}, {1, 1}),
            per_rank("counts", counts.data(), cairn::type::int64, counts.size())};
        cd::checkpoint_meta meta = test_meta(42);
        meta.app_name = "toolcheck";
        // Channel log: rank r logged r messages, message k from source k with tag 100 + k and
        // the payload "r<r>m<k>"; counters sent_white[r][d] = 10 r + d, recv_before 20 r + d,
        // logged[r][s] = 1 for s < r.
        cd::channel_state chan;
        for (int k = 0; k < rank; ++k) {
            const std::string text = "r" + std::to_string(rank) + "m" + std::to_string(k);
            chan.messages.push_back({1, k, 100 + k, 3, {text.begin(), text.end()}});
        }
        for (int d = 0; d < p; ++d) {
            chan.sent_white.push_back(10U * static_cast<unsigned>(rank) + static_cast<unsigned>(d));
            chan.recv_before.push_back(20U * static_cast<unsigned>(rank) +
                                       static_cast<unsigned>(d));
            chan.logged.push_back(d < rank ? 1 : 0);
        }
        // Both writers: collective MPI-IO (tools.h5), and the direct writer, in which rank 0
        // creates the file with serial HDF5 and every rank writes its raw data itself
        // (tools_direct.h5). Both must read the same with the tools, and h5diff must find no
        // difference between them.
        cd::write_checkpoint_file("tools.h5", MPI_COMM_WORLD, meta, bufs, chan);
        cd::write_options direct;
        direct.direct_io = true;
        cd::write_checkpoint_file("tools_direct.h5", MPI_COMM_WORLD, meta, bufs, chan, direct);

        if (rank == 0) {
            for (const char* file : {"tools.h5", "tools_direct.h5"}) {
                const std::string h5dump = argv[1];
                const std::string cmd = h5dump + " -d /data/grid " + file + " > h5dump.out 2>&1";
                FT_CHECK(std::system(cmd.c_str()) == 0, "h5dump failed: " + cmd);
                std::ifstream in("h5dump.out");
                const std::string text((std::istreambuf_iterator<char>(in)),
                                       std::istreambuf_iterator<char>());
                FT_CHECK(contains(text, "H5T_IEEE_F64LE"), "h5dump type:\n" + text);
                FT_CHECK(contains(text, "SIMPLE { ( 6, 8 ) / ( 6, 8 ) }"),
                         "h5dump shape:\n" + text);
                FT_CHECK(contains(text, "\"distributed\""), "h5dump kind attribute:\n" + text);
                const std::vector<double> v = parse_h5dump(text);
                FT_CHECK(v.size() == ny * nx, std::string(file) + ": h5dump gave " +
                                                  std::to_string(v.size()) + " values");
                for (std::size_t k = 0; k < v.size() && k < ny * nx; ++k) {
                    const double want =
                        1000.0 * static_cast<double>(k / nx) + static_cast<double>(k % nx);
                    FT_CHECK(v[k] == want, std::string(file) + ": h5dump value " +
                                               std::to_string(k) + " is " + std::to_string(v[k]) +
                                               ", want " + std::to_string(want));
                }
                const std::string py = std::string(argv[2]) + " " + argv[3] + " " + file;
                FT_CHECK(std::system(py.c_str()) == 0, "h5py check failed: " + py);
            }
            // h5diff (next to h5dump): every dataset and attribute equal in the two files.
            std::string h5diff = argv[1];
            const auto slash = h5diff.rfind('/');
            h5diff = (slash == std::string::npos ? "" : h5diff.substr(0, slash + 1)) + "h5diff";
            const std::string diff = h5diff + " tools.h5 tools_direct.h5 > h5diff.out 2>&1";
            const int rc = std::system(diff.c_str());
            std::ifstream in("h5diff.out");
            const std::string text((std::istreambuf_iterator<char>(in)),
                                   std::istreambuf_iterator<char>());
            FT_CHECK(rc == 0, "h5diff finds the two writers' files different:\n" + text);
        }
    } catch (const std::exception& e) {
        FT_CHECK(false, std::string("unexpected exception: ") + e.what());
        MPI_Abort(MPI_COMM_WORLD, 2);
    }
    const int rc = finish("file_tools");
    MPI_Finalize();
    return rc;
}
