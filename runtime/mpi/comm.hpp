// Owning MPI communicator and request handles for the runtime's own traffic.
#pragma once

#include <mpi.h>

#include <string>

namespace cairn::detail {

/// Owns a duplicated communicator: created by MPI_Comm_dup, freed by the destructor (unless MPI
/// is already finalized). Never wraps MPI_COMM_WORLD or MPI_COMM_SELF themselves.
class owned_comm {
public:
    owned_comm() = default;
    /// Duplicates `parent` (collective). Throws cairn::error.
    explicit owned_comm(MPI_Comm parent);
    ~owned_comm();
    owned_comm(const owned_comm&) = delete;
    owned_comm& operator=(const owned_comm&) = delete;
    owned_comm(owned_comm&& o) noexcept;
    owned_comm& operator=(owned_comm&& o) noexcept;

    /// The handle (non-owning use only).
    [[nodiscard]] MPI_Comm get() const { return comm_; }
    [[nodiscard]] int rank() const { return rank_; }
    [[nodiscard]] int size() const { return size_; }

private:
    void release() noexcept;
    MPI_Comm comm_ = MPI_COMM_NULL;
    int rank_ = 0;
    int size_ = 0;
};

/// A pending non-blocking operation; the destructor waits for it (it must complete on every rank).
class owned_request {
public:
    owned_request() = default;
    ~owned_request();
    owned_request(const owned_request&) = delete;
    owned_request& operator=(const owned_request&) = delete;

    /// Address to pass to MPI_I* calls.
    MPI_Request* out() { return &req_; }
    [[nodiscard]] bool active() const { return req_ != MPI_REQUEST_NULL; }
    /// MPI_Test; true when complete (or inactive).
    bool test();
    /// MPI_Wait.
    void wait();

private:
    MPI_Request req_ = MPI_REQUEST_NULL;
};

/// This process's rank in a communicator and the communicator's size.
struct rank_size {
    int rank = 0;
    int size = 0;
};

/// MPI_Comm_rank and MPI_Comm_size of `comm`; throws cairn::error on failure.
rank_size rank_and_size(MPI_Comm comm);

/// True while MPI is initialised and not finalised.
bool mpi_active();

/// Collective over `comm`: every rank passes whether it has a message; returns the message of the
/// lowest rank that has one ("" if none has).
std::string first_message(MPI_Comm comm, bool has, const std::string& msg);

}  // namespace cairn::detail
