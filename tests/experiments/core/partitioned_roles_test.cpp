// The article's observation, as role-graph figures: with partitions spread
// over all nodes (Kafka), leader = primary for every unit but every node is
// leader of some units and follower of others; MongoDB-style replica sets keep
// one role per node.
#include <gtest/gtest.h>

#include "experiments/core/role_graph.hpp"
#include "protocols/kafka/kafka_assignment.hpp"

namespace replisim {
namespace partitioned_roles_test {


TEST(PartitionedRoles, UnitsAMultipleOfNodesGiveEveryNodeTheSameLeaderCount)
{
  for (int nodes : {3, 5, 6, 9})
    for (int multiple : {1, 2, 4})
      for (int start = 0; start < nodes; ++start) {
        const Placement p = kafka_placement(nodes, nodes * multiple, 3, start);
        const RoleGraph g(p, p.primaries());
        for (const NodeRoles& r : g.per_node())
          EXPECT_EQ(r.leader_units, multiple) << nodes << " nodes, start " << start;
        EXPECT_DOUBLE_EQ(g.summary().leader_imbalance, 1.0);
      }
}

TEST(PartitionedRoles, EveryNodeIsMixedWhenUnitsAtLeastNodesAndRfAtLeastTwo)
{
  for (int nodes : {2, 4, 6, 12})
    for (int rf = 2; rf <= std::min(nodes, 4); ++rf)
      for (int units : {nodes, nodes + 1, 2 * nodes + 3}) {
        const Placement p = kafka_placement(nodes, units, rf, 1 % nodes);
        const RoleGraph g(p, p.primaries());
        EXPECT_EQ(g.summary().mixed_role_nodes, nodes) << nodes << " nodes, rf " << rf << ", " << units << " units";
        EXPECT_FALSE(g.summary().one_to_one);
        EXPECT_EQ(describe_mapping(g.summary(), g.per_node()).rfind("many-to-many", 0), 0u);
      }
}

TEST(PartitionedRoles, LeaderFollowerWithTheSameNodesHasNoMixedNode)
{
  for (int nodes : {3, 6, 12}) {
    const Placement p = leader_follower_placement(nodes, 3);
    const RoleGraph g(p, p.primaries());
    EXPECT_EQ(g.summary().mixed_role_nodes, 0);
    EXPECT_TRUE(g.summary().one_to_one);
  }
}

TEST(PartitionedRoles, SixNodesTwelveUnitsRfThree)
{
  const Placement p = kafka_placement(6, 12, 3, 0);
  for (const NodeRoles& r : RoleGraph(p, p.primaries()).per_node()) {
    EXPECT_EQ(r.primary_units, 2);
    EXPECT_EQ(r.replica_units, 4);
    EXPECT_EQ(r.leader_units, 2);
    EXPECT_EQ(r.follower_units, 4);
  }
}

}  // namespace partitioned_roles_test
}  // namespace replisim
