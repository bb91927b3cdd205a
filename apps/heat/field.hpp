// The distributed temperature field: 2-D Cartesian decomposition, halo exchange, stencil step.
#pragma once

#include <mpi.h>

#include <cstdint>
#include <vector>

namespace heat {

/// One rank's block of the global ny x nx grid, stored with a one-cell halo on every side.
/// The top edge of the global domain is held at 1.0, the other edges at 0.0 (Dirichlet).
class field {
public:
    /// Builds the Cartesian communicator over `comm` (collective) and the initial pattern.
    field(MPI_Comm comm, std::uint64_t nx, std::uint64_t ny);
    ~field();
    field(const field&) = delete;
    field& operator=(const field&) = delete;

    /// Exchanges halo rows and columns with the four neighbours (collective over the grid).
    void exchange_halos();

    /// One explicit Euler step on the interior; returns the largest local change |u' - u|.
    /// The halos must be current (call exchange_halos() first).
    double step();

    /// FNV-1a 64 over the bytes of the whole interior in global row-major order; the result is
    /// valid on rank 0 only (collective: gathers the field to rank 0).
    std::uint64_t checksum() const;

    double* data() { return u_.data(); }               ///< local memory, halo included
    std::uint64_t global_rows() const { return ny_; }  ///< global grid rows
    std::uint64_t global_cols() const { return nx_; }  ///< global grid columns
    std::uint64_t row_offset() const { return oy_; }   ///< first global row of this block
    std::uint64_t col_offset() const { return ox_; }   ///< first global column of this block
    std::uint64_t rows() const { return ly_; }         ///< rows of this block
    std::uint64_t cols() const { return lx_; }         ///< columns of this block
    MPI_Comm comm() const { return cart_; }            ///< the Cartesian communicator
    const int* dims() const { return dims_; }          ///< process grid (rows, columns)

private:
    std::size_t at(std::uint64_t i, std::uint64_t j) const { return i * (lx_ + 2) + j; }

    MPI_Comm cart_ = MPI_COMM_NULL;
    MPI_Datatype column_ = MPI_DATATYPE_NULL;
    int dims_[2] = {0, 0};
    int north_ = MPI_PROC_NULL, south_ = MPI_PROC_NULL, west_ = MPI_PROC_NULL,
        east_ = MPI_PROC_NULL;
    std::uint64_t nx_, ny_;
    std::uint64_t oy_ = 0, ox_ = 0, ly_ = 0, lx_ = 0;
    std::vector<double> u_;     // (ly+2) x (lx+2), the registered state
    std::vector<double> next_;  // scratch for the new interior
};

}  // namespace heat
