// The role report of a whole run: MongoDB-style leader-follower maps roles
// one-to-one onto nodes.
#include <gtest/gtest.h>

#include "experiments/core/experiment.hpp"
#include "experiments/core/report.hpp"
#include "experiments/core/role_graph.hpp"

namespace replisim {
namespace roles_run_test {


TEST(LeaderFollowerRun, NineNodesRfThreeGiveThreePrimariesAndSixReplicas)
{
  RunConfig config;
  config.nodes = 9;
  config.rf = 3;
  config.ops = 600;
  config.set("write-concern", "all");  // every secondary has applied every acknowledged write
  Experiment e(config);
  e.run();

  const auto roles = e.role_graph().per_node();
  ASSERT_EQ(roles.size(), 9u);
  std::uint64_t led = 0;
  for (NodeId n = 0; n < 9; ++n) {
    const bool primary = n % 3 == 0;
    EXPECT_EQ(roles[n].primary_units, primary ? 1 : 0) << "node " << n;
    EXPECT_EQ(roles[n].replica_units, primary ? 0 : 1) << "node " << n;
    EXPECT_FALSE(roles[n].mixed());
    const auto& counters = e.nodes()[n]->counters();
    if (primary) {
      EXPECT_GT(counters.writes_led, 0u);
      EXPECT_EQ(counters.writes_replicated, 0u);
      // Each secondary applied exactly what its primary led.
      EXPECT_EQ(e.nodes()[n + 1]->counters().writes_replicated, counters.writes_led);
      EXPECT_EQ(e.nodes()[n + 2]->counters().writes_replicated, counters.writes_led);
    } else {
      EXPECT_EQ(counters.writes_led, 0u);
    }
    led += counters.writes_led;
  }
  EXPECT_EQ(led, 600u);
  EXPECT_EQ(summary_value(e.summary(), "leader_is_primary_fraction"), "1.000000");
  EXPECT_EQ(summary_value(e.summary(), "mixed_role_nodes"), "0");
  EXPECT_EQ(summary_value(e.summary(), "writes_ok"), "600");
  EXPECT_EQ(summary_value(e.summary(), "msgs_per_write"), "6.000000");  // request, 2 replicates, 2 acks, reply
  EXPECT_TRUE(e.role_graph().summary().one_to_one);
}

TEST(LeaderFollowerRun, PlatformNodesFollowTheFileOrder)
{
  RunConfig config;
  config.platform = REPLISIM_PLATFORMS "/three_dc_wan.xml";
  config.rf = 3;
  config.ops = 30;
  Experiment e(config);
  const auto& nodes = e.cluster().nodes();
  ASSERT_EQ(nodes.size(), 9u);
  for (int i = 0; i < 9; ++i)
    EXPECT_EQ(nodes[i].name, "n" + std::to_string(i));
  EXPECT_EQ(nodes[0].zone, "us-east");
  EXPECT_EQ(nodes[3].zone, "us-west");
  EXPECT_EQ(nodes[8].zone, "eu-west");
  for (int c = 0; c < 3; ++c)  // clients round-robin over the client hosts, in file order
    EXPECT_EQ(e.cluster().host_of_client(c).name, "client" + std::to_string(c));
}

}  // namespace roles_run_test
}  // namespace replisim
