// Executor actors (actors/server.hpp): in a run with processing costs that
// ends with its clients, each node gets one SimGrid actor that makes its
// workers' executions ahead and hears of their ends; the actor dies with its
// host and comes back with it, and none is left when the run is over (an
// actor still waiting then would be a deadlock to SimGrid). Without costs, in
// a run that keeps going after its clients (the library's), or on a node of
// more workers than an executor waits on, executions are made in maestro and
// no actor is created. Whoever makes them, they take what the closed form
// says (a write on known_latencies.xml: 16 ms of network plus the costs).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include <simgrid/s4u/Engine.hpp>

#include "experiments/core/experiment.hpp"
#include "experiments/core/report.hpp"
#include "support/fault_file.hpp"

namespace replisim {
namespace executor_test {

namespace sg4 = simgrid::s4u;

// How many actors there were at each instant the clock moved to.
struct ActorCounts {
  ActorCounts()
  {
    sg4::Engine::on_time_advance_cb([this](double) {
      samples.emplace_back(sg4::Engine::get_clock(), sg4::Engine::get_instance()->get_actor_count());
    });
  }
  std::size_t most_between(double from, double to) const
  {
    std::size_t most = 0;
    for (const auto& [t, n] : samples)
      if (t >= from && t < to)
        most = std::max(most, n);
    return most;
  }
  std::size_t least_between(double from, double to) const
  {
    std::size_t least = SIZE_MAX;
    for (const auto& [t, n] : samples)
      if (t >= from && t < to)
        least = std::min(least, n);
    return least;
  }
  std::vector<std::pair<double, std::size_t>> samples;
};

// One replica set {n0 (primary), n1, n2} on known_latencies.xml: client0 → n0
// 3 ms, n0 → n1 5 ms, n0 → n2 9 ms (one way), w:majority, one client writing
// in closed loop; every message costs `cost` at the node that takes it.
RunConfig replica_set(const std::string& cost, std::uint64_t ops)
{
  RunConfig c;
  c.platform = REPLISIM_TEST_DATA "/known_latencies.xml";
  c.rf = 3;
  c.clients = 1;
  c.ops = ops;
  c.ops_file = "none";
  c.set("write-concern", "majority");
  if (!cost.empty())
    c.services = {"all=" + cost};
  return c;
}

double number(const Experiment& e, const char* column) { return std::stod(summary_value(e.summary(), column)); }

// The four transfers' bandwidth time (under a microsecond each) on top of the latencies.
constexpr double kToleranceMs = 0.002;

TEST(Executor, EachNodeOfACostedRunHasOneAndNoneIsLeftAtTheEnd)
{
  ActorCounts counts;
  Experiment e(replica_set("const:1ms", 50));
  e.run();
  EXPECT_EQ(counts.most_between(0, 1e9), 3u);
  EXPECT_EQ(sg4::Engine::get_instance()->get_actor_count(), 0u);
  // client → n0 (1 ms of work), n0 → n1 (1 ms), n1 → n0 (1 ms), n0 → client:
  // 16 ms of network and 3 ms of work, whoever made the executions.
  EXPECT_NEAR(number(e, "write_p50_ms"), 19.0, kToleranceMs);
  EXPECT_NEAR(number(e, "write_p99_ms"), 19.0, kToleranceMs);
}

TEST(Executor, ItDiesWithItsHostAndComesBackWithIt)
{
  ActorCounts counts;
  test::FaultFile faults("[[crash]]\nhost = \"n2\"\nat = \"0.2s\"\nrecover = \"0.4s\"\n");
  RunConfig c = replica_set("const:1ms", 40);
  c.faults = faults.path.string();
  Experiment e(c);
  e.run();
  EXPECT_EQ(counts.most_between(0, 0.2), 3u);
  EXPECT_EQ(counts.most_between(0.201, 0.4), 2u);
  EXPECT_EQ(counts.least_between(0.401, 0.6), 3u);
  EXPECT_EQ(sg4::Engine::get_instance()->get_actor_count(), 0u);
  EXPECT_NEAR(number(e, "write_p50_ms"), 19.0, kToleranceMs);  // n1 makes the majority, n2 up or down
}

TEST(Executor, NoneWithoutCosts)
{
  ActorCounts counts;
  Experiment e(replica_set("", 20));
  e.run();
  EXPECT_EQ(counts.most_between(0, 1e9), 0u);
  EXPECT_NEAR(number(e, "write_p50_ms"), 16.0, kToleranceMs);
}

TEST(Executor, NoneForANodeOfMoreWorkersThanItWaitsOn)
{
  ActorCounts counts;
  RunConfig c = replica_set("const:1ms", 20);
  c.threads = 65;
  c.cores = 65;
  Experiment e(c);
  e.run();
  EXPECT_EQ(counts.most_between(0, 1e9), 0u);
  EXPECT_NEAR(number(e, "write_p50_ms"), 19.0, kToleranceMs);
}

}  // namespace executor_test
}  // namespace replisim
