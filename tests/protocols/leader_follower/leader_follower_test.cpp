// LeaderFollowerNode on the fake network: MongoDB's write concern (w:1,
// w:majority, w:all), and what a replica set keeps when a secondary or its
// primary is cut off and returns.
#include <gtest/gtest.h>

#include <algorithm>
#include <utility>
#include <vector>

#include "support/replica_sets.hpp"

namespace replisim {
namespace leader_follower_test {

using test::ReplicaSets;
using test::kClient;
using test::is;
using test::is_any;
using test::same_entries;
TEST(LeaderFollowerTest, WriteConcernOneRepliesInTheReadyOfTheClientWrite)
{
  ReplicaSets c(3, 3, WriteConcern::one);
  Ready ready = c.node(0).step({kClient, Address::node(0), ClientWrite{7, 42}}, 0);

  ASSERT_EQ(ready.messages.size(), 3u);
  std::vector<NodeId> replicated_to;
  int replies = 0;
  for (const Envelope& e : ready.messages) {
    if (const auto* r = std::get_if<Replicate>(&e.message)) {
      replicated_to.push_back(e.to.index);
      EXPECT_EQ(r->index, 1u);
      EXPECT_EQ(r->version, 1u);
    } else {
      const auto& reply = std::get<WriteReply>(e.message);
      EXPECT_EQ(e.to, kClient);
      EXPECT_EQ(reply.op, 7u);
      EXPECT_TRUE(reply.ok);
      EXPECT_EQ(reply.version, 1u);
      EXPECT_EQ(reply.acks, 1);
      ++replies;
    }
  }
  EXPECT_EQ(replies, 1);
  EXPECT_EQ(replicated_to, (std::vector<NodeId>{1, 2}));

  for (Envelope& e : ready.messages)
    c.net.inject(std::move(e));
  c.net.deliver_all();
  EXPECT_EQ(c.node(1).version_of(42), 1u);
  EXPECT_EQ(c.node(2).version_of(42), 1u);
  EXPECT_EQ(c.replies().size(), 1u);  // the secondaries' acks add no second reply
}

TEST(LeaderFollowerTest, MajorityRepliesAfterOneSecondaryAck)
{
  ReplicaSets c(3, 3, WriteConcern::majority);
  c.write(1, 5, 0);
  ASSERT_TRUE(c.net.deliver_first(is_any<ClientWrite>()));
  ASSERT_TRUE(c.net.deliver_first(is_any<Replicate>()));
  ASSERT_TRUE(c.net.deliver_first(is_any<Replicate>()));
  EXPECT_EQ(c.net.in_flight().size(), 2u);  // the two acks, held back
  EXPECT_TRUE(std::none_of(c.net.in_flight().begin(), c.net.in_flight().end(), is_any<WriteReply>()));

  ASSERT_TRUE(c.net.deliver_first(is_any<ReplicateAck>()));
  ASSERT_TRUE(c.net.deliver_first(is_any<WriteReply>()));
  const auto replies = c.replies();
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_TRUE(replies[0].ok);
  EXPECT_EQ(replies[0].op, 1u);
  EXPECT_EQ(replies[0].version, 1u);
  EXPECT_EQ(replies[0].acks, 2);

  c.net.deliver_all();
  EXPECT_EQ(c.replies().size(), 1u);  // the late ack does not answer twice
}

TEST(LeaderFollowerTest, AllRepliesOnlyAfterBothSecondariesAck)
{
  ReplicaSets c(3, 3, WriteConcern::all);
  c.write(1, 5, 0);
  c.net.deliver_first(is_any<ClientWrite>());
  c.net.deliver_first(is_any<Replicate>());
  c.net.deliver_first(is_any<Replicate>());
  ASSERT_TRUE(c.net.deliver_first(is_any<ReplicateAck>()));
  EXPECT_EQ(c.net.in_flight().size(), 1u);  // only the second ack: no reply yet
  ASSERT_TRUE(c.net.deliver_first(is_any<ReplicateAck>()));
  c.net.deliver_all();

  const auto replies = c.replies();
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_TRUE(replies[0].ok);
  EXPECT_EQ(replies[0].version, 1u);
  EXPECT_EQ(replies[0].acks, 3);
}

TEST(LeaderFollowerTest, LostReplicationToOneSecondaryStillCommitsAtMajority)
{
  ReplicaSets c(3, 3, WriteConcern::majority);
  c.net.drop(is<Replicate>(Address::node(2)));
  c.write(1, 5, 0);
  c.net.deliver_all();

  const auto replies = c.replies();
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_TRUE(replies[0].ok);
  EXPECT_EQ(replies[0].acks, 2);
  EXPECT_EQ(c.node(1).version_of(5), 1u);
  EXPECT_EQ(c.node(2).version_of(5), 0u);
  EXPECT_EQ(c.net.dropped(), 1u);
}

TEST(LeaderFollowerTest, LostReplicationToOneSecondaryNeverCommitsAtAll)
{
  ReplicaSets c(3, 3, WriteConcern::all);
  c.net.drop(is<Replicate>(Address::node(2)));
  c.write(1, 5, 0);
  c.write(2, 6, 0);
  c.net.deliver_all();

  EXPECT_TRUE(c.replies().empty());
  EXPECT_EQ(c.node(0).version_of(5), 1u);  // the leader and one secondary hold it; that is not all
  EXPECT_EQ(c.node(1).version_of(5), 1u);
  EXPECT_EQ(c.node(2).version_of(5), 0u);
}

TEST(LeaderFollowerTest, IsolatedSecondaryLosesNoAcknowledgedMajorityWrite)
{
  ReplicaSets c(3, 3, WriteConcern::majority);
  c.net.isolate(Address::node(2));
  constexpr int kWrites = 50;
  for (int i = 0; i < kWrites; ++i)
    c.write(static_cast<OpId>(i), static_cast<Key>(i % 7), 0);
  c.net.deliver_all();

  const auto replies = c.replies();
  ASSERT_EQ(replies.size(), static_cast<std::size_t>(kWrites));
  // Node 2 holds nothing, which holds back compaction: the logs stay whole.
  EXPECT_EQ(c.node(0).log_of(0).kept(), static_cast<std::size_t>(kWrites));
  EXPECT_EQ(c.node(1).log_of(0).kept(), static_cast<std::size_t>(kWrites));
  EXPECT_EQ(c.node(0).log_of(0).compacted(), 0u);
  EXPECT_EQ(c.node(1).log_of(0).compacted(), 0u);
  EXPECT_TRUE(c.node(2).log_of(0).empty());
  std::vector<OpId> ops;
  for (const WriteReply& reply : replies)
    ops.push_back(reply.op);
  std::sort(ops.begin(), ops.end());
  EXPECT_EQ(std::adjacent_find(ops.begin(), ops.end()), ops.end());  // each write answered once
  EXPECT_EQ(ops.back(), static_cast<OpId>(kWrites - 1));

  // Each acknowledged (key, version) is in the log of a majority of the set:
  // here exactly the leader and node 1, since node 2 heard nothing.
  for (const WriteReply& reply : replies) {
    EXPECT_TRUE(reply.ok);
    EXPECT_EQ(reply.acks, 2);
    const Key key = static_cast<Key>(reply.op % 7);  // op i wrote key i % 7
    const Version version = reply.version;
    int holders = 0;
    for (NodeId n : c.placement.replicas(0)) {
      const auto& log = c.node(n).log_of(0);
      holders += std::any_of(log.begin(), log.end(), [&](const LogEntry& x) {
        return x.key == key && x.version == version;
      }) ? 1 : 0;
    }
    EXPECT_EQ(holders, 2) << "key " << key << " version " << version;
  }
}

// Failover off, a secondary cut off for a while catches up from its leader
// on the first write after it returns, and w:all writes commit again.
TEST(LeaderFollowerTest, AReturningSecondaryCatchesUpAndRejoinsTheWritePath)
{
  ReplicaSets c(3, 3, WriteConcern::all, false);
  c.net.isolate(Address::node(2));
  constexpr int kMissed = 130;  // more than one catch-up batch (kCatchUpBatch = 64)
  for (int i = 0; i < kMissed; ++i)
    c.write(static_cast<OpId>(i), static_cast<Key>(i % 5), 0);
  c.net.deliver_all();
  EXPECT_TRUE(c.replies().empty()) << "w:all cannot commit while node 2 is away";
  c.net.recover(Address::node(2));
  c.write(kMissed, 3, 0);
  c.net.deliver_all();  // node 2 keeps it: entries may overtake each other
  c.net.advance_to(FixedLeader::kGapPatience);
  c.write(kMissed + 1, 4, 0);
  c.net.deliver_all();  // the gap is still open: node 2 asks for what it lacks

  EXPECT_EQ(c.node(2).applied_index(0), static_cast<LogIndex>(kMissed + 2));
  EXPECT_TRUE(same_entries(c.node(2).log_of(0), c.node(0).log_of(0)));
  const auto replies = c.replies();
  ASSERT_EQ(replies.size(), static_cast<std::size_t>(kMissed + 2));
  for (const WriteReply& reply : replies)
    EXPECT_TRUE(reply.ok && reply.acks == 3);
}

// Failover off, the primary crashes with entries its secondaries never got
// and returns: they fetch what they lack and writes commit again.
TEST(LeaderFollowerTest, AReturningPrimaryIsFollowedAgain)
{
  ReplicaSets c(3, 3, WriteConcern::majority, false);
  c.write(1, 5, 0);
  while (c.net.deliver_first(is_any<ClientWrite>())) {
  }
  c.net.isolate(Address::node(0));  // its entry 1 never leaves
  c.node(0).crash(0.5);
  c.net.recover(Address::node(0));
  const Ready back = c.node(0).recover(1);
  EXPECT_TRUE(back.messages.empty());
  c.net.advance_to(1);
  c.write(2, 6, 0);
  c.net.deliver_all();
  c.net.advance_to(1 + FixedLeader::kGapPatience);
  c.write(3, 6, 0);
  c.net.deliver_all();

  const auto replies = c.replies();
  ASSERT_EQ(replies.size(), 2u);
  EXPECT_TRUE(replies[0].ok && replies[1].ok);
  EXPECT_EQ(replies[0].op, 2u);
  for (NodeId n : {1, 2}) {
    EXPECT_EQ(c.node(n).applied_index(0), 3u) << "node " << n;
    EXPECT_EQ(c.node(n).version_of(5), 1u) << "node " << n;
  }
}

}  // namespace leader_follower_test
}  // namespace replisim
