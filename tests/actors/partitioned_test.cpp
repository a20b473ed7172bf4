// Kafka-style partitioned leaders on tests/data/known_latencies.xml: three
// nodes, three partitions of rf 3, so each node leads one partition and the
// latency of a write depends on which node leads its partition:
//   acks=1    client→leader→client
//   acks=all  + the round trip to the leader's farther follower
#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>

#include "support/scratch.hpp"
#include "experiments/core/experiment.hpp"

namespace replisim {
namespace partitioned_test {

constexpr double kToleranceMs = 0.005;

RunConfig three_partitions(const std::string& acks)
{
  RunConfig c;
  c.model = "partitioned";
  c.platform = REPLISIM_TEST_DATA "/known_latencies.xml";
  c.rf = 3;
  c.set("units", "3");
  c.set("start-index", "0");
  c.clients = 1;
  c.ops = 60;
  c.set("acks", acks);
  // One directory per test: ctest runs tests in parallel.
  c.out = test::scratch_out();
  return c;
}

double rtt_ms(double one_way_s) { return 2 * one_way_s * 1e3; }

// Every write's latency from ops.csv, with the node that led it.
std::vector<std::pair<NodeId, double>> write_latencies(const std::string& dir)
{
  std::ifstream in(dir + "/ops.csv");
  std::string line;
  std::getline(in, line);
  std::vector<std::pair<NodeId, double>> result;
  while (std::getline(in, line)) {
    std::vector<std::string> f;
    std::stringstream s(line);
    for (std::string x; std::getline(s, x, ',');)
      f.push_back(x);
    if (f.at(2) == "write" && f.at(11) == "ok")
      result.emplace_back(std::stoi(f.at(5)), std::stod(f.at(9)));
  }
  return result;
}

TEST(PartitionedLatency, AcksOneIsTheRoundTripToThePartitionLeader)
{
  Experiment e(three_partitions("1"));
  e.run();
  const auto writes = write_latencies(e.config().out);
  ASSERT_EQ(writes.size(), 60u);
  std::set<NodeId> leaders;
  for (const auto& [leader, ms] : writes) {
    leaders.insert(leader);
    EXPECT_NEAR(ms, rtt_ms(e.cluster().latency_client_to_node(0, leader)), kToleranceMs) << "leader " << leader;
  }
  EXPECT_EQ(leaders.size(), 3u) << "every node leads a partition";
}

TEST(PartitionedLatency, AcksAllAddsTheRoundTripToTheFartherFollower)
{
  Experiment e(three_partitions("all"));
  e.run();
  const Cluster& c = e.cluster();
  for (const auto& [leader, ms] : write_latencies(e.config().out)) {
    double farthest = 0;
    for (NodeId n = 0; n < 3; ++n)
      farthest = std::max(farthest, c.latency_node_to_node(leader, n));
    EXPECT_NEAR(ms, rtt_ms(c.latency_client_to_node(0, leader)) + rtt_ms(farthest), kToleranceMs)
        << "leader " << leader;
  }
  // By hand, leader n0: 6 + 18 ms; n1: 8 + 20 ms; n2: 16 + 20 ms.
}

// More than rf: Kafka would answer every write NotEnoughReplicas, so the run
// is refused before it starts, naming the flag.
TEST(PartitionedLatency, AcksAllRefusesAMinInsyncAboveTheReplicas)
{
  RunConfig config = three_partitions("all");
  config.set("min-insync", "4");
  try {
    Experiment e(config);
    FAIL() << "accepted --min-insync 4 with rf 3";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("--min-insync: 4 is more than --rf 3"), std::string::npos) << e.what();
  }
}

TEST(PartitionedLatency, AcksOneIgnoresMinInsync)
{
  RunConfig config = three_partitions("1");
  config.set("min-insync", "4");
  Experiment e(config);
  e.run();
  EXPECT_EQ(e.metrics().writes_ok, 60u);
}

}  // namespace partitioned_test
}  // namespace replisim
