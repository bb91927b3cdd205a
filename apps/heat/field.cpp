#include "field.hpp"

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstring>
#include <stdexcept>
#include <string>

namespace heat {
namespace {

constexpr double alpha = 0.2;  // diffusion number; explicit scheme is stable for <= 0.25
constexpr double hot_edge = 1.0;

void check(int rc, const char* what) {
    if (rc != MPI_SUCCESS) {
        char text[MPI_MAX_ERROR_STRING];
        int len = 0;
        MPI_Error_string(rc, text, &len);
        throw std::runtime_error(std::string(what) + ": " + std::string(text, len));
    }
}

// Block distribution of n points over p parts: part c gets [offset, offset + extent).
void split(std::uint64_t n, int p, int c, std::uint64_t& offset, std::uint64_t& extent) {
    const std::uint64_t base = n / p, rest = n % p, uc = static_cast<std::uint64_t>(c);
    extent = base + (uc < rest ? 1 : 0);
    offset = uc * base + std::min(uc, rest);
}

}  // namespace

field::field(MPI_Comm comm, std::uint64_t nx, std::uint64_t ny) : nx_(nx), ny_(ny) {
    int size = 0;
    check(MPI_Comm_size(comm, &size), "MPI_Comm_size");
    check(MPI_Dims_create(size, 2, dims_), "MPI_Dims_create");
    if (static_cast<std::uint64_t>(dims_[0]) > ny || static_cast<std::uint64_t>(dims_[1]) > nx) {
        throw std::invalid_argument("grid " + std::to_string(ny) + "x" + std::to_string(nx) +
                                    " is too small for a " + std::to_string(dims_[0]) + "x" +
                                    std::to_string(dims_[1]) + " process grid");
    }
    const int periods[2] = {0, 0};
    check(MPI_Cart_create(comm, 2, dims_, periods, 0, &cart_), "MPI_Cart_create");
    int rank = 0, coords[2] = {0, 0};
    check(MPI_Comm_rank(cart_, &rank), "MPI_Comm_rank");
    check(MPI_Cart_coords(cart_, rank, 2, coords), "MPI_Cart_coords");
    check(MPI_Cart_shift(cart_, 0, 1, &north_, &south_), "MPI_Cart_shift");
    check(MPI_Cart_shift(cart_, 1, 1, &west_, &east_), "MPI_Cart_shift");
    split(ny, dims_[0], coords[0], oy_, ly_);
    split(nx, dims_[1], coords[1], ox_, lx_);

    check(
        MPI_Type_vector(static_cast<int>(ly_), 1, static_cast<int>(lx_ + 2), MPI_DOUBLE, &column_),
        "MPI_Type_vector");
    check(MPI_Type_commit(&column_), "MPI_Type_commit");

    u_.assign((ly_ + 2) * (lx_ + 2), 0.0);
    next_.assign(ly_ * lx_, 0.0);
    // Dirichlet edges live in the halo cells at the domain boundary and never change.
    if (north_ == MPI_PROC_NULL) {
        for (std::uint64_t j = 0; j < lx_ + 2; ++j) u_[at(0, j)] = hot_edge;
    }
    // Initial pattern: a warm square in the middle of the domain.
    for (std::uint64_t i = 0; i < ly_; ++i) {
        for (std::uint64_t j = 0; j < lx_; ++j) {
            const std::uint64_t gy = oy_ + i, gx = ox_ + j;
            const bool inside = 4 * gy >= ny && 4 * gy < 3 * ny && 4 * gx >= nx && 4 * gx < 3 * nx;
            u_[at(i + 1, j + 1)] = inside ? 0.5 : 0.0;
        }
    }
}

field::~field() {
    if (column_ != MPI_DATATYPE_NULL) MPI_Type_free(&column_);
    if (cart_ != MPI_COMM_NULL) MPI_Comm_free(&cart_);
}

void field::exchange_halos() {
    // Tags name the direction a message travels, so a receive from the north matches the
    // neighbour's send to the south.
    enum { to_north = 1, to_south, to_west, to_east };
    MPI_Request req[8];
    int n = 0;
    auto pair = [&](int peer, double* halo, double* edge, int count, MPI_Datatype type,
                    int recv_tag, int send_tag) {
        if (peer == MPI_PROC_NULL) return;
        check(MPI_Irecv(halo, count, type, peer, recv_tag, cart_, &req[n++]), "MPI_Irecv");
        check(MPI_Isend(edge, count, type, peer, send_tag, cart_, &req[n++]), "MPI_Isend");
    };
    const int row = static_cast<int>(lx_);
    double* u = u_.data();
    pair(north_, u + at(0, 1), u + at(1, 1), row, MPI_DOUBLE, to_south, to_north);
    pair(south_, u + at(ly_ + 1, 1), u + at(ly_, 1), row, MPI_DOUBLE, to_north, to_south);
    pair(west_, u + at(1, 0), u + at(1, 1), 1, column_, to_east, to_west);
    pair(east_, u + at(1, lx_ + 1), u + at(1, lx_), 1, column_, to_west, to_east);
    check(MPI_Waitall(n, req, MPI_STATUSES_IGNORE), "MPI_Waitall");
}

double field::step() {
    double change = 0.0;
    const double* u = u_.data();
    for (std::uint64_t i = 1; i <= ly_; ++i) {
        for (std::uint64_t j = 1; j <= lx_; ++j) {
            const double c = u[at(i, j)];
            const double sum =
                u[at(i - 1, j)] + u[at(i + 1, j)] + u[at(i, j - 1)] + u[at(i, j + 1)];
            const double v = c + alpha * (sum - 4.0 * c);
            next_[(i - 1) * lx_ + (j - 1)] = v;
            change = std::max(change, std::fabs(v - c));
        }
    }
    for (std::uint64_t i = 0; i < ly_; ++i) {
        std::memcpy(&u_[at(i + 1, 1)], &next_[i * lx_], lx_ * sizeof(double));
    }
    return change;
}

std::uint64_t field::checksum() const {
    int rank = 0, size = 0;
    check(MPI_Comm_rank(cart_, &rank), "MPI_Comm_rank");
    check(MPI_Comm_size(cart_, &size), "MPI_Comm_size");
    if (ny_ * nx_ > static_cast<std::uint64_t>(INT_MAX)) {
        throw std::invalid_argument("checksum: grid too large to gather on rank 0");
    }
    std::vector<double> mine(ly_ * lx_);
    for (std::uint64_t i = 0; i < ly_; ++i) {
        std::memcpy(&mine[i * lx_], &u_[at(i + 1, 1)], lx_ * sizeof(double));
    }
    const unsigned long long box[4] = {oy_, ox_, ly_, lx_};
    std::vector<unsigned long long> boxes(rank == 0 ? std::size_t{4} * size : 0);
    check(MPI_Gather(box, 4, MPI_UNSIGNED_LONG_LONG, boxes.data(), 4, MPI_UNSIGNED_LONG_LONG, 0,
                     cart_),
          "MPI_Gather");
    std::vector<int> counts, displs;
    std::vector<double> all;
    if (rank == 0) {
        counts.resize(size);
        displs.resize(size);
        int total = 0;
        for (int r = 0; r < size; ++r) {
            counts[r] = static_cast<int>(boxes[4 * r + 2] * boxes[4 * r + 3]);
            displs[r] = total;
            total += counts[r];
        }
        all.resize(total);
    }
    check(MPI_Gatherv(mine.data(), static_cast<int>(mine.size()), MPI_DOUBLE, all.data(),
                      counts.data(), displs.data(), MPI_DOUBLE, 0, cart_),
          "MPI_Gatherv");
    if (rank != 0) return 0;

    std::vector<double> global(ny_ * nx_);
    for (int r = 0; r < size; ++r) {
        const std::size_t k = std::size_t{4} * r;
        const std::uint64_t by = boxes[k], bx = boxes[k + 1], bly = boxes[k + 2],
                            blx = boxes[k + 3];
        for (std::uint64_t i = 0; i < bly; ++i) {
            std::memcpy(&global[(by + i) * nx_ + bx], &all[displs[r] + i * blx],
                        blx * sizeof(double));
        }
    }
    std::uint64_t h = 0xcbf29ce484222325ULL;  // FNV-1a 64
    const auto* bytes = reinterpret_cast<const unsigned char*>(global.data());
    for (std::size_t k = 0; k < global.size() * sizeof(double); ++k) {
        h ^= bytes[k];
        h *= 0x100000001b3ULL;
    }
    return h;
}

}  // namespace heat
