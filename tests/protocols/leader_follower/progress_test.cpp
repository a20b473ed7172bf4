// Progress (protocols/leader_follower/progress.hpp): what a leader knows of
// one replica, and the rules that move it, checked one by one (after etcd's
// tracker/progress_test.go). Raft's sentences are from Ongaro and
// Ousterhout, USENIX ATC 2014, §5.3.
#include "protocols/leader_follower/progress.hpp"

#include <gtest/gtest.h>

namespace replisim {
namespace progress_test {

TEST(ProgressTest, ANewLeaderSendsAFollowerTheEntryAfterItsOwnLastAndKnowsItHoldsNothing)
{
  // "the leader initializes all nextIndex values to the index just after the last one in its log"
  const Progress p = Progress::of_follower(7, 2.5);
  EXPECT_EQ(p.next, 8u);
  EXPECT_EQ(p.match, 0u);
  EXPECT_FALSE(p.probing);
  EXPECT_TRUE(p.in_sync);
  EXPECT_EQ(p.last_heard, 2.5);
  EXPECT_FALSE(p.has_reported());
}

TEST(ProgressTest, TheLeadersOwnHoldsItsWholeLogAndHasReportedIt)
{
  const Progress p = Progress::of_leader(7, 2.5);
  EXPECT_EQ(p.match, 7u);
  EXPECT_EQ(p.next, 8u);
  EXPECT_TRUE(p.has_reported());
  EXPECT_EQ(p.reported, 7u);
}

TEST(ProgressTest, AnAckNeverMovesTheMatchIndexBack)
{
  Progress p = Progress::of_follower(10, 0);
  p.acknowledged(6);
  p.acknowledged(4);  // a late ack of an earlier append
  EXPECT_EQ(p.match, 6u);
  EXPECT_EQ(p.next, 11u);
}

TEST(ProgressTest, NextNeverFallsBehindWhatTheReplicaHolds)
{
  Progress p = Progress::of_follower(3, 0);
  p.acknowledged(9);  // it holds more than the leader thought it had sent
  EXPECT_EQ(p.next, 10u);
}

TEST(ProgressTest, ARefusalBacksNextUpToTheHintAndStartsProbing)
{
  // "After a rejection, the leader decrements nextIndex and retries", here straight to the hint.
  Progress p = Progress::of_follower(20, 0);
  ASSERT_TRUE(p.back_up(19, 12, 1));
  EXPECT_TRUE(p.probing);
  EXPECT_EQ(p.next, 13u);
}

TEST(ProgressTest, BackingUpStopsAtTheRefusedIndexAtWhatIsHeldAndAtTheFirstEntryKept)
{
  Progress p = Progress::of_follower(20, 0);
  ASSERT_TRUE(p.back_up(15, 30, 1));  // a hint past the refusal
  EXPECT_EQ(p.next, 15u);

  Progress held = Progress::of_follower(20, 0);
  held.acknowledged(10);
  ASSERT_TRUE(held.back_up(19, 2, 1));
  EXPECT_EQ(held.next, 11u);

  Progress compacted = Progress::of_follower(20, 0);
  ASSERT_TRUE(compacted.back_up(19, 2, 8));  // the leader discarded up to 7: every replica holds them
  EXPECT_EQ(compacted.next, 8u);
}

TEST(ProgressTest, ARefusalOfAnEntryAlreadyHeldIsStale)
{
  Progress p = Progress::of_follower(20, 0);
  p.acknowledged(12);
  EXPECT_FALSE(p.back_up(12, 3, 1));
  EXPECT_FALSE(p.probing);
  EXPECT_EQ(p.next, 21u);
}

TEST(ProgressTest, WhileProbingOnlyTheRefusalOfTheProbeCounts)
{
  // A burst of refusals of entries in flight costs one probe, not a resend each.
  Progress p = Progress::of_follower(20, 0);
  ASSERT_TRUE(p.back_up(19, 15, 1));  // probes 16
  ASSERT_EQ(p.next, 16u);
  EXPECT_FALSE(p.back_up(18, 15, 1));  // a refusal of an append sent before the probe
  EXPECT_EQ(p.next, 16u);
  EXPECT_TRUE(p.back_up(15, 9, 1));  // the probe's own refusal
  EXPECT_EQ(p.next, 10u);
}

TEST(ProgressTest, AnAckThatReachesTheProbeEndsProbing)
{
  Progress p = Progress::of_follower(20, 0);
  ASSERT_TRUE(p.back_up(19, 9, 1));  // probes 10
  p.acknowledged(8);                 // an older ack: still probing
  EXPECT_TRUE(p.probing);
  p.acknowledged(10);
  EXPECT_FALSE(p.probing);
  EXPECT_EQ(p.next, 11u);
}

TEST(ProgressTest, AReplicaWantsMoreOnceItHoldsEverythingSentWhileTheLeaderHasMore)
{
  Progress p = Progress::of_follower(5, 0);
  EXPECT_FALSE(p.wants_more(5));  // entries 1 to 5 in flight, none held
  p.acknowledged(5);
  EXPECT_FALSE(p.wants_more(5));
  EXPECT_TRUE(p.wants_more(9));
  p.next = 8;  // entries 6 and 7 in flight
  EXPECT_FALSE(p.wants_more(9));
}

TEST(ProgressTest, AProbedReplicaWantsNoBatch)
{
  Progress p = Progress::of_follower(20, 0);
  ASSERT_TRUE(p.back_up(19, 9, 1));
  p.match = 9;  // as an ack of the entry before the probe would leave it
  EXPECT_FALSE(p.wants_more(20));
}

TEST(ProgressTest, AReplicaOutOfSyncRejoinsOnceItHoldsTheIndexAsked)
{
  Progress p = Progress::of_follower(10, 0);
  p.in_sync = false;
  p.acknowledged(6);
  p.rejoin_if_holds(7);
  EXPECT_FALSE(p.in_sync);
  p.acknowledged(7);
  p.rejoin_if_holds(7);
  EXPECT_TRUE(p.in_sync);
}

TEST(ProgressTest, ARejoinNeverTakesAReplicaOutOfSync)
{
  Progress p = Progress::of_follower(10, 0);
  p.rejoin_if_holds(100);
  EXPECT_TRUE(p.in_sync);
}

TEST(ProgressTest, AReplicaIsHeardWithinTheLagUpToItsEnd)
{
  Progress p = Progress::of_follower(0, 1.0);
  EXPECT_TRUE(p.heard_within(0.5, 1.5));
  EXPECT_FALSE(p.heard_within(0.5, 1.5001));
  EXPECT_TRUE(p.heard_within(kNever, 1e9));  // replica_lag_max off: always in sync
}

TEST(ProgressTest, OverAUnitsReplicasTheCommitRulesInputs)
{
  std::vector<Progress> replicas(3, Progress::of_follower(9, 0));
  replicas[0] = Progress::of_leader(9, 0);
  replicas[1].acknowledged(7);
  replicas[2].acknowledged(4);
  replicas[2].in_sync = false;
  EXPECT_EQ(match_indexes(replicas), (std::vector<LogIndex>{9, 7, 4}));
  EXPECT_EQ(in_sync_flags(replicas), (std::vector<bool>{true, true, false}));
  EXPECT_EQ(count_in_sync(replicas), 2);
  EXPECT_EQ(count_holding(replicas, 5), 2);
  EXPECT_EQ(count_holding(replicas, 4), 3);
  EXPECT_EQ(held_by_in_sync(replicas, 8), 7u) << "the slowest in-sync replica, the out-of-sync one ignored";
  EXPECT_EQ(held_by_in_sync(replicas, 5), 5u) << "never past the commit index";
}

}  // namespace progress_test
}  // namespace replisim
