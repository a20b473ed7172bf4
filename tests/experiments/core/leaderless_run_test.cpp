// Leaderless (Cassandra/Dynamo) runs: the quorum-intersection guarantee, the
// staleness of small quorums, who coordinates, Unavailable, the replicas a
// read asks, and the flags whose meaning changed.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <sstream>

#include "support/scratch.hpp"
#include "experiments/core/experiment.hpp"

namespace replisim {
namespace leaderless_run_test {

RunConfig leaderless(const std::string& write_level, const std::string& read_level)
{
  RunConfig c;
  c.model = "leaderless";
  c.nodes = 6;
  c.rf = 3;
  c.clients = 4;
  c.concurrency = 2;
  c.ops = 4000;
  c.read_ratio = 0.5;
  c.keys = 20;  // contention: reads often follow a write of their key closely
  c.latency = "1ms";
  c.set("consistency", write_level);
  c.set("read-consistency", read_level);
  return c;
}

// R + W > RF: every read quorum meets the write quorum of every write
// acknowledged before the read began, so no read is stale, however the
// messages are delayed. (One simulation per test: one engine per process.)
void expect_no_stale_read(const std::string& write_level, const std::string& read_level)
{
  RunConfig config = leaderless(write_level, read_level);
  config.delays = {"all=exp:5ms", "write=pareto:1ms:1.5"};
  Experiment e(config);
  e.run();
  EXPECT_GT(e.metrics().reads_ok, 1500u);
  EXPECT_EQ(e.metrics().stale_reads, 0u);
}

TEST(LeaderlessStaleness, QuorumWritesAndReadsNeverReadStale) { expect_no_stale_read("QUORUM", "QUORUM"); }
TEST(LeaderlessStaleness, AllWritesAndOneReadsNeverReadStale) { expect_no_stale_read("ALL", "ONE"); }
TEST(LeaderlessStaleness, OneWritesAndAllReadsNeverReadStale) { expect_no_stale_read("ONE", "ALL"); }

TEST(LeaderlessStaleness, OneAndOneReadStaleWhenWritesAreSlowToReplicate)
{
  RunConfig config = leaderless("ONE", "ONE");
  config.delays = {"write=exp:20ms"};
  Experiment e(config);
  e.run();
  EXPECT_GT(e.metrics().stale_reads, 20u);
  EXPECT_GT(e.metrics().stale_versions_behind, 0u);
}

// With a random coordinator among N nodes, the coordinator is the range's
// primary with probability 1/N. 6,000 writes over 10 nodes: the share's
// standard deviation is sqrt(0.1 * 0.9 / 6000) = 0.0039; allow 5 of them.
TEST(LeaderlessCoordinators, RandomCoordinatorIsThePrimaryOneTimeInN)
{
  RunConfig config = leaderless("ONE", "ONE");
  config.nodes = 10;
  config.ops = 6000;
  config.read_ratio = 0;
  config.keys = 100000;
  Experiment e(config);
  e.run();
  const double share = static_cast<double>(e.metrics().writes_led_by_primary) / static_cast<double>(e.metrics().writes_ok);
  EXPECT_NEAR(share, 0.1, 5 * std::sqrt(0.1 * 0.9 / 6000));
}

TEST(LeaderlessCoordinators, TokenAwareCoordinatorsAreAlwaysReplicas)
{
  RunConfig config = leaderless("QUORUM", "QUORUM");
  config.nodes = 9;
  config.set("coordinator", "token-aware");
  config.ops = 2000;
  config.keys = 100000;
  config.out = test::scratch_out();
  Experiment e(config);
  e.run();
  std::ifstream ops(config.out + "/ops.csv");
  std::string line;
  std::getline(ops, line);
  int rows = 0;
  while (std::getline(ops, line)) {
    std::vector<std::string> f;
    std::stringstream s(line);
    for (std::string x; std::getline(s, x, ',');)
      f.push_back(x);
    const UnitId unit = std::stoi(f.at(4));
    const NodeId coordinator = std::stoi(f.at(5));
    EXPECT_TRUE(e.placement().is_replica(unit, coordinator)) << line;
    ++rows;
  }
  EXPECT_EQ(rows, 2000);
}

// Three nodes, rf 3: every range has a replica on the host that is down.
RunConfig one_host_down(const std::string& level)
{
  RunConfig c = leaderless(level, "ONE");
  c.nodes = 3;
  c.read_ratio = 0;
  c.ops = 200;
  c.down = {"node2"};
  return c;
}

TEST(LeaderlessAvailability, AllFailsAtOnceWhenAReplicaIsDown)
{
  Experiment e(one_host_down("ALL"));
  e.run();
  EXPECT_EQ(e.metrics().writes_ok, 0u);
  EXPECT_EQ(e.metrics().writes_failed, 200u);
  // Unavailable is answered by the coordinator without asking any replica:
  // each write costs the client's round trip to it (two 1 ms links each way,
  // 4 ms), and each of the 8 client slots runs 25 writes in a row: 0.1 s.
  EXPECT_NEAR(e.cluster().clock(), 0.1, 0.001);
}

TEST(LeaderlessAvailability, OneSucceedsWithAReplicaDown)
{
  Experiment e(one_host_down("ONE"));
  e.run();
  EXPECT_EQ(e.metrics().writes_ok, 200u);
  EXPECT_EQ(e.nodes()[2]->counters().writes_led, 0u);  // the down node coordinates nothing
}

}  // namespace leaderless_run_test
}  // namespace replisim

namespace replisim {
namespace leaderless_run_test {

std::string result(const Experiment& e, const std::string& column)
{
  for (const auto& [name, value] : e.model().results())
    if (name == column)
      return value;
  return "(none)";
}

// Cassandra reads one replica at ONE (a data request) and blockFor at
// QUORUM (one data request, digests for the others); the issue behind it:
// every replica was asked, 3 replica reads per ONE read and 6 node messages.
TEST(LeaderlessReadPath, AOneReadAsksOneReplica)
{
  RunConfig config = leaderless("ONE", "ONE");
  config.set("speculative-retry", "NONE");
  Experiment e(config);
  e.run();
  EXPECT_EQ(result(e, "replica_reads_per_read"), "1.000000");
  EXPECT_EQ(result(e, "node_msgs_per_read"), "2.000000");
  EXPECT_EQ(result(e, "node_msgs_per_write"), "6.000000");  // 3 copies, 3 acks
}

TEST(LeaderlessReadPath, TheAllPathAsksEveryReplicaAsBefore)
{
  RunConfig config = leaderless("ONE", "ONE");
  config.set("read-path", "all");
  Experiment e(config);
  e.run();
  EXPECT_EQ(result(e, "replica_reads_per_read"), "3.000000");
  EXPECT_EQ(result(e, "node_msgs_per_read"), "6.000000");
  EXPECT_EQ(result(e, "speculative_retries"), "0");
}

// speculative_retry 99p: only reads slower than the coordinator's p99 (its
// histogram bucket, up to 20 % above) ask a second replica, and only after
// the first update of the threshold (5 s): at most 1 % of the reads.
TEST(LeaderlessReadPath, SpeculativeRetriesFireForTheSlowestReadsOnly)
{
  RunConfig config = leaderless("ONE", "ONE");
  config.ops = 20000;
  config.delays = {"all=exp:1ms"};
  Experiment e(config);
  e.run();
  ASSERT_GT(e.cluster().clock(), 10.0);  // the threshold has been updated
  const double retries = std::stod(result(e, "speculative_retries"));
  const double reads = static_cast<double>(e.metrics().reads_ok);
  EXPECT_GT(retries, 0.0);
  EXPECT_LE(retries, 0.01 * reads);
  EXPECT_NEAR(std::stod(result(e, "replica_reads_per_read")), 1.0 + retries / reads, 1e-6);
}

std::string refusal(RunConfig config)
{
  try {
    Experiment e(config);
    e.run();
  } catch (const std::exception& error) {
    return error.what();
  }
  return "(accepted)";
}

TEST(LeaderlessFlags, TheOldMaxHintWindowIsRefusedNamingItsSuccessor)
{
  RunConfig config = leaderless("ONE", "ONE");
  config.set("max-hint-window", "10s");
  const std::string why = refusal(config);
  EXPECT_NE(why.find("--hint-window"), std::string::npos) << why;
}

TEST(LeaderlessFlags, AsynchronousReadRepairNeedsTheAllPath)
{
  RunConfig config = leaderless("ONE", "ONE");
  config.set("read-repair", "true");
  const std::string why = refusal(config);
  EXPECT_NE(why.find("--read-repair-policy"), std::string::npos) << why;
}

}  // namespace leaderless_run_test
}  // namespace replisim
