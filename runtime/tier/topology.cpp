#include "topology.hpp"

#include "storage/checksum.hpp"
#include "common/error.hpp"

#include <unistd.h>

#include <algorithm>
#include <climits>
#include <cstdlib>

namespace cairn::detail {

std::vector<int> node_table::ranks_on(int n) const {
    std::vector<int> out;
    for (std::size_t r = 0; r < node_of.size(); ++r) {
        if (node_of[r] == n) out.push_back(static_cast<int>(r));
    }
    return out;
}

int partner_of(const node_table& t, int r, int distance) {
    const int n = t.nodes();
    if (distance <= 0 || n < 2 || distance % n == 0) return -1;
    const int target = (t.node_of[static_cast<std::size_t>(r)] + distance) % n;
    const std::vector<int> ranks = t.ranks_on(target);
    if (ranks.empty()) return -1;
    const auto local = static_cast<std::size_t>(t.local_of[static_cast<std::size_t>(r)]);
    return ranks[local % ranks.size()];
}

std::vector<int> partner_sources(const node_table& t, int r, int distance) {
    std::vector<int> out;
    for (std::size_t s = 0; s < t.node_of.size(); ++s) {
        if (partner_of(t, static_cast<int>(s), distance) == r) out.push_back(static_cast<int>(s));
    }
    return out;
}

std::string own_node_name() {
    const char* slurm = std::getenv("SLURMD_NODENAME");
    if (slurm != nullptr && *slurm != '\0') return slurm;
    char host[HOST_NAME_MAX + 1] = {};
    if (gethostname(host, sizeof host - 1) != 0) return "localhost";
    return host;
}

std::vector<std::string> allgather_strings(MPI_Comm comm, const std::string& mine) {
    int size = 0;
    MPI_Comm_size(comm, &size);
    const int len = static_cast<int>(mine.size());
    std::vector<int> lens(static_cast<std::size_t>(size));
    check_mpi(MPI_Allgather(&len, 1, MPI_INT, lens.data(), 1, MPI_INT, comm), "MPI_Allgather");
    std::vector<int> displs(static_cast<std::size_t>(size), 0);
    for (std::size_t i = 1; i < displs.size(); ++i) displs[i] = displs[i - 1] + lens[i - 1];
    std::string all(static_cast<std::size_t>(displs.back() + lens.back()), '\0');
    check_mpi(MPI_Allgatherv(mine.data(), len, MPI_CHAR, all.data(), lens.data(), displs.data(),
                             MPI_CHAR, comm),
              "MPI_Allgatherv");
    std::vector<std::string> out;
    for (std::size_t i = 0; i < lens.size(); ++i) {
        out.push_back(all.substr(static_cast<std::size_t>(displs[i]),
                                 static_cast<std::size_t>(lens[i])));
    }
    return out;
}

node_table discover_nodes(MPI_Comm comm, int ranks_per_node) {
    int rank = 0;
    int size = 0;
    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &size);
    // A key for "same node": the shared-memory domain (its lowest rank), and the node name.
    int domain = rank;
    std::string name;
    if (ranks_per_node > 0) {
        domain = rank / ranks_per_node;
        name = "node" + std::to_string(domain);
    } else {
        MPI_Comm shm = MPI_COMM_NULL;
        check_mpi(PMPI_Comm_split_type(comm, MPI_COMM_TYPE_SHARED, rank, MPI_INFO_NULL, &shm),
                  "MPI_Comm_split_type");
        int lowest = rank;
        const int rc = MPI_Allreduce(&rank, &lowest, 1, MPI_INT, MPI_MIN, shm);
        PMPI_Comm_free(&shm);
        check_mpi(rc, "MPI_Allreduce");
        domain = lowest;
        name = own_node_name();
    }
    std::vector<int> domains(static_cast<std::size_t>(size));
    check_mpi(MPI_Allgather(&domain, 1, MPI_INT, domains.data(), 1, MPI_INT, comm),
              "MPI_Allgather");
    const std::vector<std::string> names = allgather_strings(comm, name);
    node_table t;
    t.node_of.assign(static_cast<std::size_t>(size), -1);
    t.local_of.assign(static_cast<std::size_t>(size), 0);
    for (int r = 0; r < size; ++r) {
        const auto ur = static_cast<std::size_t>(r);
        if (t.node_of[ur] >= 0) continue;
        const int n = t.nodes();
        int local = 0;
        for (int s = r; s < size; ++s) {
            const auto us = static_cast<std::size_t>(s);
            if (t.node_of[us] < 0 && domains[us] == domains[ur] && names[us] == names[ur]) {
                t.node_of[us] = n;
                t.local_of[us] = local++;
            }
        }
        t.names.push_back(names[ur]);
    }
    // Two domains with one name (several simulated nodes on one host without a per-node name)
    // get distinct directory names.
    const std::vector<std::string> plain = t.names;
    for (std::size_t i = 0; i < t.names.size(); ++i) {
        if (std::count(plain.begin(), plain.end(), plain[i]) > 1) {
            t.names[i] += "-" + std::to_string(i);
        }
    }
    return t;
}

}  // namespace cairn::detail
