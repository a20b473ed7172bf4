// A write's latency is the sum of the route latencies it travels (CM02: the
// XML latency is the one-way delay). On tests/data/known_latencies.xml every
// leg differs, so each write concern has its own closed form:
//   w:1        client→primary→client
//   w:majority + the round trip to the nearest secondary (the one that makes 2 of 3)
//   w:all      + the round trip to the farthest secondary
// The expected sums come from SimGrid's own routes, not from the test's
// reading of the XML. Fifty writes in a row also pin delivery order: the
// farther secondary's ack of write k is still in flight when write k+1
// arrives, and must not delay it (a SimGrid mailbox would: it delivers in
// send order).
#include <gtest/gtest.h>

#include "experiments/core/experiment.hpp"
#include "experiments/core/report.hpp"

namespace replisim {
namespace latency_test {

// Transfer time of a 164-byte message at 100 GB/s, TCP window aside: ~ns.
constexpr double kToleranceMs = 0.005;

RunConfig known_latencies(const std::string& write_concern)
{
  RunConfig c;
  c.platform = REPLISIM_TEST_DATA "/known_latencies.xml";
  c.rf = 3;
  c.clients = 1;
  c.ops = 50;
  c.set("write-concern", write_concern);
  return c;
}

double rtt_ms(double one_way_s) { return 2 * one_way_s * 1e3; }

void expect_every_write_takes(const Experiment& e, double expected_ms)
{
  ASSERT_EQ(e.metrics().writes_ok, 50u);
  for (double ms : e.metrics().write_ms.sorted())
    EXPECT_NEAR(ms, expected_ms, kToleranceMs);
}

TEST(WriteLatency, WriteConcernOneIsTheClientRoundTrip)
{
  Experiment e(known_latencies("1"));
  e.run();
  const double expected = rtt_ms(e.cluster().latency_client_to_node(0, 0));
  EXPECT_NEAR(expected, 6.0, 1e-9);  // 1 ms + 2 ms, twice
  expect_every_write_takes(e, expected);
}

TEST(WriteLatency, MajorityAddsTheRoundTripToTheNearestSecondary)
{
  Experiment e(known_latencies("majority"));
  e.run();
  const Cluster& c = e.cluster();
  const double nearest = std::min(c.latency_node_to_node(0, 1), c.latency_node_to_node(0, 2));
  const double expected = rtt_ms(c.latency_client_to_node(0, 0)) + rtt_ms(nearest);
  EXPECT_NEAR(expected, 16.0, 1e-9);
  expect_every_write_takes(e, expected);
}

TEST(WriteLatency, AllAddsTheRoundTripToTheFarthestSecondary)
{
  Experiment e(known_latencies("all"));
  e.run();
  const Cluster& c = e.cluster();
  const double farthest = std::max(c.latency_node_to_node(0, 1), c.latency_node_to_node(0, 2));
  const double expected = rtt_ms(c.latency_client_to_node(0, 0)) + rtt_ms(farthest);
  EXPECT_NEAR(expected, 24.0, 1e-9);
  expect_every_write_takes(e, expected);
}

TEST(ReadLatency, NearestReadsGoToTheClosestReplica)
{
  RunConfig config = known_latencies("1");
  config.read_ratio = 1.0;
  config.set("read-from", "nearest");
  Experiment e(config);
  e.run();
  // client0→n0 is 3 ms, →n1 4 ms, →n2 8 ms: the primary is nearest.
  ASSERT_EQ(e.metrics().reads_ok, 50u);
  for (double ms : e.metrics().read_ms.sorted())
    EXPECT_NEAR(ms, rtt_ms(e.cluster().latency_client_to_node(0, 0)), kToleranceMs);
}

TEST(ReadLatency, SecondaryReadsNeverReachThePrimary)
{
  RunConfig config = known_latencies("1");
  config.read_ratio = 1.0;
  config.set("read-from", "secondary");
  Experiment e(config);
  e.run();
  const Cluster& c = e.cluster();
  const double to_n1 = rtt_ms(c.latency_client_to_node(0, 1));  // 8 ms
  const double to_n2 = rtt_ms(c.latency_client_to_node(0, 2));  // 16 ms
  int n1 = 0;
  int n2 = 0;
  for (double ms : e.metrics().read_ms.sorted()) {
    n1 += std::abs(ms - to_n1) < kToleranceMs;
    n2 += std::abs(ms - to_n2) < kToleranceMs;
  }
  EXPECT_EQ(n1 + n2, 50);
  EXPECT_GT(n1, 0);
  EXPECT_GT(n2, 0);
}

TEST(WriteLatency, NoProcessingCostKeepsThePathSum)
{
  RunConfig config = known_latencies("majority");
  config.services = {"all=const:0ms"};
  Experiment e(config);
  e.run();
  const Cluster& c = e.cluster();
  const double nearest = std::min(c.latency_node_to_node(0, 1), c.latency_node_to_node(0, 2));
  expect_every_write_takes(e, rtt_ms(c.latency_client_to_node(0, 0)) + rtt_ms(nearest));
  EXPECT_EQ(summary_value(e.summary(), "write_queued_mean_ms"), "0.000000");
}

// --sync-writes: a node writes each value it takes (value + 4 KiB) to its
// disk before its messages leave. On the generated star every node's disk
// writes 200 MB/s, so one sync write takes (100 + 4096) B / 200 MB/s. Links
// of 0.1 ms and 1 TB/s make transfer times negligible (TCP's window allows
// 10 GB/s), so a write takes its four or eight links plus the disk writes on
// its path.
RunConfig synced_star(const std::string& write_concern)
{
  RunConfig config;
  config.nodes = 3;
  config.clients = 1;
  config.ops = 20;
  config.latency = "0.1ms";
  config.bandwidth = "1TBps";
  config.set("write-concern", write_concern);
  config.sync_writes = true;
  return config;
}

constexpr double kDiskWriteMs = (100.0 + 4096.0) / 200e6 * 1e3;  // 0.02098 ms

TEST(WriteLatency, SyncWritesAddTheLeadersDiskWriteUnderWriteConcernOne)
{
  Experiment e(synced_star("1"));
  e.run();
  for (double ms : e.metrics().write_ms.sorted())
    EXPECT_NEAR(ms, 0.4 + kDiskWriteMs, 1e-4);
}

TEST(WriteLatency, SyncWritesUnderMajorityWaitForThePrimaryAndASecondary)
{
  // The primary writes before replicating, the secondary before acknowledging.
  Experiment e(synced_star("majority"));
  e.run();
  for (double ms : e.metrics().write_ms.sorted())
    EXPECT_NEAR(ms, 0.8 + 2 * kDiskWriteMs, 1e-4);
}

}  // namespace latency_test
}  // namespace replisim
