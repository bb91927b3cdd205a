// Redundancy sets of the node-local tier (docs/tiers.md): groups of ranks, one per node, whose
// images are protected together by parity. Sets are cut from the nodes so that the nodes of one
// set come from different failure domains (racks, chassis) where possible. Pure code, no MPI.
#pragma once

#include "topology.hpp"

#include <string>
#include <vector>

namespace cairn::detail {

/// One set: its members (ranks on distinct nodes), in the order that numbers their shares.
struct redundancy_set {
    int index = 0;
    std::vector<int> members;
};

/// All sets of a job (same on every rank).
struct set_layout {
    std::vector<redundancy_set> sets;
    std::vector<int> set_of;       ///< [rank] its set, -1 = in no set (unprotected)
    std::vector<int> position_of;  ///< [rank] its index among its set's members
    /// Ranks in no set, ascending.
    [[nodiscard]] std::vector<int> unprotected() const;
};

/// Sets of `set_nodes` nodes (at least `parity` + 1), one rank per node per set: the nodes are
/// ordered round-robin over the failure domains (`domain_of_node`, [node] name; all "" = one
/// domain), cut into groups of `set_nodes` consecutive nodes, the nodes left over joining the
/// first groups one each (fewer nodes than `set_nodes` in all: one group, if it has more than
/// `parity` nodes). In a group, the ranks with local index l on its nodes form one set; a set
/// with no more than `parity` members is dropped (its ranks are unprotected).
set_layout form_sets(const node_table& t, const std::vector<std::string>& domain_of_node,
                     int set_nodes, int parity);

/// Failure domain of a node named `node_name` per the configuration value `spec`: "" = "",
/// "env:NAME" = $NAME of this process ("" if unset), "host:REGEX" = the first group of the
/// first match of REGEX in the node name, or the whole match, or "" if none.
std::string failure_domain(const std::string& spec, const std::string& node_name);

/// "0-3,6,8,9": ranks (ascending), runs of three or more as ranges.
std::string rank_ranges(std::vector<int> ranks);

}  // namespace cairn::detail
