// FixedLeader (protocols/leader_follower/fixed_leader.hpp): failover off,
// each unit's primary leads term 1 for the whole run. Its decisions, against
// a FakeHost: no timer and no message of its own, a follower applying the
// leader's entries in order, the write concern's count of replicas.
#include "protocols/leader_follower/fixed_leader.hpp"

#include <gtest/gtest.h>

#include "support/fake_host.hpp"

namespace replisim {
namespace fixed_leader_test {

using test::FakeHost;
using test::sent;
using Trace = std::vector<std::string>;

struct Follower {
  Placement placement = leader_follower_placement(3, 3);
  FakeHost host{placement, 1};
  FixedLeader policy{host, 1, placement, WriteConcern::majority};
  UnitState& unit() { return host.unit(0); }
};

Replicate entry(LogIndex index, Key key, Term term = 1) { return Replicate{term, 0, index, key, index}; }

TEST(FixedLeaderTest, NothingHappensAtTheStartNorOnATimer)
{
  Follower f;
  Ready out;
  f.policy.start(out);
  f.policy.on_timer(0, out);
  f.policy.step({Address::node(2), Address::node(1), RequestVote{2, 0, 0, 0}}, out);
  EXPECT_TRUE(out.empty());
  EXPECT_TRUE(f.host.take_trace().empty());
  EXPECT_EQ(f.policy.election_deadline(0), kNever);
}

TEST(FixedLeaderTest, ARecoveredNodeTakesItsPlacedRolesAgain)
{
  Follower f;
  Ready out;
  f.policy.recover(out);
  EXPECT_EQ(f.host.take_trace(), Trace{"place_roles 0"});
}

TEST(FixedLeaderTest, AFollowerAppliesEntriesInLogOrderAndAcknowledgesItsLastIndex)
{
  Follower f;
  Ready ahead;
  f.policy.on_append(f.unit(), entry(2, 8), Address::node(0), ahead);
  EXPECT_TRUE(f.host.take_trace().empty()) << "entry 2 waits for entry 1";
  ASSERT_EQ(sent<ReplicateAck>(ahead).size(), 1u);
  EXPECT_EQ(sent<ReplicateAck>(ahead)[0].match_index, 0u);

  Ready gap_filled;
  f.policy.on_append(f.unit(), entry(1, 7), Address::node(0), gap_filled);
  EXPECT_EQ(f.host.take_trace(), (Trace{"apply_replicated 0 index 1", "apply_replicated 0 index 2"}));
  EXPECT_EQ(sent<ReplicateAck>(gap_filled).at(0).match_index, 2u);
  EXPECT_EQ(f.unit().vol.early.size(), 0u);
}

TEST(FixedLeaderTest, AGapOpenLongerThanReorderingIsRefusedNamingTheLastEntryHeld)
{
  Follower f;
  Ready first;
  f.policy.on_append(f.unit(), entry(1, 7), Address::node(0), first);
  f.host.take_trace();
  Ready ahead;
  f.policy.on_append(f.unit(), entry(5, 8), Address::node(0), ahead);
  ASSERT_EQ(sent<ReplicateAck>(ahead).size(), 1u);
  EXPECT_TRUE(sent<ReplicateAck>(ahead)[0].success) << "entries may just be overtaking each other";
  f.host.clock = FixedLeader::kGapPatience / 2;
  Ready soon;
  f.policy.on_append(f.unit(), entry(6, 8), Address::node(0), soon);
  EXPECT_TRUE(sent<ReplicateAck>(soon).at(0).success);
  f.host.clock = FixedLeader::kGapPatience;
  Ready later;
  f.policy.on_append(f.unit(), entry(7, 9), Address::node(0), later);
  const auto acks = sent<ReplicateAck>(later);
  ASSERT_EQ(acks.size(), 1u);
  EXPECT_FALSE(acks[0].success) << "the leader must resend what is missing";
  EXPECT_EQ(acks[0].rejected, 6u);
  EXPECT_EQ(acks[0].hint, 1u);
  EXPECT_EQ(acks[0].match_index, 1u);
  EXPECT_EQ(f.unit().vol.early.size(), 3u) << "kept for when the gap fills";
}

TEST(FixedLeaderTest, ADuplicateIsAcknowledgedAgainNotApplied)
{
  Follower f;
  Ready out;
  f.policy.on_append(f.unit(), entry(1, 7), Address::node(0), out);
  f.host.take_trace();
  Ready again;
  f.policy.on_append(f.unit(), entry(1, 7), Address::node(0), again);
  EXPECT_TRUE(f.host.take_trace().empty());
  EXPECT_EQ(sent<ReplicateAck>(again).size(), 1u) << "the leader may have lost the first ack";
}

TEST(FixedLeaderTest, AnAppendOfAnOlderTermIsDroppedUnansweredAndANewerOneNamesItsSender)
{
  Follower f;
  Ready newer;
  f.policy.on_append(f.unit(), entry(1, 7, 2), Address::node(2), newer);
  EXPECT_EQ(f.unit().durable.term, 2u);
  EXPECT_EQ(f.unit().vol.leader, 2);

  Ready older;
  f.policy.on_append(f.unit(), entry(2, 7, 1), Address::node(0), older);
  EXPECT_TRUE(older.empty());
}

TEST(FixedLeaderTest, AFollowerLearnsTheCommitIndexNoFurtherThanItsLogAndCompactsAsTold)
{
  Follower f;
  Replicate m = entry(1, 7);
  m.commit = 5;
  m.compacted = 1;
  Ready out;
  f.policy.on_append(f.unit(), m, Address::node(0), out);
  EXPECT_EQ(f.unit().vol.commit, 1u);
  EXPECT_EQ(f.host.take_trace(), (Trace{"apply_replicated 0 index 1", "compact 0 through 1"}));
}

TEST(FixedLeaderTest, TheLeaderNeverStepsDownNorNamesALeaderInARefusal)
{
  Follower f;
  Ready out;
  f.policy.on_newer_term(f.unit(), 5, out);
  EXPECT_TRUE(f.host.take_trace().empty());
  EXPECT_EQ(f.policy.redirect_to(f.unit()), kNoNode);
  EXPECT_FALSE(f.policy.leaders_change());
}

// MongoDB's w: the write concern's count of replicas, the leader's own included.
TEST(FixedLeaderTest, AWriteIsAcknowledgedOnceTheWriteConcernsCountOfReplicasHoldsIt)
{
  const Placement placement = leader_follower_placement(3, 3);
  FakeHost host(placement, 0);
  UnitState& leader = host.unit(0);
  for (int i = 0; i < 6; ++i)
    leader.durable.log.push_back({1, 7, static_cast<Version>(i + 1), 0});
  auto& replicas = leader.vol.lead->replicas;
  replicas[0].match = 6;
  replicas[1].match = 4;
  replicas[2].match = 2;
  EXPECT_EQ(FixedLeader(host, 0, placement, WriteConcern::one).acknowledgeable(leader), 6u);
  EXPECT_EQ(FixedLeader(host, 0, placement, WriteConcern::majority).acknowledgeable(leader), 4u);
  EXPECT_EQ(FixedLeader(host, 0, placement, WriteConcern::all).acknowledgeable(leader), 2u);
  EXPECT_EQ(FixedLeader(host, 0, placement, WriteConcern::all).commit_index(leader), 4u) << "a majority, of term 1";
}

TEST(FixedLeaderTest, NoReplicaEverLeavesTheInSyncSetSoNoneRejoinsOrFails)
{
  const Placement placement = leader_follower_placement(3, 3);
  FakeHost host(placement, 0);
  FixedLeader policy(host, 0, placement, WriteConcern::all);
  UnitState& leader = host.unit(0);
  leader.vol.commit = 3;
  EXPECT_EQ(policy.rejoin_index(leader), 3u);
  EXPECT_FALSE(policy.fails_held_writes(leader.vol.lead.get()));
}

}  // namespace fixed_leader_test
}  // namespace replisim
