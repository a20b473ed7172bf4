// The unit–node role graph: a bipartite graph with an edge from each node to
// each unit it holds, labelled with the storage role (primary or replica) and
// the write role (leader or follower) the node has for that unit. Every
// per-node role figure of roles.csv and summary.csv is read off this graph.
#pragma once
#include <iosfwd>
#include <string>
#include <vector>

#include <boost/graph/adjacency_list.hpp>

#include "protocols/common/placement.hpp"

namespace replisim {

struct RoleEdge {
  bool primary = false;  // storage role: the unit's authoritative copy
  bool leader = false;   // write role: the node orders the unit's writes
};

struct NodeRoles {
  int primary_units = 0;
  int replica_units = 0;  // units held as a non-primary copy
  int leader_units = 0;
  int follower_units = 0;
  bool mixed() const { return primary_units > 0 && replica_units > 0; }
};

struct RoleSummary {
  int mixed_role_nodes = 0;
  int max_leader_units = 0;
  int min_leader_units = 0;
  double leader_imbalance = 0;  // max leader units of a node / mean; NaN when no node leads
  bool one_to_one = false;      // every node holds at most one unit, in one role
  int max_leaders_per_unit = 0;
};

class RoleGraph {
public:
  // leaders[u]: the node leading unit u now (the primary, until a failover;
  // kNoNode when the unit has no leader); each unit's primary is the placement's.
  RoleGraph(const Placement& placement, const std::vector<NodeId>& leaders);
  // Several primaries or leaders per unit (multi-leader), or none.
  RoleGraph(const Placement& placement, const std::vector<std::vector<NodeId>>& primaries,
            const std::vector<std::vector<NodeId>>& leaders);

  std::vector<NodeRoles> per_node() const;
  RoleSummary summary() const;
  void write_dot(std::ostream& out, const std::vector<std::string>& node_names) const;

private:
  // {nodes[u]} per unit ({placement's primary} when `nodes` is empty; {} for kNoNode).
  static std::vector<std::vector<NodeId>> one_per_unit(const Placement& placement, const std::vector<NodeId>& nodes);

  using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::undirectedS, boost::no_property, RoleEdge>;
  int nodes_;
  int units_;
  Graph graph_;  // vertices [0, nodes) are nodes, [nodes, nodes + units) units
};

// A node's roles in a few words: "primary and leader of 1 unit",
// "leader of 2 units, follower of 4", "replica of 6 units".
std::string describe_roles(const NodeRoles& roles);

// One line for the terminal: how units map onto nodes.
std::string describe_mapping(const RoleSummary& summary, const std::vector<NodeRoles>& roles);

}  // namespace replisim
