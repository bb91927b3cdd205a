// Property lists for parallel (MPI-IO) and serial access to checkpoint files.
#pragma once

#include "h5/handles.hpp"

#include <mpi.h>

#include <cstdint>

namespace cairn::detail::h5 {

/// Objects at least this large are aligned to this boundary in the file (file-system stripes).
inline constexpr std::uint64_t alignment_bytes = 1U << 20U;

/// Owner of an MPI_Info (freed in a noexcept destructor).
class mpi_info {
public:
    /// Creates an empty info object.
    mpi_info();
    mpi_info(const mpi_info&) = delete;
    mpi_info& operator=(const mpi_info&) = delete;
    ~mpi_info();
    /// Sets one hint.
    void set(const char* key, const char* value);
    /// The info object (still owned).
    [[nodiscard]] MPI_Info get() const noexcept { return info_; }

private:
    MPI_Info info_ = MPI_INFO_NULL;
};

/// MPI-IO hints for checkpoint files. None are set yet; this is the one place to add them
/// (e.g. romio_cb_write, striping_factor) when tuning for a parallel file system.
void set_io_hints(mpi_info& info);

/// File access list for collective I/O on `comm`: MPI-IO driver with set_io_hints(), collective
/// metadata reads and writes, file format readable by HDF5 1.8+, 1 MiB alignment.
plist parallel_fapl(MPI_Comm comm);

/// File access list for serial tools and the restore's per-rank opens: default (sec2) driver,
/// no MPI.
plist serial_fapl();

/// Transfer list for collective MPI-IO data transfers.
plist collective_dxpl();

}  // namespace cairn::detail::h5
