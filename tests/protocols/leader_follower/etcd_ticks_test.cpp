// etcd's election clock (protocols/leader_follower/etcd_ticks.hpp) against
// what raft.go (go.etcd.io/etcd/raft, v3.4) does: tickElection,
// pastElectionTimeout, resetRandomizedElectionTimeout, tickHeartbeat's
// CheckQuorum count, and the lease of Step for MsgVote and MsgPreVote.
#include "protocols/leader_follower/etcd_ticks.hpp"

#include <gtest/gtest.h>

#include <set>

namespace replisim {
namespace etcd_ticks_test {

TEST(TickerTest, TicksAtItsPhaseStrictlyAfterNow)
{
  const Ticker t{0.037, 0.100};
  EXPECT_DOUBLE_EQ(t.next_after(0.0), 0.037);
  EXPECT_DOUBLE_EQ(t.next_after(0.036), 0.037);
  EXPECT_DOUBLE_EQ(t.next_after(0.037), 0.137) << "a tick that fires now is followed by the next";
  EXPECT_DOUBLE_EQ(t.next_after(0.037 + 3 * 0.100), 0.437);
}

// Go's time.Ticker drops the ticks a reader is too slow for and keeps its
// phase: a node paused for 2.05 s gets one tick at resume (its timer fires
// once, late) and then the first tick of its phase after that.
TEST(TickerTest, AfterAPauseTheNextTickKeepsThePhase)
{
  const Ticker t{0.037, 0.100};
  const Time resume = 0.137 + 2.05;
  EXPECT_DOUBLE_EQ(t.next_after(resume), 2.237);
}

// resetRandomizedElectionTimeout: electionTimeout + globalRand.Intn(electionTimeout),
// so every whole number of ticks in [et, 2 et), and nothing else.
TEST(TickElectionTest, TheTimeoutIsDrawnInWholeTicksFromEtToTwiceEtExcluded)
{
  Rng rng(1);
  TickElection clock(10);
  std::set<int> drawn;
  for (int i = 0; i < 2000; ++i) {
    clock.reset(rng);
    drawn.insert(clock.randomized());
    EXPECT_EQ(clock.elapsed(), 0);
  }
  EXPECT_EQ(drawn, (std::set<int>{10, 11, 12, 13, 14, 15, 16, 17, 18, 19}));
}

// tickElection: electionElapsed++; pastElectionTimeout is electionElapsed >=
// randomizedElectionTimeout, and the MsgHup zeroes the count.
TEST(TickElectionTest, AFollowerStandsAtTheTickItsCountReachesTheDrawnTimeout)
{
  Rng rng(3);
  TickElection clock(5);
  clock.reset(rng);
  const int timeout = clock.randomized();
  for (int i = 1; i < timeout; ++i)
    EXPECT_FALSE(clock.tick()) << "tick " << i;
  EXPECT_TRUE(clock.tick());
  EXPECT_EQ(clock.elapsed(), 0);
  EXPECT_EQ(clock.randomized(), timeout) << "only reset() draws";
}

// stepFollower's MsgApp and MsgHeartbeat: electionElapsed = 0, the draw kept
// (etcd draws when the term changes, not at every heartbeat).
TEST(TickElectionTest, HearingTheLeaderRestartsTheCountAndKeepsTheDraw)
{
  Rng rng(4);
  TickElection clock(10);
  clock.reset(rng);
  const int timeout = clock.randomized();
  for (int i = 0; i < timeout - 1; ++i)
    clock.tick();
  clock.heard();
  EXPECT_EQ(clock.elapsed(), 0);
  EXPECT_EQ(clock.randomized(), timeout);
  for (int i = 1; i < timeout; ++i)
    EXPECT_FALSE(clock.tick());
  EXPECT_TRUE(clock.tick());
}

// Step: inLease := r.checkQuorum && r.lead != None && r.electionElapsed < r.electionTimeout.
// The lease is the base timeout, not the drawn one.
TEST(TickElectionTest, TheLeaseLastsElectionTimeoutTicksOfTheBaseTimeout)
{
  Rng rng(5);
  TickElection clock(10);
  clock.reset(rng);
  ASSERT_GT(clock.randomized(), 10) << "a seed whose follower does not stand at tick 10";
  for (int i = 0; i < 9; ++i) {
    EXPECT_TRUE(clock.in_lease()) << "after " << i << " ticks";
    clock.tick();
  }
  EXPECT_TRUE(clock.in_lease()) << "9 ticks";
  EXPECT_FALSE(clock.tick());
  EXPECT_FALSE(clock.in_lease()) << "10 ticks: past the lease, not yet timed out";
}

// tickHeartbeat: a leader's electionElapsed++, and at electionTimeout it
// zeroes it and steps MsgCheckQuorum.
TEST(TickElectionTest, ALeaderChecksItsQuorumEveryElectionTimeoutTicks)
{
  Rng rng(6);
  TickElection clock(5);
  clock.reset(rng);
  int checks = 0;
  for (int tick = 1; tick <= 20; ++tick)
    if (clock.quorum_check_due()) {
      ++checks;
      EXPECT_EQ(tick % 5, 0) << "tick " << tick;
    }
  EXPECT_EQ(checks, 4);
}

}  // namespace etcd_ticks_test
}  // namespace replisim
