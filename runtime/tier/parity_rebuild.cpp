#include "parity.hpp"

#include "common/error.hpp"
#include "h5/checkpoint_file.hpp"
#include "parity_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <map>

namespace cairn::detail {

namespace {

constexpr int tag_size = 7399;
constexpr int tag_stripe = 7400;  // + stripe number (as in the encoding)

struct fd_guard {
    int fd = -1;
    ~fd_guard() {
        if (fd >= 0) ::close(fd);
    }
};

struct cell {
    int index;  // data cell (< d) or parity cell d + j of the stripe
    int src;    // rank that sends it
};

// What one set needs for a rebuild; the same on every rank.
struct set_plan {
    std::vector<int> lost;  // positions
    std::uint64_t segment = 0;
    std::uint64_t chunk = 0;
    int size_from = -1;  // rank telling the lost members their image sizes
    std::map<int, std::vector<std::vector<cell>>> cells;  // lost position -> [segment] -> cells
};

std::string ranks_text(const std::vector<int>& members, const std::vector<int>& positions) {
    std::vector<int> r;
    for (const int p : positions) r.push_back(members[static_cast<std::size_t>(p)]);
    return rank_ranges(r);
}

}  // namespace

parity_sets::rebuild_result parity_sets::rebuild(const local_store& store, std::uint64_t e,
                                                 const std::vector<int>& have,
                                                 int verbose) {
    rebuild_result res;
    const auto at = [](const std::vector<int>& v, int i) { return v[static_cast<std::size_t>(i)]; };
    const int si = layout_.set_of[static_cast<std::size_t>(rank_)];
    const int pos = si >= 0 ? layout_.position_of[static_cast<std::size_t>(rank_)] : -1;

    // 1. A member of a set that lost someone verifies its parity file.
    std::uint64_t mine[2] = {0, 0};  // segment, chunk (0 = no usable parity here)
    std::vector<std::uint64_t> my_sizes;
    if (si >= 0) {
        const redundancy_set& set = layout_.sets[static_cast<std::size_t>(si)];
        bool needed = false;
        for (const int r : set.members) needed = needed || at(have, r) == 0;
        const std::string path = store.parity_path(e, rank_);
        if (needed && file_source(path).ok()) {  // a lost node has none: nothing to report
            try {
                const parity_head h = verify_parity_file(path);
                if (h.epoch != e || h.nranks != size_ || h.set != si || h.members != set.members ||
                    h.k != k_ || h.position != pos || h.use_xor != xor_) {
                    throw corrupt_error(path + " belongs to another epoch, set or redundancy scheme");
                }
                mine[0] = h.segment;
                mine[1] = h.chunk;
                my_sizes = h.image_sizes;
            } catch (const std::exception& ex) {
                if (verbose >= 1) {
                    std::fprintf(stderr, "cairn: %s: parity share of checkpoint %llu not usable: %s\n",
                                 where().c_str(), static_cast<unsigned long long>(e), ex.what());
                }
            }
        }
    }
    std::vector<std::uint64_t> all(2 * static_cast<std::size_t>(size_));
    check_mpi(MPI_Allgather(mine, 2, MPI_UINT64_T, all.data(), 2, MPI_UINT64_T, comm_),
              "MPI_Allgather");
    const auto seg_of = [&](int r) { return all[2 * static_cast<std::size_t>(r)]; };
    const auto chunk_of = [&](int r) { return all[2 * static_cast<std::size_t>(r) + 1]; };

    // 2. The plan of every set that lost members: d verified cells per stripe of a lost segment,
    // data cells of surviving members first, then parity shares.
    std::map<int, set_plan> plans;
    for (const auto& set : layout_.sets) {
        const int m = static_cast<int>(set.members.size());
        const stripe_map sm{m, k_};
        const int d = sm.data();
        set_plan p;
        for (int q = 0; q < m; ++q) {
            if (at(have, at(set.members, q)) == 0) p.lost.push_back(q);
        }
        if (p.lost.empty()) continue;
        const std::string name = "redundancy set " + std::to_string(set.index) + " (ranks " +
                                 rank_ranges(set.members) + ")";
        std::string why;
        for (const int r : set.members) {
            if (seg_of(r) != 0 && p.segment == 0) {
                p.segment = seg_of(r);
                p.chunk = chunk_of(r);
                p.size_from = r;
            }
        }
        if (static_cast<int>(p.lost.size()) > k_) {
            why = name + " lost " + std::to_string(p.lost.size()) + " of its " + std::to_string(m) +
                  " members (ranks " + ranks_text(set.members, p.lost) + ": no valid own image); " +
                  "its parity rebuilds at most " + std::to_string(k_);
        } else if (p.segment == 0) {
            why = name + ": ranks " + ranks_text(set.members, p.lost) +
                  " have no valid own image and no member has a valid parity share";
        }
        for (const int lp : p.lost) {
            if (!why.empty()) break;
            auto& per_segment = p.cells[lp];
            for (const int s : sm.data_stripes(lp)) {
                std::vector<cell> c;
                const std::vector<int> dm = sm.data_members(s);
                for (int i = 0; i < d; ++i) {
                    const int r = at(set.members, at(dm, i));
                    if (at(have, r) != 0) c.push_back({i, r});
                }
                for (int j = 0; j < k_ && static_cast<int>(c.size()) < d; ++j) {
                    const int r = at(set.members, sm.holder(s, j));
                    if (seg_of(r) == p.segment && chunk_of(r) == p.chunk) c.push_back({d + j, r});
                }
                if (static_cast<int>(c.size()) < d) {
                    why = name + ": stripe " + std::to_string(s) + " keeps " +
                          std::to_string(c.size()) + " of the " + std::to_string(d) +
                          " verified cells needed to rebuild ranks " +
                          ranks_text(set.members, p.lost);
                    break;
                }
                c.resize(static_cast<std::size_t>(d));
                per_segment.push_back(std::move(c));
            }
        }
        if (!why.empty()) {
            for (const int lp : p.lost) res.missing.push_back(at(set.members, lp));
            res.why += (res.why.empty() ? "" : "; ") + why;
            continue;
        }
        std::vector<int> ranks;
        for (const int lp : p.lost) ranks.push_back(at(set.members, lp));
        res.rebuilt.emplace_back(set.index, ranks);
        plans.emplace(set.index, std::move(p));
    }
    // Unprotected ranks without an image are missing too.
    for (int r = 0; r < size_; ++r) {
        if (at(have, r) == 0 && layout_.set_of[static_cast<std::size_t>(r)] < 0) {
            res.missing.push_back(r);
            res.why += std::string(res.why.empty() ? "" : "; ") + "rank " + std::to_string(r) +
                       " is in no redundancy set and has no valid own image";
        }
    }
    std::sort(res.missing.begin(), res.missing.end());
    if (!res.missing.empty() || si < 0) return res;  // the epoch is not usable, or nothing to do
    const auto it = plans.find(si);
    if (it == plans.end()) return res;  // this rank's set is complete
    const set_plan& p = it->second;
    const redundancy_set& set = layout_.sets[static_cast<std::size_t>(si)];
    const int m = static_cast<int>(set.members.size());
    const stripe_map sm{m, k_};
    const int d = sm.data();
    const bool lost = std::find(p.lost.begin(), p.lost.end(), pos) != p.lost.end();

    // 3. The lost members learn the size of their image.
    std::uint64_t my_size = 0;
    {
        std::vector<MPI_Request> reqs;
        if (rank_ == p.size_from) {
            for (const int lp : p.lost) {
                if (lp == pos) {
                    my_size = my_sizes[static_cast<std::size_t>(pos)];
                    continue;
                }
                reqs.emplace_back();
                check_mpi(MPI_Isend(&my_sizes[static_cast<std::size_t>(lp)], 1, MPI_UINT64_T,
                                    at(set.members, lp), tag_size, comm_, &reqs.back()),
                          "MPI_Isend");
            }
        } else if (lost) {
            reqs.emplace_back();
            check_mpi(MPI_Irecv(&my_size, 1, MPI_UINT64_T, p.size_from, tag_size, comm_,
                                &reqs.back()),
                      "MPI_Irecv");
        }
        check_mpi(MPI_Waitall(static_cast<int>(reqs.size()), reqs.data(), MPI_STATUSES_IGNORE),
                  "MPI_Waitall");
    }

    // 4. What this rank sends: its data segments and parity shares that the plan chose.
    struct outgoing {
        int to;
        int stripe;
        int index;  // data cell index or d + j
    };
    std::vector<outgoing> sends;
    for (const auto& [lp, per_segment] : p.cells) {
        if (lp == pos) continue;
        const std::vector<int> stripes = sm.data_stripes(lp);
        for (std::size_t t = 0; t < per_segment.size(); ++t) {
            for (const cell& c : per_segment[t]) {
                if (c.src == rank_) sends.push_back({at(set.members, lp), at(stripes, static_cast<int>(t)), c.index});
            }
        }
    }
    const std::string own = store.own_path(e, rank_);
    const std::string par = store.parity_path(e, rank_);
    fd_guard own_fd;
    fd_guard par_fd;
    std::string err;
    for (const outgoing& o : sends) {
        fd_guard& g = o.index < d ? own_fd : par_fd;
        const std::string& path = o.index < d ? own : par;
        if (g.fd < 0) g.fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        if (g.fd < 0 && err.empty()) err = "cannot open '" + path + "': " + std::strerror(errno);
    }
    parity_head ph;  // the layout of this rank's parity file (offsets of its shares)
    ph.k = k_;
    ph.segment = p.segment;
    ph.chunk = p.chunk;
    ph.members = set.members;
    const std::vector<int> my_data = sm.data_stripes(pos);
    const std::vector<int> my_parity = sm.parity_stripes(pos);

    // 5. The lost members' segments, chunk by chunk: receive d cells per segment, decode.
    std::vector<unsigned char> image;
    std::vector<erasure_code::decoder> dec;
    const erasure_code code(d, k_, xor_);
    std::vector<int> in_stripes;
    if (lost) {
        image.assign(static_cast<std::size_t>(my_size), 0);
        in_stripes = my_data;
        const auto& per_segment = p.cells.at(pos);
        for (std::size_t t = 0; t < per_segment.size(); ++t) {
            std::vector<int> idx;
            for (const cell& c : per_segment[t]) idx.push_back(c.index);
            const std::vector<int> dm = sm.data_members(at(in_stripes, static_cast<int>(t)));
            const int target = static_cast<int>(std::find(dm.begin(), dm.end(), pos) - dm.begin());
            dec.push_back(code.decoder_for(idx, target));
        }
        buffers(recv_, static_cast<std::size_t>(d * d));
        buffers(out_, 1);
    }
    buffers(send_, sends.size());
    std::vector<MPI_Request> reqs;
    for (std::uint64_t c = 0; c < ph.chunks(); ++c) {
        const auto len = static_cast<std::size_t>(ph.chunk_length(c));
        reqs.clear();
        if (lost) {
            const auto& per_segment = p.cells.at(pos);
            for (std::size_t t = 0; t < per_segment.size(); ++t) {
                for (std::size_t i = 0; i < per_segment[t].size(); ++i) {
                    reqs.emplace_back();
                    check_mpi(MPI_Irecv(recv_[t * static_cast<std::size_t>(d) + i].data(),
                                        static_cast<int>(len), MPI_BYTE, per_segment[t][i].src,
                                        tag_stripe + at(in_stripes, static_cast<int>(t)), comm_,
                                        &reqs.back()),
                              "MPI_Irecv");
                }
            }
        }
        for (std::size_t i = 0; i < sends.size(); ++i) {
            const outgoing& o = sends[i];
            unsigned char* buf = send_[i].data();
            try {
                if (!err.empty()) throw std::runtime_error(err);
                if (o.index < d) {
                    const auto t = static_cast<std::uint64_t>(
                        std::find(my_data.begin(), my_data.end(), o.stripe) - my_data.begin());
                    read_padded(own_fd.fd, own, t * p.segment + c * p.chunk, buf, len);
                } else {
                    const auto j = static_cast<int>(
                        std::find(my_parity.begin(), my_parity.end(), o.stripe) - my_parity.begin());
                    read_padded(par_fd.fd, par, ph.offset(c, j), buf, len);
                }
            } catch (const std::exception& ex) {
                if (err.empty()) err = ex.what();
                std::memset(buf, 0, len);  // the receiver's checksums reject the result
            }
            reqs.emplace_back();
            check_mpi(MPI_Isend(buf, static_cast<int>(len), MPI_BYTE, o.to, tag_stripe + o.stripe,
                                comm_, &reqs.back()),
                      "MPI_Isend");
        }
        check_mpi(MPI_Waitall(static_cast<int>(reqs.size()), reqs.data(), MPI_STATUSES_IGNORE),
                  "MPI_Waitall");
        if (!lost) continue;
        for (std::size_t t = 0; t < dec.size(); ++t) {
            std::vector<unsigned char*> src;
            for (int i = 0; i < d; ++i) src.push_back(recv_[t * static_cast<std::size_t>(d) + static_cast<std::size_t>(i)].data());
            dec[t].apply(len, src.data(), out_[0].data());
            const std::uint64_t at_byte = t * p.segment + c * p.chunk;
            if (at_byte < image.size()) {
                const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(len, image.size() - at_byte));
                std::memcpy(image.data() + at_byte, out_[0].data(), n);
            }
        }
    }
    if (!err.empty() && verbose >= 1) {
        std::fprintf(stderr, "cairn: %s: sending a cell for a rebuild: %s\n", where().c_str(),
                     err.c_str());
    }
    if (!lost) return res;

    // 6. The rebuilt image is verified in full (every checksum it carries); the caller loads it.
    const std::string origin = "image of rank " + std::to_string(rank_) +
                               " rebuilt from the parity of redundancy set " + std::to_string(si);
    try {
        rank_image img = parse_image(std::move(image), origin);
        if (img.rank != rank_ || img.meta.epoch != e || img.meta.nranks != size_) {
            throw corrupt_error(origin + " is the image of another rank, epoch or rank count");
        }
        res.image = std::move(img);
    } catch (const std::exception& ex) {
        const std::string what = ex.what();
        res.error = where() + ": " + (what.rfind(origin, 0) == 0 ? what : origin + ": " + what);
    }
    return res;
}

}  // namespace cairn::detail
