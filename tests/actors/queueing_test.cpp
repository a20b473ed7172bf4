// Nodes that do work, against the closed forms of queueing theory.
//
// A single node with rf 1 and w:1 is a single queue: client writes arrive as a
// Poisson stream (open loop), wait in the node's inbox for one of its
// workers, and take the `client` processing cost. Each write's queued_ms is
// its wait in that inbox, so their mean is the queue's mean wait W_q:
//   M/D/1 (constant cost S, one worker):  W_q = ρS / (2(1 − ρ))     (Pollaczek–Khinchine)
//   M/M/c (exponential cost, c workers on c cores): W_q = C(c, a) / (cμ − λ), C Erlang's C formula.
// Tolerances are about four standard errors of each estimate (measured over
// eight seeds); the seeds are fixed, so the tests repeat exactly.
//
// A cluster driven hard in closed loop runs at the capacity its busiest node
// allows: with the share s_u of writes each unit gets and the work w_n(u) a
// write of unit u costs node n, node n saturates at 1 / Σ_u s_u·w_n(u) writes
// per second, and the cluster at the smallest of these.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "experiments/core/experiment.hpp"
#include "experiments/core/report.hpp"

namespace replisim {
namespace queueing_test {

double summary_number(const Experiment& e, const char* column) { return std::stod(summary_value(e.summary(), column)); }

// One node, one unit, every write answered by the node alone.
RunConfig single_queue(double rate_per_client, int clients, std::uint64_t ops, const std::string& cost)
{
  RunConfig c;
  c.nodes = 1;
  c.rf = 1;
  c.clients = clients;
  c.set("write-concern", "1");
  c.rate = rate_per_client;
  c.ops = ops;
  c.timeout = "1000s";
  c.services = {"client=" + cost};
  return c;
}

TEST(Queueing, MD1MeanWaitAtHalfLoadIsPollaczekKhinchine)
{
  Experiment e(single_queue(500, 1, 40000, "const:1ms"));
  e.run();
  const double rho = 0.5, service_ms = 1.0;
  const double expected = rho * service_ms / (2 * (1 - rho));  // 0.5 ms
  EXPECT_NEAR(summary_number(e, "write_queued_mean_ms"), expected, 0.04 * expected);
  EXPECT_NEAR(summary_number(e, "busiest_node_utilization"), rho, 0.01);
}

TEST(Queueing, MD1MeanWaitAtEightyPercentLoadIsPollaczekKhinchine)
{
  Experiment e(single_queue(800, 1, 100000, "const:1ms"));
  e.run();
  const double rho = 0.8, service_ms = 1.0;
  const double expected = rho * service_ms / (2 * (1 - rho));  // 2 ms; M/M/1 would wait 4 ms
  EXPECT_NEAR(summary_number(e, "write_queued_mean_ms"), expected, 0.08 * expected);
}

double erlang_c(int c, double a)
{
  double below = 0, term = 1;
  for (int k = 0; k < c; ++k) {
    below += term;
    term *= a / (k + 1);
  }
  const double at_c = term * c / (c - a);  // a^c / c! · c / (c − a)
  return at_c / (below + at_c);
}

TEST(Queueing, MMcMeanWaitIsErlangC)
{
  // Three clients of 700 writes/s merge into one Poisson stream of 2,100/s.
  RunConfig config = single_queue(700, 3, 60000, "exp:1ms");
  config.threads = 3;
  config.cores = 3;  // one worker per core: no sharing
  Experiment e(config);
  e.run();
  const int c = 3;
  const double lambda = 2100, mu = 1000;
  const double expected_ms = erlang_c(c, lambda / mu) / (c * mu - lambda) * 1e3;  // 0.547 ms
  EXPECT_NEAR(erlang_c(c, 2.1), 0.4923, 1e-4);
  EXPECT_NEAR(summary_number(e, "write_queued_mean_ms"), expected_ms, 0.07 * expected_ms);
  EXPECT_NEAR(summary_number(e, "busiest_node_utilization"), lambda / (c * mu), 0.01);
}

constexpr double kUs = 1e-3;  // in ms: what a 228-byte round trip adds under TCP's window at 1 TB/s

// Two writes reach one node at the same instant (two clients, one op each,
// equal routes); each costs 1 ms on a 1 Gflop/s core.
std::vector<double> two_simultaneous_writes(int threads, int cores, const std::string& speed)
{
  RunConfig c;
  c.nodes = 1;
  c.rf = 1;
  c.clients = 2;
  c.ops = 2;
  c.set("write-concern", "1");
  c.latency = "1ms";
  c.bandwidth = "1TBps";  // transfer times negligible: latencies are sums of link latencies and costs
  c.services = {"client=const:1ms"};
  c.threads = threads;
  c.cores = cores;
  c.host_speed = speed;
  Experiment e(c);
  e.run();
  return e.metrics().write_ms.sorted();
}

TEST(Processing, OneWorkerServesInTurn)
{
  const auto ms = two_simultaneous_writes(1, 1, "1Gf");
  ASSERT_EQ(ms.size(), 2u);
  EXPECT_NEAR(ms[0], 4 + 1, kUs);  // four 1 ms links, then the cost
  EXPECT_NEAR(ms[1], 4 + 2, kUs);  // waits for the first
}

TEST(Processing, MoreThreadsThanCoresShareTheCore)
{
  const auto ms = two_simultaneous_writes(2, 1, "1Gf");
  ASSERT_EQ(ms.size(), 2u);
  EXPECT_NEAR(ms[0], 4 + 2, kUs);  // half a core each for 2 ms
  EXPECT_NEAR(ms[1], 4 + 2, kUs);
}

TEST(Processing, AThreadPerCoreRunsInParallel)
{
  const auto ms = two_simultaneous_writes(2, 2, "1Gf");
  EXPECT_NEAR(ms[0], 4 + 1, kUs);
  EXPECT_NEAR(ms[1], 4 + 1, kUs);
}

TEST(Processing, ATwiceFasterHostTakesHalfTheTime)
{
  const auto ms = two_simultaneous_writes(1, 1, "2Gf");
  EXPECT_NEAR(ms[0], 4 + 0.5, kUs);
  EXPECT_NEAR(ms[1], 4 + 1, kUs);
}

TEST(Processing, TheHostsThreadsPropertyOverridesTheFlag)
{
  RunConfig c;
  c.platform = REPLISIM_TEST_DATA "/threads_property.xml";  // node0 threads=2 on 2 cores
  c.rf = 1;
  c.clients = 2;
  c.ops = 2;
  c.set("write-concern", "1");
  c.services = {"client=const:1ms"};
  c.threads = 1;
  Experiment e(c);
  e.run();
  ASSERT_EQ(e.loads().at(0).threads, 2);
  const auto ms = e.metrics().write_ms.sorted();
  EXPECT_NEAR(ms[0], ms[1], kUs);  // both served at once
}

// Per-write work of each node, from the placement and the costs: the leader
// takes the client request and an ack from each follower; each follower
// applies the entry.
struct Costs {
  double client_s = 1e-3;
  double ack_s = 0.1e-3;
  double write_s = 0.3e-3;
};

double leader_based_capacity(const Placement& placement, std::uint64_t keys, const Costs& costs)
{
  std::vector<double> share(static_cast<std::size_t>(placement.unit_count()), 0);
  for (Key k = 0; k < keys; ++k)
    share[static_cast<std::size_t>(placement.unit_of(k))] += 1.0 / static_cast<double>(keys);
  std::vector<double> load(static_cast<std::size_t>(placement.node_count()), 0);
  for (UnitId u = 0; u < placement.unit_count(); ++u) {
    const auto replicas = placement.replicas(u);
    load[static_cast<std::size_t>(replicas.front())] +=
        share[u] * (costs.client_s + static_cast<double>(replicas.size() - 1) * costs.ack_s);
    for (std::size_t i = 1; i < replicas.size(); ++i)
      load[static_cast<std::size_t>(replicas[i])] += share[u] * costs.write_s;
  }
  return 1 / *std::max_element(load.begin(), load.end());
}

RunConfig saturating(const std::string& model)
{
  RunConfig c;
  c.model = model;
  c.rf = 3;
  c.clients = 3;
  c.concurrency = 100;  // far more outstanding than the busiest node can serve: it never idles
  c.ops = 40000;
  c.latency = "0.1ms";
  c.timeout = "1000s";
  c.services = {"client=const:1ms", "ack=const:0.1ms", "write=const:0.3ms"};
  return c;
}

TEST(Capacity, LeaderFollowerSaturatesAtItsBusiestPrimary)
{
  RunConfig config = saturating("leader-follower");
  config.nodes = 9;
  Experiment e(config);
  e.run();
  const double capacity = leader_based_capacity(e.placement(), config.keys, {});
  EXPECT_NEAR(capacity, 2400, 100);  // a third of the writes each, 1.2 ms per write at a primary
  EXPECT_NEAR(summary_number(e, "throughput_writes_per_s"), capacity, 0.03 * capacity);
  const int busiest = std::stoi(summary_value(e.summary(), "busiest_node"));
  EXPECT_EQ(busiest % 3, 0) << "the busiest node is a primary";
  EXPECT_GT(summary_number(e, "busiest_node_utilization"), 0.97);
}

TEST(Capacity, PartitionedLeadersSaturateLater)
{
  RunConfig config = saturating("partitioned");
  config.nodes = 6;
  config.set("units", "12");
  Experiment e(config);
  e.run();
  const double capacity = leader_based_capacity(e.placement(), config.keys, {});
  // Every node leads 2 partitions and follows 4: each does a sixth of
  // 1 + 2·0.1 + 2·0.3 ms per write (3,333/s), less the uneven key shares.
  EXPECT_GT(capacity, 3000);
  EXPECT_NEAR(summary_number(e, "throughput_writes_per_s"), capacity, 0.03 * capacity);
}

}  // namespace queueing_test
}  // namespace replisim
