// Chain replication on a platform whose links all differ: a write travels
// client → head → middle → tail → client (van Renesse and Schneider §2: "the
// reply is sent by the tail"), a read client → tail → client; with CRAQ a
// clean read is answered by whichever replica it reaches. The expected sums
// come from SimGrid's own routes. The head leads and the tail is the primary,
// so no write is led by its unit's primary.
#include <gtest/gtest.h>

#include "experiments/core/experiment.hpp"
#include "experiments/core/report.hpp"

namespace replisim {
namespace chain_run_test {

constexpr double kToleranceMs = 0.005;  // transfer times at 100 GB/s

RunConfig one_chain(double read_ratio)
{
  RunConfig c;
  c.model = "chain";
  c.platform = REPLISIM_TEST_DATA "/known_latencies.xml";
  c.rf = 3;
  c.clients = 1;
  c.ops = 60;
  c.read_ratio = read_ratio;
  c.set("units", "1");  // chain n0 → n1 → n2
  return c;
}

double ms(double s) { return s * 1e3; }

TEST(ChainRun, AWriteTravelsTheWholeChainAndTheTailAnswers)
{
  Experiment e(one_chain(0));
  e.run();
  const Cluster& c = e.cluster();
  const double expected = ms(c.latency_client_to_node(0, 0) + c.latency_node_to_node(0, 1) +
                             c.latency_node_to_node(1, 2) + c.latency_client_to_node(0, 2));
  EXPECT_NEAR(expected, 3 + 5 + 10 + 8, 1e-9);
  ASSERT_EQ(e.metrics().writes_ok, 60u);
  for (double w : e.metrics().write_ms.sorted())
    EXPECT_NEAR(w, expected, kToleranceMs);
}

TEST(ChainRun, ReadsGoToTheTail)
{
  Experiment e(one_chain(1));
  e.run();
  const double expected = 2 * ms(e.cluster().latency_client_to_node(0, 2));  // 16 ms
  ASSERT_EQ(e.metrics().reads_ok, 60u);
  for (double r : e.metrics().read_ms.sorted())
    EXPECT_NEAR(r, expected, kToleranceMs);
}

TEST(ChainRun, CraqReadsAnyReplicaAndCleanReadsStayLocal)
{
  RunConfig config = one_chain(1);  // reads only: every key is clean
  config.set("chain-reads", "craq");
  Experiment e(config);
  e.run();
  const Cluster& c = e.cluster();
  int at[3] = {0, 0, 0};
  for (double r : e.metrics().read_ms.sorted())
    for (NodeId n = 0; n < 3; ++n)
      at[n] += std::abs(r - 2 * ms(c.latency_client_to_node(0, n))) < kToleranceMs;
  EXPECT_EQ(at[0] + at[1] + at[2], 60);
  for (int n : at)
    EXPECT_GT(n, 0);
}

TEST(ChainRun, TheHeadLeadsAndTheTailIsThePrimaryOfEveryChain)
{
  RunConfig config;
  config.model = "chain";
  config.nodes = 6;
  config.ops = 600;
  Experiment e(config);  // six chains on a ring: node n heads chain n and is the tail of chain n − 2
  e.run();
  EXPECT_EQ(summary_value(e.summary(), "leader_is_primary_fraction"), "0.000000");
  const auto roles = e.role_graph().per_node();
  for (const NodeRoles& r : roles) {
    EXPECT_EQ(r.leader_units, 1);
    EXPECT_EQ(r.primary_units, 1);
    EXPECT_EQ(r.replica_units, 2);
  }
  for (UnitId u = 0; u < 6; ++u) {
    const auto chain = e.placement().replicas(u);
    EXPECT_EQ(chain.front(), u);
    EXPECT_EQ(chain.back(), (u + 2) % 6);
  }
}

// Chain replication is strongly consistent (§2; CRAQ §2.3): no read returns
// less than the newest write acknowledged before it began, whatever the
// delays, in either read mode.
void expect_no_stale_read(const std::string& reads)
{
  RunConfig config;
  config.model = "chain";
  config.nodes = 6;
  config.clients = 4;
  config.concurrency = 4;
  config.ops = 4000;
  config.read_ratio = 0.5;
  config.keys = 20;  // hot keys: reads often meet dirty versions
  config.delays = {"all=pareto:1ms:1.5"};
  config.set("chain-reads", reads);
  Experiment e(config);
  e.run();
  EXPECT_GT(e.metrics().reads_ok, 1500u);
  EXPECT_EQ(e.metrics().stale_reads, 0u);
}

TEST(ChainRun, TailReadsAreNeverStale) { expect_no_stale_read("tail"); }
TEST(ChainRun, CraqReadsAreNeverStale) { expect_no_stale_read("craq"); }

}  // namespace chain_run_test
}  // namespace replisim
