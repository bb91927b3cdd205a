#include "parity.hpp"

#include "common/error.hpp"
#include "parity_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>
#include <stdexcept>

namespace cairn::detail {

namespace {

constexpr int tag_sizes = 7398;
constexpr int tag_stripe = 7400;  // + stripe number
constexpr std::uint64_t failed = std::numeric_limits<std::uint64_t>::max();

// Closes a file descriptor.
struct fd_guard {
    int fd = -1;
    ~fd_guard() {
        if (fd >= 0) ::close(fd);
    }
};

}  // namespace

void read_padded(int fd, const std::string& path, std::uint64_t off, unsigned char* dst,
                 std::size_t n) {
    std::size_t got = 0;
    while (got < n) {
        const ssize_t r = ::pread(fd, dst + got, n - got, static_cast<off_t>(off + got));
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) throw std::runtime_error("cannot read '" + path + "': " + std::strerror(errno));
        if (r == 0) break;
        got += static_cast<std::size_t>(r);
    }
    std::memset(dst + got, 0, n - got);
}

parity_sets::parity_sets(MPI_Comm comm, set_layout layout, int k, bool use_xor,
                         std::size_t chunk)
    : comm_(comm), layout_(std::move(layout)), k_(k), xor_(use_xor), chunk_(chunk) {
    MPI_Comm_rank(comm_, &rank_);
    MPI_Comm_size(comm_, &size_);
}

std::string parity_sets::describe(const node_table& t) const {
    std::string s;
    for (const auto& set : layout_.sets) {
        s += "\n  set " + std::to_string(set.index) + ": ranks";
        for (const int r : set.members) {
            s += " " + std::to_string(r) + "@" +
                 t.names[static_cast<std::size_t>(t.node_of[static_cast<std::size_t>(r)])];
        }
    }
    return s;
}

void parity_sets::buffers(std::vector<aligned_bytes>& v, std::size_t n) const {
    while (v.size() < n) v.emplace_back(chunk_);
}

std::string parity_sets::encode(const local_store& store, std::uint64_t e, int nranks) {
    const int si = layout_.set_of[static_cast<std::size_t>(rank_)];
    if (si < 0) return "";
    const redundancy_set& set = layout_.sets[static_cast<std::size_t>(si)];
    const int m = static_cast<int>(set.members.size());
    const int pos = layout_.position_of[static_cast<std::size_t>(rank_)];
    const stripe_map sm{m, k_};
    const int d = sm.data();
    std::string err;

    // 1. Image sizes of all members (a member that cannot read its image sends `failed`).
    const std::string own = store.own_path(e, rank_);
    fd_guard f;
    std::uint64_t mine = failed;
    f.fd = ::open(own.c_str(), O_RDONLY | O_CLOEXEC);
    struct stat st {};
    if (f.fd >= 0 && fstat(f.fd, &st) == 0) {
        mine = static_cast<std::uint64_t>(st.st_size);
    } else {
        err = "cannot open '" + own + "': " + std::strerror(errno);
    }
    std::vector<std::uint64_t> sizes(static_cast<std::size_t>(m), 0);
    sizes[static_cast<std::size_t>(pos)] = mine;
    {
        std::vector<MPI_Request> reqs;
        for (int q = 0; q < m; ++q) {
            if (q == pos) continue;
            reqs.emplace_back();
            check_mpi(MPI_Irecv(&sizes[static_cast<std::size_t>(q)], 1, MPI_UINT64_T,
                                set.members[static_cast<std::size_t>(q)], tag_sizes, comm_,
                                &reqs.back()),
                      "MPI_Irecv");
            reqs.emplace_back();
            check_mpi(MPI_Isend(&mine, 1, MPI_UINT64_T, set.members[static_cast<std::size_t>(q)],
                                tag_sizes, comm_, &reqs.back()),
                      "MPI_Isend");
        }
        check_mpi(MPI_Waitall(static_cast<int>(reqs.size()), reqs.data(), MPI_STATUSES_IGNORE),
                  "MPI_Waitall");
    }
    for (int q = 0; q < m && err.empty(); ++q) {
        if (sizes[static_cast<std::size_t>(q)] == failed) {
            err = "rank " + std::to_string(set.members[static_cast<std::size_t>(q)]) +
                  " of redundancy set " + std::to_string(si) + " could not read its image";
        }
    }
    if (!err.empty()) return err;  // every member saw the failure: nobody exchanges data

    // 2. Segment size: the longest image cut into d segments, rounded up to 64 bytes.
    parity_head h;
    h.epoch = e;
    h.nranks = nranks;
    h.set = si;
    h.k = k_;
    h.position = pos;
    h.use_xor = xor_;
    h.members = set.members;
    h.image_sizes = sizes;
    const std::uint64_t longest = *std::max_element(sizes.begin(), sizes.end());
    const auto ud = static_cast<std::uint64_t>(d);
    h.segment = std::max<std::uint64_t>(64, ((longest + ud - 1) / ud + 63) / 64 * 64);
    h.chunk = std::min<std::uint64_t>(h.segment, chunk_);

    // 3. Chunk by chunk: this rank's data segments go to the stripes' parity holders, the data
    // cells of the stripes it holds parity for come in, and its shares are encoded and written.
    // Two sets of chunk buffers: chunk c+1 is in flight while chunk c is encoded and written.
    const std::vector<int> my_data = sm.data_stripes(pos);
    const std::vector<int> my_parity = sm.parity_stripes(pos);
    const auto ud2 = static_cast<std::size_t>(d);
    const auto uk = static_cast<std::size_t>(k_);
    buffers(send_, 2 * ud2);
    buffers(recv_, 2 * uk * ud2);
    buffers(out_, uk);
    const erasure_code code(d, k_, xor_);
    const std::string path = store.parity_path(e, rank_);
    std::string read_err;
    std::string write_err;
    bool exchanged = false;
    std::vector<MPI_Request> reqs[2];
    // Posts chunk c: receives of the data cells, reads and sends of this rank's segments.
    const auto post = [&](std::uint64_t c) {
        const auto len = static_cast<std::size_t>(h.chunk_length(c));
        const std::size_t half = c % 2;
        std::vector<MPI_Request>& r = reqs[half];
        r.clear();
        for (std::size_t j = 0; j < uk; ++j) {
            const int s = my_parity[j];
            const std::vector<int> dm = sm.data_members(s);
            for (std::size_t p = 0; p < ud2; ++p) {
                r.emplace_back();
                check_mpi(MPI_Irecv(recv_[(half * uk + j) * ud2 + p].data(), static_cast<int>(len),
                                    MPI_BYTE, set.members[static_cast<std::size_t>(dm[p])],
                                    tag_stripe + s, comm_, &r.back()),
                          "MPI_Irecv");
            }
        }
        for (std::size_t t = 0; t < ud2; ++t) {
            const int s = my_data[t];
            unsigned char* buf = send_[half * ud2 + t].data();
            try {
                if (read_err.empty()) read_padded(f.fd, own, t * h.segment + c * h.chunk, buf, len);
            } catch (const std::exception& ex) {
                read_err = ex.what();
            }
            if (!read_err.empty()) std::memset(buf, 0, len);
            for (int j = 0; j < k_; ++j) {
                r.emplace_back();
                check_mpi(MPI_Isend(buf, static_cast<int>(len), MPI_BYTE,
                                    set.members[static_cast<std::size_t>(sm.holder(s, j))],
                                    tag_stripe + s, comm_, &r.back()),
                          "MPI_Isend");
            }
        }
    };
    const auto exchange = [&](const piece_fn& put_raw) {
        exchanged = true;
        // A failed write must not stop the exchange: the other members wait for this rank's data.
        const auto put = [&](const unsigned char* p, std::size_t n) {
            if (!write_err.empty()) return;
            try {
                put_raw(p, n);
            } catch (const std::exception& ex) {
                write_err = ex.what();
            }
        };
        {
            const std::vector<unsigned char> head = encode_parity_head(h);
            put(head.data(), head.size());
            parity_hashes sums(h);
            const std::uint64_t n = h.chunks();
            if (n > 0) post(0);
            for (std::uint64_t c = 0; c < n; ++c) {
                if (c + 1 < n) post(c + 1);
                const std::size_t half = c % 2;
                check_mpi(MPI_Waitall(static_cast<int>(reqs[half].size()), reqs[half].data(),
                                      MPI_STATUSES_IGNORE),
                          "MPI_Waitall");
                const auto len = static_cast<std::size_t>(h.chunk_length(c));
                for (std::size_t j = 0; j < uk; ++j) {
                    std::vector<unsigned char*> src;
                    for (std::size_t p = 0; p < ud2; ++p) src.push_back(recv_[(half * uk + j) * ud2 + p].data());
                    unsigned char* dst = out_[j].data();
                    code.encode(static_cast<int>(j), len, src.data(), dst);
                    sums.add(static_cast<int>(j), dst, len);
                    put(dst, len);
                }
            }
            if (!read_err.empty()) throw std::runtime_error(read_err);  // after the exchange
            if (!write_err.empty()) throw std::runtime_error(write_err);
            const std::vector<unsigned char> tail = sums.trailer();
            put(tail.data(), tail.size());
            if (!write_err.empty()) throw std::runtime_error(write_err);  // no file is kept
        }
    };
    try {
        store.write_durable(path, exchange, /*transient=*/true);
    } catch (const std::exception& ex) {
        err = ex.what();
    }
    if (!exchanged) {  // the file could not be created: the set still needs this rank's data
        try {
            exchange([](const unsigned char*, std::size_t) {});
        } catch (const std::exception&) {  // err says why this rank failed
        }
    }
    return err;
}

}  // namespace cairn::detail
