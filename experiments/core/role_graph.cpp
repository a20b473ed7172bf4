#include "experiments/core/role_graph.hpp"

#include <algorithm>
#include <cmath>
#include <ostream>

#include <boost/graph/graphviz.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>

namespace replisim {

namespace {
bool holds(const std::vector<NodeId>& nodes, NodeId n) { return std::find(nodes.begin(), nodes.end(), n) != nodes.end(); }
}  // namespace

RoleGraph::RoleGraph(const Placement& placement, const std::vector<std::vector<NodeId>>& primaries,
                     const std::vector<std::vector<NodeId>>& leaders)
    : nodes_(placement.node_count()), units_(placement.unit_count()), graph_(nodes_ + units_)
{
  for (UnitId u = 0; u < units_; ++u)
    for (NodeId n : placement.replicas(u))
      boost::add_edge(n, nodes_ + u, RoleEdge{holds(primaries.at(u), n), holds(leaders.at(u), n)}, graph_);
}

RoleGraph::RoleGraph(const Placement& placement, const std::vector<NodeId>& leaders)
    : RoleGraph(placement, one_per_unit(placement, {}), one_per_unit(placement, leaders))
{
}

std::vector<std::vector<NodeId>> RoleGraph::one_per_unit(const Placement& placement, const std::vector<NodeId>& nodes)
{
  std::vector<std::vector<NodeId>> sets;
  for (UnitId u = 0; u < placement.unit_count(); ++u) {
    const NodeId n = nodes.empty() ? placement.primary(u) : nodes.at(u);
    sets.push_back(n == kNoNode ? std::vector<NodeId>{} : std::vector<NodeId>{n});
  }
  return sets;
}

std::vector<NodeRoles> RoleGraph::per_node() const
{
  std::vector<NodeRoles> roles(static_cast<std::size_t>(nodes_));
  for (int n = 0; n < nodes_; ++n) {
    NodeRoles& r = roles[static_cast<std::size_t>(n)];
    for (auto [e, end] = boost::out_edges(n, graph_); e != end; ++e) {
      const RoleEdge& edge = graph_[*e];
      ++(edge.primary ? r.primary_units : r.replica_units);
      ++(edge.leader ? r.leader_units : r.follower_units);
    }
  }
  return roles;
}

RoleSummary RoleGraph::summary() const
{
  const auto roles = per_node();
  RoleSummary s;
  s.mixed_role_nodes = static_cast<int>(std::count_if(roles.begin(), roles.end(), [](auto& r) { return r.mixed(); }));
  const auto [lo, hi] = std::minmax_element(roles.begin(), roles.end(),
                                            [](auto& a, auto& b) { return a.leader_units < b.leader_units; });
  s.min_leader_units = lo->leader_units;
  s.max_leader_units = hi->leader_units;
  int total = 0;
  for (const auto& r : roles)
    total += r.leader_units;
  // Undefined (NaN, an empty cell) when no node leads a unit.
  s.leader_imbalance =
      total == 0 ? std::nan("") : s.max_leader_units / (static_cast<double>(total) / nodes_);
  for (int u = 0; u < units_; ++u) {
    int leaders = 0;
    for (auto [e, end] = boost::out_edges(nodes_ + u, graph_); e != end; ++e)
      leaders += graph_[*e].leader ? 1 : 0;
    s.max_leaders_per_unit = std::max(s.max_leaders_per_unit, leaders);
  }
  s.one_to_one = std::all_of(roles.begin(), roles.end(), [](auto& r) { return r.primary_units + r.replica_units <= 1; });
  return s;
}

void RoleGraph::write_dot(std::ostream& out, const std::vector<std::string>& node_names) const
{
  auto vertex_label = [&](std::ostream& os, std::size_t v) {
    const int i = static_cast<int>(v);
    if (i < nodes_)
      os << fmt::format("[label=\"{}\", shape=box]", node_names.at(v));
    else
      os << fmt::format("[label=\"unit {}\", shape=ellipse]", i - nodes_);
  };
  auto edge_label = [&](std::ostream& os, const Graph::edge_descriptor& e) {
    const RoleEdge& r = graph_[e];
    os << fmt::format("[label=\"{}/{}\", style={}]", r.primary ? "primary" : "replica", r.leader ? "leader" : "follower",
                      r.leader ? "bold" : "dashed");
  };
  boost::write_graphviz(out, graph_, vertex_label, edge_label);
}

std::string describe_roles(const NodeRoles& r)
{
  const auto units = [](int n) { return fmt::format("{} unit{}", n, n == 1 ? "" : "s"); };
  std::vector<std::string> parts;
  if (r.primary_units > 0 && r.primary_units == r.leader_units)
    parts.push_back("primary and leader of " + units(r.primary_units));
  else {
    if (r.primary_units > 0)
      parts.push_back("primary of " + units(r.primary_units));
    if (r.leader_units > 0)
      parts.push_back("leader of " + units(r.leader_units));
  }
  if (r.replica_units > 0 && r.replica_units == r.follower_units && r.leader_units > 0)
    parts.push_back(fmt::format("follower of {}", r.follower_units));
  else if (r.replica_units > 0)
    parts.push_back("replica of " + units(r.replica_units));
  return parts.empty() ? "no unit" : fmt::format("{}", fmt::join(parts, ", "));
}

std::string describe_mapping(const RoleSummary& summary, const std::vector<NodeRoles>& roles)
{
  const auto count = [&](auto pred) { return std::count_if(roles.begin(), roles.end(), pred); };
  const auto primaries = count([](auto& r) { return r.primary_units > 0; });
  const auto replicas = count([](auto& r) { return r.replica_units > 0; });
  if (summary.max_leaders_per_unit > 1)
    return fmt::format("multi-leader: {} leaders share each unit ({} nodes lead, {} follow)",
                       summary.max_leaders_per_unit, count([](auto& r) { return r.leader_units > 0; }),
                       count([](auto& r) { return r.leader_units == 0 && r.follower_units > 0; }));
  if (summary.one_to_one)
    return fmt::format("one-to-one: every node holds one role ({} primaries, {} replicas, {} idle)", primaries,
                       replicas, count([](auto& r) { return r.primary_units + r.replica_units == 0; }));
  return fmt::format("many-to-many: {} of {} nodes are primary for some units and replica for others",
                     summary.mixed_role_nodes, roles.size());
}

}  // namespace replisim
