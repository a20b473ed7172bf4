// Cassandra's phi-accrual detector (phi_detector.hpp) and gossip rounds
// (gossip.hpp), driven by hand so that every arrival time is known and the
// conviction can be computed in closed form: phi = (1/ln 10) · Δt / mean,
// convicted when phi > 8, i.e. Δt > 8 · ln 10 · mean ≈ 18.42 · mean.
#include <gtest/gtest.h>

#include <cmath>

#include "protocols/common/gossip.hpp"

namespace replisim {
namespace gossip_test {

constexpr TimerId kRound = 7;

TEST(PhiDetector, TheFirstArrivalRecordsTheInitialIntervalOfTwoSeconds)
{
  const PhiConfig config;
  ArrivalMean a;
  a.add(1.0, config);
  EXPECT_DOUBLE_EQ(a.mean(), 2.0);  // FailureDetector.INITIAL_VALUE_NANOS: 2 × the 1 s gossip interval
  a.add(2.0, config);
  EXPECT_DOUBLE_EQ(a.mean(), 1.5);  // (2 + 1) / 2
  // phi is exponential: (1/ln 10) · Δt / mean.
  EXPECT_NEAR(a.phi(5.0), 3.0 / 1.5 / std::log(10.0), 1e-12);
}

TEST(PhiDetector, IntervalsOverTwoSecondsAreNotRecorded)
{
  const PhiConfig config;
  ArrivalMean a;
  a.add(1.0, config);
  a.add(2.0, config);
  a.add(4.5, config);  // 2.5 s: MAX_INTERVAL_IN_NANO is 2 s
  EXPECT_DOUBLE_EQ(a.mean(), 1.5);
  EXPECT_DOUBLE_EQ(a.last(), 4.5);  // but it is the last arrival
  a.add(6.5, config);  // exactly 2 s: recorded
  EXPECT_DOUBLE_EQ(a.mean(), 5.0 / 3.0);
}

TEST(PhiDetector, ConvictsAfterThresholdTimesLnTenMeans)
{
  const PhiConfig config;
  ArrivalMean a;
  for (int t = 0; t <= 1000; ++t)
    a.add(t, config);  // the initial 2 s and 1,000 intervals of 1 s
  EXPECT_NEAR(a.mean(), 1002.0 / 1001.0, 1e-12);
  const Time bound = 1000 + 8 * std::log(10.0) * a.mean();
  EXPECT_NEAR(a.conviction_after(config), bound, 1e-9);
  EXPECT_NEAR(bound - 1000, 18.44, 0.01);  // about 18.4 s after the last heartbeat
  EXPECT_FALSE(a.convicts(bound - 1e-6, config));
  EXPECT_TRUE(a.convicts(bound + 1e-6, config));
}

// One observer (node 0 of 3): rounds at 1, 2, …, each exchange answered at
// once, so a heartbeat of every live endpoint arrives each second from 1 s.
struct Observer {
  Gossiper g{0, 3, GossipConfig{}, 99, kRound};
  Ready round(Time t)
  {
    Ready out;
    g.round(t, out);
    g.on(GossipAck{3, 1}, Address::node(1), t, out);
    return out;
  }
  // Rounds at 1..10 s; endpoint 2 goes silent at 10 s; rounds on to 40 s,
  // well past its conviction (30.26 s).
  void convict_endpoint_2()
  {
    for (int t = 1; t <= 10; ++t)
      round(t);
    g.went_silent(2, 10.0);
    for (int t = 11; t <= 40; ++t)
      round(t);
  }
};

TEST(Gossip, ACrashedEndpointIsConvictedAtTheFirstStatusCheckPastTheClosedForm)
{
  Observer o;
  for (int t = 1; t <= 10; ++t)
    o.round(t);
  // Arrivals at 1..10: the initial 2 s and nine intervals of 1 s.
  EXPECT_DOUBLE_EQ(o.g.arrivals().mean(), 1.1);
  o.g.went_silent(2, 10.5);
  // Its window is frozen: last arrival 10 s, mean 1.1 s, whatever comes later.
  const Time bound = 10 + 8 * std::log(10.0) * 1.1;  // 30.26 s
  EXPECT_NEAR(o.g.conviction_bound(2), bound, 1e-9);
  for (int t = 11; t <= 30; ++t) {
    o.round(t);
    ASSERT_FALSE(o.g.convicted(2)) << "at " << t << " s";
  }
  EXPECT_TRUE(o.g.take_verdicts().empty());
  o.round(31);  // the first status check past 30.26 s
  EXPECT_TRUE(o.g.convicted(2));
  const auto verdicts = o.g.take_verdicts();
  ASSERT_EQ(verdicts.size(), 1u);
  EXPECT_EQ(verdicts[0].node, 2);
  EXPECT_TRUE(verdicts[0].convicted);
  EXPECT_DOUBLE_EQ(verdicts[0].at, 31.0);
  ASSERT_EQ(o.g.detections().size(), 1u);
  EXPECT_DOUBLE_EQ(o.g.detections()[0], 20.5);  // from the crash at 10.5 s
  EXPECT_FALSE(o.g.convicted(1));
}

TEST(Gossip, AConvictedEndpointIsNoLongerGossipedTo)
{
  Observer o;
  o.convict_endpoint_2();
  ASSERT_TRUE(o.g.convicted(2));
  for (int t = 41; t <= 60; ++t) {
    const Ready out = o.round(t);
    ASSERT_EQ(out.messages.size(), 1u);
    EXPECT_EQ(out.messages[0].to, Address::node(1));
    EXPECT_TRUE(std::holds_alternative<GossipSyn>(out.messages[0].message));
    ASSERT_EQ(out.timers.size(), 1u);
    EXPECT_DOUBLE_EQ(out.timers[0].deadline, t + 1.0);  // a round a second
  }
}

TEST(Gossip, AnEndpointBackIsAliveAtTheNextExchange)
{
  Observer o;
  o.convict_endpoint_2();
  o.g.take_verdicts();
  o.g.heard_again(2);
  EXPECT_TRUE(o.g.convicted(2)) << "until a newer heartbeat arrives";
  o.round(41);
  EXPECT_FALSE(o.g.convicted(2));
  const auto verdicts = o.g.take_verdicts();
  ASSERT_EQ(verdicts.size(), 1u);
  EXPECT_FALSE(verdicts[0].convicted);
}

TEST(Gossip, AnEndpointDownAgainBeforeItWasHeardOfStaysConvicted)
{
  Observer o;
  o.convict_endpoint_2();
  o.g.take_verdicts();
  o.g.heard_again(2);
  o.g.went_silent(2, 40.5);  // crashed again before the next exchange
  o.round(41);
  EXPECT_TRUE(o.g.convicted(2));
  EXPECT_TRUE(o.g.take_verdicts().empty());
  EXPECT_EQ(o.g.detections().size(), 1u) << "one conviction, not two";
}

TEST(Gossip, ASynIsAnsweredWithAnAckCarryingADigestOfEveryEndpoint)
{
  Gossiper g{1, 5, GossipConfig{}, 1, kRound};
  Ready out;
  g.on(GossipSyn{5, 3}, Address::node(4), 2.0, out);
  ASSERT_EQ(out.messages.size(), 1u);
  EXPECT_EQ(out.messages[0].to, Address::node(4));
  EXPECT_EQ(values_in(out.messages[0].message), 5u);
  EXPECT_FALSE(is_write_path(out.messages[0].message));
  EXPECT_EQ(g.messages_sent(), 1u);
  EXPECT_TRUE(g.arrivals().empty()) << "a syn carries digests, not states";
}

}  // namespace gossip_test
}  // namespace replisim
