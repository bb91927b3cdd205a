#include "sets.hpp"

#include <algorithm>
#include <cstdlib>
#include <map>
#include <regex>

namespace cairn::detail {

std::vector<int> set_layout::unprotected() const {
    std::vector<int> out;
    for (std::size_t r = 0; r < set_of.size(); ++r) {
        if (set_of[r] < 0) out.push_back(static_cast<int>(r));
    }
    return out;
}

namespace {

// Nodes ordered round-robin over their domains (domains in order of first appearance).
std::vector<int> interleave(const std::vector<std::string>& domain_of_node, int nodes) {
    std::vector<std::string> order;
    std::map<std::string, std::vector<int>> by_domain;
    for (int n = 0; n < nodes; ++n) {
        const std::string d =
            static_cast<std::size_t>(n) < domain_of_node.size() ? domain_of_node[static_cast<std::size_t>(n)] : "";
        if (by_domain.find(d) == by_domain.end()) order.push_back(d);
        by_domain[d].push_back(n);
    }
    std::vector<int> out;
    for (std::size_t i = 0; static_cast<int>(out.size()) < nodes; ++i) {
        for (const auto& d : order) {
            const auto& list = by_domain[d];
            if (i < list.size()) out.push_back(list[i]);
        }
    }
    return out;
}

}  // namespace

set_layout form_sets(const node_table& t, const std::vector<std::string>& domain_of_node,
                     int set_nodes, int parity) {
    set_layout out;
    out.set_of.assign(t.node_of.size(), -1);
    out.position_of.assign(t.node_of.size(), -1);
    const int nodes = t.nodes();
    if (set_nodes < 2 || nodes <= parity) return out;
    const std::vector<int> order = interleave(domain_of_node, nodes);
    const int groups = std::max(1, nodes / set_nodes);
    std::vector<std::vector<int>> group(static_cast<std::size_t>(groups));
    for (int i = 0; i < nodes; ++i) {
        const int g = i < groups * set_nodes ? i / set_nodes : (i - groups * set_nodes) % groups;
        group[static_cast<std::size_t>(std::min(g, groups - 1))].push_back(order[static_cast<std::size_t>(i)]);
    }
    for (auto& g : group) {
        std::vector<std::vector<int>> ranks;  // [node of the group] ranks by local index
        std::size_t widest = 0;
        for (const int n : g) {
            ranks.push_back(t.ranks_on(n));
            widest = std::max(widest, ranks.back().size());
        }
        for (std::size_t l = 0; l < widest; ++l) {
            redundancy_set s;
            for (const auto& on_node : ranks) {
                if (l < on_node.size()) s.members.push_back(on_node[l]);
            }
            if (static_cast<int>(s.members.size()) <= parity) continue;
            s.index = static_cast<int>(out.sets.size());
            for (std::size_t p = 0; p < s.members.size(); ++p) {
                const auto r = static_cast<std::size_t>(s.members[p]);
                out.set_of[r] = s.index;
                out.position_of[r] = static_cast<int>(p);
            }
            out.sets.push_back(std::move(s));
        }
    }
    return out;
}

std::string failure_domain(const std::string& spec, const std::string& node_name) {
    if (spec.rfind("env:", 0) == 0) {
        const char* v = std::getenv(spec.substr(4).c_str());
        return v != nullptr ? v : "";
    }
    if (spec.rfind("host:", 0) == 0) {
        const std::regex re(spec.substr(5));
        std::smatch m;
        if (!std::regex_search(node_name, m, re)) return "";
        return m.size() > 1 && m[1].matched ? m[1].str() : m[0].str();
    }
    return "";
}

std::string rank_ranges(std::vector<int> ranks) {
    std::sort(ranks.begin(), ranks.end());
    std::string s;
    for (std::size_t i = 0; i < ranks.size();) {
        std::size_t j = i;
        while (j + 1 < ranks.size() && ranks[j + 1] == ranks[j] + 1) ++j;
        if (j < i + 2) j = i;  // two neighbours are listed, three or more are a range
        s += (s.empty() ? "" : ",") + std::to_string(ranks[i]);
        if (j > i) s += "-" + std::to_string(ranks[j]);
        i = j + 1;
    }
    return s;
}

}  // namespace cairn::detail
