// Which node each rank runs on, and which rank holds a rank's partner copy.
#pragma once

#include <mpi.h>

#include <string>
#include <vector>

namespace cairn::detail {

/// Node of every rank of the job (same table on every rank).
struct node_table {
    std::vector<int> node_of;      ///< [rank] node index, 0..nodes-1 (ordered by lowest rank)
    std::vector<int> local_of;     ///< [rank] index of the rank among its node's ranks
    std::vector<std::string> names;  ///< [node] node name
    [[nodiscard]] int nodes() const { return static_cast<int>(names.size()); }
    /// Ranks on node n, ascending.
    [[nodiscard]] std::vector<int> ranks_on(int n) const;
};

/// Rank that stores rank r's partner copy: the rank with r's local index on node
/// (node + distance) mod nodes, or local index mod that node's size when the node is smaller.
/// -1 when there is no partner (distance 0, or distance a multiple of the node count).
int partner_of(const node_table& t, int r, int distance);

/// Ranks whose partner copy rank r stores (ascending).
std::vector<int> partner_sources(const node_table& t, int r, int distance);

/// Node name of this process: $SLURMD_NODENAME, else the host name.
std::string own_node_name();

/// Collective over `comm`: every rank's string, by rank. Throws cairn::error.
std::vector<std::string> allgather_strings(MPI_Comm comm, const std::string& mine);

/// Collective over `comm`. `ranks_per_node` > 0 simulates nodes of that many consecutive ranks
/// named node<i> (a testing aid); 0 uses MPI_Comm_split_type(MPI_COMM_TYPE_SHARED) refined by
/// the node name. Throws cairn::error.
node_table discover_nodes(MPI_Comm comm, int ranks_per_node);

}  // namespace cairn::detail
