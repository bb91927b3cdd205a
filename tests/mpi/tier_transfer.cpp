// Chunked image transfers between ranks (runtime/tier/transfer.*) with a small chunk size, so
// that images span many chunks: a ring (every rank sends and receives at once, as partner copies
// do), several sources into one rank, and a damaged file that the receiver rejects without
// leaving any rank waiting. 4 ranks.
#include "tier/image.hpp"
#include "tier/local_store.hpp"
#include "tier/transfer.hpp"

#include <catch2/catch.hpp>
#include <mpi.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

using namespace cairn::detail;

namespace {

constexpr std::size_t small_chunk = 4096;

int rank_of() {
    int r = 0;
    MPI_Comm_rank(MPI_COMM_WORLD, &r);
    return r;
}

int size_of() {
    int n = 0;
    MPI_Comm_size(MPI_COMM_WORLD, &n);
    return n;
}

// One rank's state: a per-rank array of `n` doubles whose values name the rank.
struct state {
    std::vector<double> v;
    std::vector<buffer_desc> bufs;
    state(int owner, std::size_t n, bool fill) : v(n, -1.0) {
        if (fill) {
            for (std::size_t i = 0; i < n; ++i) v[i] = 1000.0 * owner + static_cast<double>(i);
        }
        buffer_desc b;
        b.name = "v";
        b.data = v.data();
        b.elem = cairn::type::float64;
        b.count = n;
        bufs.push_back(b);
    }
    [[nodiscard]] bool is_of(int owner) const {
        for (std::size_t i = 0; i < v.size(); ++i) {
            if (v[i] != 1000.0 * owner + static_cast<double>(i)) return false;
        }
        return true;
    }
};

checkpoint_meta meta_of(int nranks) {
    checkpoint_meta m;
    m.epoch = 3;
    m.nranks = nranks;
    return m;
}

// Writes rank r's image (n doubles) to <cwd>/xfer.<tag>.<r>.img and returns the path.
std::string write_own(const std::string& tag, int r, std::size_t n) {
    state s(r, n, true);
    const std::string path = "xfer." + tag + "." + std::to_string(r) + ".img";
    local_store store(".");
    image_writer w(meta_of(size_of()), r, s.bufs, {});
    store.write_durable(path, [&w](const piece_fn& put) { w.emit(put); });
    return path;
}

std::unique_ptr<file_source> open_file(const std::string& path) {
    auto f = std::make_unique<file_source>(path);
    REQUIRE(f->ok());
    return f;
}

}  // namespace

TEST_CASE("ring transfer: every rank sends and receives at once", "[tier][mpi]") {
    const int r = rank_of();
    const int p = size_of();
    const std::size_t n = 5000 + 300 * static_cast<std::size_t>(r);  // ~10 chunks, sizes differ
    const std::string path = write_own("ring", r, n);
    const int to = (r + 1) % p;
    const int from = (r + p - 1) % p;
    unsigned long long mine = open_file(path)->size();
    unsigned long long theirs = 0;
    MPI_Sendrecv(&mine, 1, MPI_UNSIGNED_LONG_LONG, to, 1, &theirs, 1, MPI_UNSIGNED_LONG_LONG, from,
                 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    REQUIRE(theirs > 4 * small_chunk);

    std::vector<unsigned char> sb;
    std::vector<unsigned char> rb;
    chunk_pump pump(MPI_COMM_WORLD, sb, rb, small_chunk);
    pump.send_file(to, open_file(path));
    state got(from, 5000 + 300 * static_cast<std::size_t>(from), false);
    chunk_pump::incoming in(pump, from, theirs);
    int seen = -1;
    const image_head h = read_image(in, theirs, "ring", [&](const image_head& x) { seen = x.rank; },
                                    got.bufs);
    in.drain();
    CHECK(pump.finish().empty());
    CHECK(seen == from);
    CHECK(h.meta.epoch == 3);
    CHECK(got.is_of(from));
    CHECK(rb.size() <= small_chunk);  // bounded buffers, not the whole image
    CHECK(sb.size() <= small_chunk);
    std::remove(path.c_str());
}

TEST_CASE("several sources into one rank, stored as files", "[tier][mpi]") {
    const int r = rank_of();
    const int p = size_of();
    const std::size_t n = 3000;
    const std::string path = write_own("many", r, n);
    unsigned long long mine = open_file(path)->size();
    std::vector<unsigned char> sb;
    std::vector<unsigned char> rb;
    chunk_pump pump(MPI_COMM_WORLD, sb, rb, small_chunk);
    if (r == 0) {
        // Rank 0 stores the copies of every other rank while its own goes to rank 1.
        std::vector<unsigned long long> sizes(static_cast<std::size_t>(p), 0);
        for (int s = 1; s < p; ++s) {
            MPI_Recv(&sizes[static_cast<std::size_t>(s)], 1, MPI_UNSIGNED_LONG_LONG, s, 2,
                     MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        }
        if (p > 1) {
            MPI_Send(&mine, 1, MPI_UNSIGNED_LONG_LONG, 1, 2, MPI_COMM_WORLD);
            pump.send_file(1, open_file(path));
        }
        local_store store(".");
        for (int s = 1; s < p; ++s) {
            const auto sz = sizes[static_cast<std::size_t>(s)];
            const std::string copy = "xfer.copy." + std::to_string(s) + ".img";
            const piece_fn* sink = nullptr;
            chunk_pump::incoming in(pump, s, sz, [&sink](const unsigned char* q, std::size_t k) {
                if (sink != nullptr) (*sink)(q, k);
            });
            std::string bad;
            store.write_durable(copy, [&](const piece_fn& put) {
                sink = &put;
                bad = verify_image(in, sz);
                sink = nullptr;
            }, /*transient=*/true);
            in.drain();
            CHECK(bad.empty());
            // The stored copy is the sender's image: read it back into a buffer.
            file_source f(copy);
            REQUIRE(f.ok());
            CHECK(f.size() == sz);
            state back(s, n, false);
            read_image(f, f.size(), copy, {}, back.bufs);
            CHECK(back.is_of(s));
            std::remove(copy.c_str());
        }
    } else {
        MPI_Send(&mine, 1, MPI_UNSIGNED_LONG_LONG, 0, 2, MPI_COMM_WORLD);
        pump.send_file(0, open_file(path));
        if (r == 1) {
            unsigned long long sz = 0;
            MPI_Recv(&sz, 1, MPI_UNSIGNED_LONG_LONG, 0, 2, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
            state got(0, n, false);
            chunk_pump::incoming in(pump, 0, sz);
            read_image(in, sz, "from 0", {}, got.bufs);
            in.drain();
            CHECK(got.is_of(0));
        }
    }
    CHECK(pump.finish().empty());
    std::remove(path.c_str());
}

TEST_CASE("a damaged image is rejected by the receiver and nobody hangs", "[tier][mpi]") {
    const int r = rank_of();
    const int p = size_of();
    const std::string path = write_own("bad", r, 6000);
    if (r == 1) {  // flip a byte in the middle of the data
        std::FILE* f = std::fopen(path.c_str(), "r+b");
        REQUIRE(f != nullptr);
        std::fseek(f, 24000, SEEK_SET);
        const int c = std::fgetc(f);
        std::fseek(f, 24000, SEEK_SET);
        std::fputc(c ^ 0x10, f);
        std::fclose(f);
    }
    const int to = (r + 1) % p;
    const int from = (r + p - 1) % p;
    unsigned long long mine = open_file(path)->size();
    unsigned long long theirs = 0;
    MPI_Sendrecv(&mine, 1, MPI_UNSIGNED_LONG_LONG, to, 3, &theirs, 1, MPI_UNSIGNED_LONG_LONG, from,
                 3, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    std::vector<unsigned char> sb;
    std::vector<unsigned char> rb;
    chunk_pump pump(MPI_COMM_WORLD, sb, rb, small_chunk);
    pump.send_file(to, open_file(path));
    state got(from, 6000, false);
    chunk_pump::incoming in(pump, from, theirs);
    std::string err;
    try {
        read_image(in, theirs, "copy of rank " + std::to_string(from), {}, got.bufs);
    } catch (const corrupt_error& e) {
        err = e.what();
    }
    in.drain();
    CHECK(pump.finish().empty());
    if (from == 1) {
        CHECK(err.find("checksum mismatch in buffer 'v'") != std::string::npos);
    } else {
        CHECK(err.empty());
        CHECK(got.is_of(from));
    }
    std::remove(path.c_str());
}
