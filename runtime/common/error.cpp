#include "common/error.hpp"

#include <mpi.h>
#include <unistd.h>

#include <array>

namespace cairn::detail {

std::string where() {
    std::array<char, 256> host{};
    if (gethostname(host.data(), host.size() - 1) != 0) host[0] = '\0';
    int init = 0;
    int fin = 0;
    MPI_Initialized(&init);
    MPI_Finalized(&fin);
    std::string rank = "?";
    if (init != 0 && fin == 0) {
        int r = 0;
        MPI_Comm_rank(MPI_COMM_WORLD, &r);
        rank = std::to_string(r);
    }
    return "rank " + rank + " on " + host.data();
}

cairn::error make_error(const std::string& what) { return cairn::error(where() + ": " + what); }

std::string mpi_error_text(int code) {
    std::array<char, MPI_MAX_ERROR_STRING> text{};
    int len = 0;
    if (MPI_Error_string(code, text.data(), &len) != MPI_SUCCESS) {
        return "MPI error " + std::to_string(code);
    }
    return {text.data(), static_cast<std::size_t>(len)};
}

void check_mpi(int code, const char* what) {
    if (code != MPI_SUCCESS) throw make_error(std::string(what) + ": " + mpi_error_text(code));
}

}  // namespace cairn::detail
