// The replica order of Cassandra's snitches: the static order of the
// topology snitches, and the dynamic snitch's latency scores with their
// update, reset and badness threshold (cassandra.yaml's defaults).
#include <gtest/gtest.h>

#include "protocols/leaderless/snitch.hpp"
#include "protocols/leaderless/speculative_retry.hpp"

#include <stdexcept>

namespace replisim {
namespace snitch_test {

TEST(SnitchTest, TheStaticOrderIsSelfThenTheLocalZoneThenRingOrder)
{
  const Membership m = Membership::all_up({0, 1, 0, 1, 0});
  EXPECT_EQ(proximity_order(3, {0, 1, 2, 3, 4}, m), (std::vector<NodeId>{3, 1, 0, 2, 4}));
  EXPECT_EQ(proximity_order(0, {4, 1, 2}, m), (std::vector<NodeId>{4, 2, 1}));
}

TEST(SnitchTest, ScoresAreMediansOverTheWorstAndChangeOnlyAtTheUpdate)
{
  DynamicSnitch s;
  for (int i = 0; i < 5; ++i) {
    s.record(1, 0.010, 0.05);
    s.record(2, 0.002, 0.05);
  }
  EXPECT_EQ(s.score(1, 0.099), 0.0);  // no update yet
  EXPECT_DOUBLE_EQ(s.score(1, 0.1), 1.0);
  EXPECT_NEAR(s.score(2, 0.1), 0.2, 1e-6);
  EXPECT_EQ(s.score(3, 0.1), 0.0);  // never timed
}

TEST(SnitchTest, LatenciesBelowAMillisecondAreScoredAgainstOne)
{
  DynamicSnitch s;
  s.record(1, 0.0005, 0.0);
  EXPECT_NEAR(s.score(1, 0.1), 0.5, 1e-6);  // updateScores' maxLatency starts at 1 ms
}

TEST(SnitchTest, TheStaticOrderStaysUnlessAReplicaIsTwiceAsBad)
{
  DynamicSnitch s;  // badness threshold 1.0
  s.record(1, 0.003, 0.0);
  s.record(2, 0.002, 0.0);
  s.record(3, 0.002, 0.0);
  std::vector<NodeId> order{1, 2, 3};
  s.sort(order, 0.1);  // 1 scores 1, the others 0.67: not twice as bad
  EXPECT_EQ(order, (std::vector<NodeId>{1, 2, 3}));

  DynamicSnitch slow;
  slow.record(1, 0.010, 0.0);
  slow.record(2, 0.002, 0.0);
  slow.record(3, 0.003, 0.0);
  order = {1, 2, 3};
  slow.sort(order, 0.1);  // 1 scores 1 against 0.2: by score
  EXPECT_EQ(order, (std::vector<NodeId>{2, 3, 1}));
}

TEST(SnitchTest, TheResetForgetsTheSamplesAndTheNextUpdateTheScores)
{
  DynamicSnitch s;
  s.record(1, 0.010, 0.0);
  s.record(2, 0.002, 0.0);
  EXPECT_DOUBLE_EQ(s.score(1, 0.1), 1.0);
  EXPECT_DOUBLE_EQ(s.score(1, 600.0), 1.0);  // reset at 600 s: scores stay until the next update
  EXPECT_EQ(s.score(1, 600.1), 0.0);
  std::vector<NodeId> order{1, 2};
  s.sort(order, 600.1);
  EXPECT_EQ(order, (std::vector<NodeId>{1, 2}));
}

TEST(SnitchTest, TheSimpleSnitchNeverReorders)
{
  DynamicSnitch s({SnitchKind::simple});
  s.record(1, 0.010, 0.0);
  s.record(2, 0.001, 0.0);
  std::vector<NodeId> order{1, 2};
  s.sort(order, 1.0);
  EXPECT_EQ(order, (std::vector<NodeId>{1, 2}));
}

TEST(SnitchTest, SpeculativeRetryIsParsedAsCqlWritesIt)
{
  EXPECT_EQ(parse_speculative_retry("NONE").kind, SpeculativeRetry::Kind::none);
  EXPECT_EQ(parse_speculative_retry("always").kind, SpeculativeRetry::Kind::always);
  EXPECT_EQ(parse_speculative_retry("99p").value, 99.0);
  EXPECT_EQ(parse_speculative_retry("95PERCENTILE").value, 95.0);
  EXPECT_DOUBLE_EQ(parse_speculative_retry("50ms").value, 0.050);
  EXPECT_THROW(parse_speculative_retry("100p"), std::invalid_argument);
  EXPECT_THROW(parse_speculative_retry("fast"), std::invalid_argument);
  EXPECT_THROW(parse_snitch("gossiping"), std::invalid_argument);
}

}  // namespace snitch_test
}  // namespace replisim
