// The unit–node role graph: per-node role counts, the summary figures of
// summary.csv, the one-line description and the Graphviz export.
#include "experiments/core/role_graph.hpp"

#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "protocols/common/placement.hpp"

namespace replisim {
namespace role_graph_test {


// Three nodes, three units, each node primary of one unit and replica of the
// next: partitioned leaders in miniature.
Placement ring_of_three() { return Placement(3, {{0, 1}, {1, 2}, {2, 0}}); }

int occurrences(const std::string& text, const std::string& part)
{
  int n = 0;
  for (auto at = text.find(part); at != std::string::npos; at = text.find(part, at + part.size()))
    ++n;
  return n;
}

TEST(RoleGraph, LeaderFollowerPrimariesLeadTheirShard)
{
  const Placement p = leader_follower_placement(9, 3);
  const auto roles = RoleGraph(p, p.primaries()).per_node();
  ASSERT_EQ(roles.size(), 9u);
  for (NodeId n : {0, 3, 6}) {
    EXPECT_EQ(roles[n].primary_units, 1) << "node " << n;
    EXPECT_EQ(roles[n].replica_units, 0) << "node " << n;
    EXPECT_EQ(roles[n].leader_units, 1) << "node " << n;
    EXPECT_EQ(roles[n].follower_units, 0) << "node " << n;
  }
}

TEST(RoleGraph, LeaderFollowerSecondariesReplicateAndFollow)
{
  const Placement p = leader_follower_placement(9, 3);
  const auto roles = RoleGraph(p, p.primaries()).per_node();
  for (NodeId n : {1, 2, 4, 5, 7, 8}) {
    EXPECT_EQ(roles[n].primary_units, 0) << "node " << n;
    EXPECT_EQ(roles[n].replica_units, 1) << "node " << n;
    EXPECT_EQ(roles[n].leader_units, 0) << "node " << n;
    EXPECT_EQ(roles[n].follower_units, 1) << "node " << n;
  }
}

TEST(RoleGraph, LeaderFollowerIsOneToOneWithNoMixedNodes)
{
  const Placement p = leader_follower_placement(9, 3);
  const RoleSummary s = RoleGraph(p, p.primaries()).summary();
  EXPECT_EQ(s.mixed_role_nodes, 0);
  EXPECT_TRUE(s.one_to_one);
  EXPECT_EQ(s.max_leader_units, 1);
  EXPECT_EQ(s.min_leader_units, 0);
  // 3 leader units over 9 nodes: mean 1/3, and the busiest node leads 1.
  EXPECT_EQ(s.leader_imbalance, 3.0);
}

TEST(RoleGraph, NodeOutsideEveryReplicaSetHoldsNoRole)
{
  const Placement p = leader_follower_placement(10, 3);
  const RoleGraph graph(p, p.primaries());
  const auto roles = graph.per_node();
  ASSERT_EQ(roles.size(), 10u);
  EXPECT_EQ(roles[9].primary_units + roles[9].replica_units + roles[9].leader_units + roles[9].follower_units, 0);
  EXPECT_TRUE(graph.summary().one_to_one);
  // 3 leader units over 10 nodes: mean 0.3.
  EXPECT_DOUBLE_EQ(graph.summary().leader_imbalance, 1 / 0.3);
}

TEST(RoleGraph, ManyToManyMakesEveryNodeMixed)
{
  const Placement p = ring_of_three();
  const RoleGraph graph(p, p.primaries());
  for (const NodeRoles& r : graph.per_node()) {
    EXPECT_EQ(r.primary_units, 1);
    EXPECT_EQ(r.replica_units, 1);
    EXPECT_EQ(r.leader_units, 1);
    EXPECT_EQ(r.follower_units, 1);
    EXPECT_TRUE(r.mixed());
  }
  const RoleSummary s = graph.summary();
  EXPECT_EQ(s.mixed_role_nodes, 3);
  EXPECT_FALSE(s.one_to_one);
  EXPECT_EQ(s.max_leader_units, 1);
  EXPECT_EQ(s.min_leader_units, 1);
  EXPECT_EQ(s.leader_imbalance, 1.0);
}

TEST(RoleGraph, LeadersOtherThanPrimariesMoveLeaderUnitsOnly)
{
  // After a failover node 1 leads units 0 and 1; primaries are unchanged.
  const Placement p = ring_of_three();
  const RoleGraph graph(p, {1, 1, 2});
  const auto roles = graph.per_node();
  const int primary[] = {1, 1, 1}, replica[] = {1, 1, 1}, leader[] = {0, 2, 1}, follower[] = {2, 0, 1};
  for (std::size_t n = 0; n < 3; ++n) {
    EXPECT_EQ(roles[n].primary_units, primary[n]) << "node " << n;
    EXPECT_EQ(roles[n].replica_units, replica[n]) << "node " << n;
    EXPECT_EQ(roles[n].leader_units, leader[n]) << "node " << n;
    EXPECT_EQ(roles[n].follower_units, follower[n]) << "node " << n;
  }
  const RoleSummary s = graph.summary();
  EXPECT_EQ(s.mixed_role_nodes, 3);
  EXPECT_EQ(s.max_leader_units, 2);
  EXPECT_EQ(s.min_leader_units, 0);
  EXPECT_EQ(s.leader_imbalance, 2.0);
}

TEST(DescribeMapping, LeaderFollowerIsOneToOne)
{
  const Placement p = leader_follower_placement(10, 3);
  const RoleGraph graph(p, p.primaries());
  EXPECT_EQ(describe_mapping(graph.summary(), graph.per_node()),
            "one-to-one: every node holds one role (3 primaries, 6 replicas, 1 idle)");
}

TEST(DescribeMapping, PartitionedLeadersAreManyToMany)
{
  const Placement p = ring_of_three();
  const RoleGraph graph(p, p.primaries());
  const std::string text = describe_mapping(graph.summary(), graph.per_node());
  EXPECT_EQ(text.rfind("many-to-many", 0), 0u) << text;
  EXPECT_EQ(text, "many-to-many: 3 of 3 nodes are primary for some units and replica for others");
}

TEST(WriteDot, ListsEveryNodeAndLabelsEveryEdgeWithBothRoles)
{
  const Placement p = leader_follower_placement(9, 3);
  std::vector<std::string> names;
  for (int n = 0; n < 9; ++n)
    names.push_back("node-" + std::to_string(n));
  std::ostringstream out;
  RoleGraph(p, p.primaries()).write_dot(out, names);
  const std::string dot = out.str();

  EXPECT_NE(dot.find("graph"), std::string::npos) << dot;
  for (const auto& name : names)
    EXPECT_EQ(occurrences(dot, "\"" + name + "\""), 1) << name << "\n" << dot;
  for (int u = 0; u < 3; ++u)
    EXPECT_EQ(occurrences(dot, "\"unit " + std::to_string(u) + "\""), 1) << dot;
  // One edge per replica: the 3 primaries lead, the 6 secondaries follow.
  EXPECT_EQ(occurrences(dot, "primary/leader"), 3) << dot;
  EXPECT_EQ(occurrences(dot, "replica/follower"), 6) << dot;
  EXPECT_EQ(occurrences(dot, "primary/follower") + occurrences(dot, "replica/leader"), 0) << dot;
}

TEST(WriteDot, MarksALeaderThatIsNotThePrimary)
{
  const Placement p = ring_of_three();
  std::ostringstream out;
  RoleGraph(p, {1, 1, 2}).write_dot(out, {"a", "b", "c"});
  const std::string dot = out.str();
  // Unit 0: node 0 primary/follower, node 1 replica/leader; unit 1: node 1
  // primary/leader, node 2 replica/follower; unit 2: node 2 primary/leader,
  // node 0 replica/follower.
  EXPECT_EQ(occurrences(dot, "primary/leader"), 2) << dot;
  EXPECT_EQ(occurrences(dot, "primary/follower"), 1) << dot;
  EXPECT_EQ(occurrences(dot, "replica/leader"), 1) << dot;
  EXPECT_EQ(occurrences(dot, "replica/follower"), 2) << dot;
}

}  // namespace role_graph_test
}  // namespace replisim
