// Multi-leader replication on the shipped three-datacenter WAN (one leader
// per datacenter: n0 us-east, n3 us-west, n6 eu-west; client0 in us-east,
// client1 in us-west, client2 in eu-west).
#include <gtest/gtest.h>

#include "experiments/core/experiment.hpp"
#include "experiments/core/report.hpp"
#include "protocols/multi_leader/multi_leader.hpp"

namespace replisim {
namespace multi_leader_run_test {

RunConfig wan(int clients, std::uint64_t keys)
{
  RunConfig c;
  c.model = "multi-leader";
  c.platform = REPLISIM_PLATFORMS "/three_dc_wan.xml";
  c.clients = clients;
  c.keys = keys;
  c.ops = 600;
  c.set("write-concern", "1");
  return c;
}

const MultiLeaderNode& leader(const Experiment& e, NodeId n)
{
  return static_cast<const MultiLeaderNode&>(*e.nodes().at(n));
}

TEST(MultiLeader, WritesFromOneZoneNeverConflict)
{
  Experiment e(wan(1, 3));  // client0 only: every write goes to n0
  e.run();
  EXPECT_EQ(e.metrics().writes_ok, 600u);
  EXPECT_EQ(summary_value(e.summary(), "conflicts"), "0");
  EXPECT_EQ(summary_value(e.summary(), "lost_updates"), "0");
  EXPECT_EQ(leader(e, 3).records(), leader(e, 0).records());
}

TEST(MultiLeader, TwoZonesOnOneHotKeyConflictAndConvergeOnTheLastWriterWins)
{
  Experiment e(wan(2, 1));  // us-east and us-west write the one key concurrently
  e.run();  // throws if the leaders end with different data
  EXPECT_GT(std::stoi(summary_value(e.summary(), "conflicts")), 0);
  // The value every leader holds is the write with the largest stamp.
  Version newest = 0;
  for (NodeId l : {0, 3, 6})
    for (const AcceptedWrite& w : leader(e, l).accepted())
      newest = std::max(newest, w.version);
  for (NodeId l : {0, 3, 6})
    EXPECT_EQ(leader(e, l).records().at(0).version, newest) << "leader " << l;
}

// Lag = the one-way latency from the write's leader to the farthest leader,
// counted from the write's commit at its leader, as staleness is (PBS). n6
// (eu-west) is 70.1 ms from n3 (us-west).
TEST(MultiLeader, ConvergenceLagIsTheOneWayLatencyToTheFarthestLeader)
{
  RunConfig config = wan(3, 50);
  Experiment e(config);
  e.run();
  const Cluster& c = e.cluster();
  double farthest = 0;
  for (NodeId l : {0, 3})
    farthest = std::max(farthest, c.latency_node_to_node(6, l));
  const double expected_ms = farthest * 1e3;
  EXPECT_NEAR(expected_ms, 70.1, 1e-6);
  ASSERT_NE(summary_value(e.summary(), "convergence_max_ms"), "");
  // Writes led by eu-west or us-west reach the farthest leader 70.1 ms later.
  // (Plus the sync's transfer time: CM02 caps a flow at TCP-gamma / 2·RTT,
  // about 30 MB/s over 70 ms, so 164 bytes take 5.5 us.)
  constexpr double kToleranceMs = 0.01;
  EXPECT_NEAR(std::stod(summary_value(e.summary(), "convergence_max_ms")), expected_ms, kToleranceMs);
  // us-east's writes have the nearest farthest leader: eu-west, 40.1 ms.
  const double us_east_ms = c.latency_node_to_node(0, 6) * 1e3;
  EXPECT_NEAR(std::stod(summary_value(e.summary(), "convergence_min_ms")), us_east_ms, kToleranceMs);
}

void expect_local_write_latency(double scale)
{
  RunConfig config = wan(3, 50);
  config.latency_scale = scale;
  Experiment e(config);
  e.run();
  const double local_rtt_ms = 2 * e.cluster().latency_client_to_node(0, 0) * 1e3;
  for (double ms : e.metrics().write_ms.sorted())
    EXPECT_NEAR(ms, local_rtt_ms, 0.005);
}

// w:1 is acknowledged by the local leader alone: the WAN does not show.
TEST(MultiLeader, LocalWriteLatencyIsTheClientLeaderRoundTrip) { expect_local_write_latency(1.0); }
TEST(MultiLeader, LocalWriteLatencyIgnoresTheInterDatacenterLatency) { expect_local_write_latency(5.0); }

}  // namespace multi_leader_run_test
}  // namespace replisim
