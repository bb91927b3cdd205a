#include "comm.hpp"

#include "common/error.hpp"

#include <utility>
#include <vector>

namespace cairn::detail {

rank_size rank_and_size(MPI_Comm comm) {
    rank_size r;
    check_mpi(MPI_Comm_rank(comm, &r.rank), "MPI_Comm_rank");
    check_mpi(MPI_Comm_size(comm, &r.size), "MPI_Comm_size");
    return r;
}

bool mpi_active() {
    int init = 0;
    int fin = 0;
    MPI_Initialized(&init);
    MPI_Finalized(&fin);
    return init != 0 && fin == 0;
}

owned_comm::owned_comm(MPI_Comm parent) {
    check_mpi(PMPI_Comm_dup(parent, &comm_), "MPI_Comm_dup");
    MPI_Comm_rank(comm_, &rank_);
    MPI_Comm_size(comm_, &size_);
}

owned_comm::~owned_comm() { release(); }

owned_comm::owned_comm(owned_comm&& o) noexcept
    : comm_(std::exchange(o.comm_, MPI_COMM_NULL)), rank_(o.rank_), size_(o.size_) {}

owned_comm& owned_comm::operator=(owned_comm&& o) noexcept {
    if (this != &o) {
        release();
        comm_ = std::exchange(o.comm_, MPI_COMM_NULL);
        rank_ = o.rank_;
        size_ = o.size_;
    }
    return *this;
}

void owned_comm::release() noexcept {
    if (comm_ != MPI_COMM_NULL && mpi_active()) PMPI_Comm_free(&comm_);
    comm_ = MPI_COMM_NULL;
}

owned_request::~owned_request() {
    if (req_ != MPI_REQUEST_NULL && mpi_active()) MPI_Wait(&req_, MPI_STATUS_IGNORE);
}

bool owned_request::test() {
    if (req_ == MPI_REQUEST_NULL) return true;
    int done = 0;
    check_mpi(MPI_Test(&req_, &done, MPI_STATUS_IGNORE), "MPI_Test");
    return done != 0;
}

void owned_request::wait() {
    if (req_ != MPI_REQUEST_NULL) check_mpi(MPI_Wait(&req_, MPI_STATUS_IGNORE), "MPI_Wait");
}

std::string first_message(MPI_Comm comm, bool has, const std::string& msg) {
    int rank = 0;
    int size = 0;
    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &size);
    int mine = has ? rank : size;
    int first = size;
    check_mpi(MPI_Allreduce(&mine, &first, 1, MPI_INT, MPI_MIN, comm), "MPI_Allreduce");
    if (first == size) return "";
    int len = rank == first ? static_cast<int>(msg.size()) : 0;
    check_mpi(MPI_Bcast(&len, 1, MPI_INT, first, comm), "MPI_Bcast");
    std::vector<char> buf(static_cast<std::size_t>(len));
    if (rank == first) buf.assign(msg.begin(), msg.end());
    if (len > 0) check_mpi(MPI_Bcast(buf.data(), len, MPI_CHAR, first, comm), "MPI_Bcast");
    return {buf.begin(), buf.end()};
}

}  // namespace cairn::detail
