// The bench's bare loop sends each model's traffic shape: the same transfers
// per request as the model's own runs, with the same fan-out, so that
// `replisim bench`'s ratio compares replisim with SimGrid on the same
// traffic. Counts only, never times. Each test builds one SimGrid engine,
// and gtest_discover_tests runs every test in a process of its own.
#include <set>

#include <gtest/gtest.h>

#include "experiments/bench/bare_loop.hpp"
#include "experiments/bench/traffic_shape.hpp"
#include "experiments/core/experiment.hpp"

namespace replisim {
namespace bare_loop_test {

constexpr int kNodes = 12;
constexpr int kRf = 3;
constexpr std::uint64_t kRequests = 40;

// Every route of a shape costs as many transfers: the first one drawn.
std::uint64_t per_request(const std::string& model)
{
  std::minstd_rand rng(7);
  return transfers_per_request(TrafficShape(model, kNodes, kRf).draw(rng));
}

constexpr std::uint64_t kOutstanding = 6;  // 3 clients × 2

// A chain's tail answers the client before its acknowledgement travels back
// up the chain: the run ends with those of the last requests unsent. Every
// other shape answers after the last acknowledgement: counts are exact.
std::uint64_t unacknowledged_at_the_end(const std::string& model)
{
  return model == "chain" ? kOutstanding * (kRf - 1) : 0;
}

RunConfig star_run(const std::string& model)
{
  RunConfig c;
  c.model = model;
  c.nodes = kNodes;
  c.clients = 3;
  c.concurrency = 2;
  c.rf = kRf;
  c.ops = kRequests;
  c.latency = "1ms";
  return c;
}

class EveryModel : public ::testing::TestWithParam<std::string> {};

TEST_P(EveryModel, ReplisimSendsAsManyTransfersPerWriteAsTheBareLoopsShape)
{
  Experiment e(star_run(GetParam()));
  e.run();
  ASSERT_EQ(e.metrics().writes_ok, kRequests);
  EXPECT_LE(e.cluster().network().carried(), kRequests * per_request(GetParam()));
  EXPECT_GE(e.cluster().network().carried(), kRequests * per_request(GetParam()) - unacknowledged_at_the_end(GetParam()));
}

TEST_P(EveryModel, TheBareLoopSendsItsShapeForEveryRequestAndExecutesOnEveryNodeTransfer)
{
  RunConfig c = star_run(GetParam());
  c.check();  // works out the star's figures from the flags, as `bench-bare` does
  const BareLoopResult r = run_bare_loop({}, {c.star(), GetParam(), kRf, kOutstanding, kRequests, 1e3});
  EXPECT_EQ(r.requests, kRequests);
  EXPECT_LE(r.messages, kRequests * per_request(GetParam()));
  EXPECT_GE(r.messages, kRequests * per_request(GetParam()) - unacknowledged_at_the_end(GetParam()));
  // Every transfer but the replies lands on a node and executes there (a
  // chain's last acknowledgements may still be on their way).
  EXPECT_LE(r.executions + r.requests, r.messages);
  EXPECT_GE(r.executions + r.requests + unacknowledged_at_the_end(GetParam()), r.messages);
}

INSTANTIATE_TEST_SUITE_P(Bench, EveryModel,
                         ::testing::Values("leader-follower", "partitioned", "leaderless", "chain", "multi-leader"),
                         [](const auto& param_info) {
                           std::string name = param_info.param;
                           std::erase(name, '-');
                           return name;
                         });

std::vector<Route> routes(const std::string& model)
{
  std::minstd_rand rng(1);
  const TrafficShape shape(model, kNodes, kRf);
  std::vector<Route> drawn;
  for (int i = 0; i < 200; ++i)
    drawn.push_back(shape.draw(rng));
  return drawn;
}

TEST(TrafficShape, LeaderFollowerGoesFromAReplicaSetsLeaderToItsFollowers)
{
  for (const Route& r : routes("leader-follower")) {
    EXPECT_EQ(r.entry % kRf, 0);
    ASSERT_EQ(r.branches.size(), 2u);
    EXPECT_EQ(r.branches[0], std::vector<int>{r.entry + 1});
    EXPECT_EQ(r.branches[1], std::vector<int>{r.entry + 2});
    EXPECT_FALSE(r.tail_replies);
  }
}

TEST(TrafficShape, LeaderlessFansOutToRfRingNeighboursOfAKeyFromAnyCoordinator)
{
  std::set<bool> coordinator_is_replica;
  for (const Route& r : routes("leaderless")) {
    ASSERT_EQ(r.branches.size(), 3u);
    for (const auto& b : r.branches)
      ASSERT_EQ(b.size(), 1u);
    EXPECT_EQ(r.branches[1][0], (r.branches[0][0] + 1) % kNodes);
    EXPECT_EQ(r.branches[2][0], (r.branches[0][0] + 2) % kNodes);
    coordinator_is_replica.insert(r.entry == r.branches[0][0] || r.entry == r.branches[1][0] ||
                                  r.entry == r.branches[2][0]);
  }
  EXPECT_EQ(coordinator_is_replica.size(), 2u);  // sometimes a replica, sometimes not, as --coordinator random
}

TEST(TrafficShape, AChainRunsHeadToTailAndTheTailAnswers)
{
  for (const Route& r : routes("chain")) {
    ASSERT_EQ(r.branches.size(), 1u);
    EXPECT_EQ(r.branches[0], (std::vector<int>{(r.entry + 1) % kNodes, (r.entry + 2) % kNodes}));
    EXPECT_TRUE(r.tail_replies);
    EXPECT_EQ(transfers_per_request(r), 6u);
  }
}

TEST(TrafficShape, MultiLeaderSendsToEveryOtherNode)
{
  for (const Route& r : routes("multi-leader")) {
    std::set<int> others;
    for (const auto& b : r.branches)
      others.insert(b.at(0));
    EXPECT_EQ(others.size(), kNodes - 1u);
    EXPECT_FALSE(others.contains(r.entry));
  }
}

TEST(TrafficShape, AnUnknownModelHasNoShape)
{
  EXPECT_THROW(TrafficShape("gossip", kNodes, kRf), std::invalid_argument);
}

}  // namespace bare_loop_test
}  // namespace replisim
