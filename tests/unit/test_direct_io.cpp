// direct_file: O_DIRECT positional I/O with unaligned heads and tails through a bounce buffer.
#include "storage/direct_io.hpp"

#include <catch2/catch.hpp>

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <vector>

using cairn::detail::direct_file;

namespace {

std::vector<unsigned char> pattern(std::size_t n, unsigned seed) {
    std::vector<unsigned char> v(n);
    for (std::size_t i = 0; i < n; ++i)
        v[i] = static_cast<unsigned char>((i * 131 + seed) ^ (i >> 9));
    return v;
}

std::vector<unsigned char> slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

TEST_CASE("direct_file writes and reads unaligned ranges exactly") {
    const std::string path = "direct_io_test.bin";
    { std::ofstream(path, std::ios::binary | std::ios::trunc); }
    bool supported = true;
    try {
        direct_file probe(path, true);
    } catch (const std::runtime_error& e) {
        supported = false;  // e.g. a build tree on tmpfs
        WARN("O_DIRECT not supported here, test skipped: " << e.what());
    }
    if (!supported) return;

    // (offset, length): inside one block, across a block boundary, aligned, and more than two
    // write pieces (8 MiB) and many read pieces (1 MiB) with odd ends.
    const std::vector<std::pair<std::uint64_t, std::size_t>> ranges = {
        {5, 100}, {4000, 200}, {8192, 4096}, {12289, (std::size_t{17} << 20U) + 333}, {0, 1}};
    std::vector<unsigned char> expect;
    {
        direct_file w(path, true);
        unsigned seed = 1;
        for (const auto& [off, len] : ranges) {
            const auto data = pattern(len, seed++);
            w.write(off, data.data(), data.size());
            if (expect.size() < off + len) expect.resize(off + len, 0);
            std::copy(data.begin(), data.end(), expect.begin() + static_cast<std::ptrdiff_t>(off));
        }
    }
    const auto on_disk = slurp(path);
    REQUIRE(on_disk.size() == expect.size());
    CHECK(on_disk == expect);

    direct_file r(path, false);
    for (const auto& [off, len] : ranges) {
        std::vector<unsigned char> got(len, 0xAB);
        r.read(off, got.data(), got.size());
        CHECK(
            std::equal(got.begin(), got.end(), expect.begin() + static_cast<std::ptrdiff_t>(off)));
        // The pieces handed out while reading are the destination, in order, without gaps.
        std::vector<unsigned char> again(len, 0xCD);
        std::size_t covered = 0;
        std::size_t largest = 0;
        bool in_place = true;
        r.read(off, again.data(), again.size(), [&](const unsigned char* p, std::size_t n) {
            in_place = in_place && p == again.data() + covered;
            covered += n;
            largest = std::max(largest, n);
        });
        CHECK(in_place);
        CHECK(largest <= direct_file::read_piece);
        CHECK(covered == len);
        CHECK(again == got);
    }
    std::vector<unsigned char> past(10);
    CHECK_THROWS_WITH(r.read(expect.size() - 4, past.data(), past.size()),
                      Catch::Contains("transferred nothing"));
    std::remove(path.c_str());
}

TEST_CASE("direct_file names the path when it cannot open") {
    CHECK_THROWS_WITH(direct_file("no/such/dir/file.bin", false),
                      Catch::Contains("no/such/dir/file.bin"));
}

TEST_CASE("direct_file hands every written piece to the callback, in order") {
    const std::string path = "direct_io_pieces.bin";
    { std::ofstream(path, std::ios::binary | std::ios::trunc); }
    const std::size_t len = (std::size_t{9} << 20U) + 1234;  // more than one 8 MiB piece
    const auto data = pattern(len, 7);
    for (const bool fallback : {false, true}) {
        std::vector<unsigned char> seen;
        try {
            direct_file w(path, true, fallback);
            w.write(77, data.data(), data.size(), [&](const unsigned char* p, std::size_t n) {
                seen.insert(seen.end(), p, p + n);
            });
        } catch (const std::runtime_error& e) {
            WARN("O_DIRECT not supported here, case skipped: " << e.what());
            continue;
        }
        CHECK(seen == data);
        const auto on_disk = slurp(path);
        REQUIRE(on_disk.size() == 77 + len);
        CHECK(std::equal(data.begin(), data.end(), on_disk.begin() + 77));
    }
    std::remove(path.c_str());
}

TEST_CASE("direct_file falls back to buffered I/O where O_DIRECT is refused") {
    // tmpfs refuses O_DIRECT (EINVAL); /dev/shm is tmpfs on Linux.
    const std::string path = "/dev/shm/cairn_direct_io_fallback_" + std::to_string(::getpid());
    { std::ofstream(path, std::ios::binary | std::ios::trunc); }
    bool refused = false;
    try {
        direct_file probe(path, true);
    } catch (const std::runtime_error&) {
        refused = true;
    }
    if (!refused) {
        WARN("O_DIRECT accepted on /dev/shm here: nothing to fall back from");
        std::remove(path.c_str());
        return;
    }
    const auto data = pattern(100000, 3);
    {
        direct_file w(path, true, true);
        CHECK_FALSE(w.direct());
        w.write(5, data.data(), data.size());
    }
    direct_file r(path, false, true);
    std::vector<unsigned char> got(data.size());
    std::size_t covered = 0;
    r.read(5, got.data(), got.size(), [&](const unsigned char*, std::size_t n) { covered += n; });
    CHECK(got == data);
    CHECK(covered == data.size());
    std::remove(path.c_str());
}
