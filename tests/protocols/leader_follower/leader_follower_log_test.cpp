// LeaderFollowerNode on the fake network: log-order replication under
// reordering and duplicates, refusals and reads off the primary, terms, and
// the counters that separate led from replicated writes.
#include <gtest/gtest.h>

#include <algorithm>
#include <stdexcept>
#include <vector>

#include "support/replica_sets.hpp"

namespace replisim {
namespace leader_follower_log_test {

using test::ReplicaSets;
using test::is;
using test::is_any;
using test::key_in;
using test::read_at;
using test::same_entries;
using test::expect_one_leader_per_unit_and_term;
TEST(LeaderFollowerTest, ReorderedReplicationAppliesInLogOrder)
{
  ReplicaSets c(3, 3, WriteConcern::majority, false);  // compares whole logs
  constexpr int kWrites = 20;
  for (int i = 0; i < kWrites; ++i)
    c.write(static_cast<OpId>(i), static_cast<Key>(i % 3), 0);
  while (c.net.deliver_first(is_any<ClientWrite>())) {
  }
  ASSERT_EQ(c.net.in_flight().size(), 2u * kWrites);  // 20 Replicate to each secondary
  c.net.reorder(2024);
  c.net.deliver_all();

  // The shuffle really did send entries out of order, or the test proves nothing.
  std::vector<LogIndex> arrival;
  for (const Envelope& e : c.net.delivered())
    if (const auto* r = std::get_if<Replicate>(&e.message); r != nullptr && e.to == Address::node(1))
      arrival.push_back(r->index);
  ASSERT_EQ(arrival.size(), static_cast<std::size_t>(kWrites));
  EXPECT_FALSE(std::is_sorted(arrival.begin(), arrival.end()));

  for (NodeId follower : {1, 2}) {
    EXPECT_TRUE(same_entries(c.node(follower).log_of(0), c.node(0).log_of(0))) << "follower " << follower;
    EXPECT_EQ(c.node(follower).applied_index(0), static_cast<LogIndex>(kWrites));
    for (Key k = 0; k < 3; ++k)
      EXPECT_EQ(c.node(follower).version_of(k), c.node(0).version_of(k));
    std::vector<LogIndex> acked;  // in the order the leader received them
    for (const Envelope& e : c.net.delivered())
      if (const auto* a = std::get_if<ReplicateAck>(&e.message); a != nullptr && e.from == Address::node(follower))
        acked.push_back(a->match_index);
    ASSERT_EQ(acked.size(), static_cast<std::size_t>(kWrites));
    EXPECT_TRUE(std::is_sorted(acked.begin(), acked.end())) << "follower " << follower;
    EXPECT_EQ(acked.back(), static_cast<LogIndex>(kWrites));
  }
  EXPECT_EQ(c.replies().size(), static_cast<std::size_t>(kWrites));
}

TEST(LeaderFollowerTest, LateLowerAckDoesNotLowerTheMatch)
{
  ReplicaSets c(3, 3, WriteConcern::all);
  c.write(1, 5, 0);
  c.write(2, 5, 0);
  while (c.net.deliver_first(is_any<ClientWrite>())) {
  }
  while (c.net.deliver_first(is<Replicate>(Address::node(1)))) {
  }
  // Node 1's acks for index 1 and 2 arrive swapped: the stale one must not undo the newer.
  const auto ack_of = [](LogIndex index) {
    return [index](const Envelope& e) {
      const auto* a = std::get_if<ReplicateAck>(&e.message);
      return a != nullptr && a->match_index == index;
    };
  };
  ASSERT_TRUE(c.net.deliver_first(ack_of(2)));
  ASSERT_TRUE(c.net.deliver_first(ack_of(1)));
  c.net.deliver_all();  // node 2 catches up

  const auto replies = c.replies();
  ASSERT_EQ(replies.size(), 2u);
  EXPECT_EQ(replies[0].version, 1u);
  EXPECT_EQ(replies[1].version, 2u);
  EXPECT_EQ(replies[1].acks, 3);
}

TEST(LeaderFollowerTest, EarlyEntriesWaitForTheGap)
{
  ReplicaSets c(3, 3, WriteConcern::majority);
  LeaderFollowerNode& follower = c.node(1);
  const Address leader = Address::node(0);
  const Ready ahead = follower.step({leader, Address::node(1), Replicate{1, 0, 2, 8, 1}}, 0);
  ASSERT_EQ(ahead.messages.size(), 1u);
  EXPECT_EQ(std::get<ReplicateAck>(ahead.messages[0].message).match_index, 0u);  // nothing applied yet
  EXPECT_EQ(follower.applied_index(0), 0u);
  EXPECT_EQ(follower.version_of(8), 0u);

  const Ready gap = follower.step({leader, Address::node(1), Replicate{1, 0, 1, 7, 1}}, 0);
  ASSERT_EQ(gap.messages.size(), 1u);
  EXPECT_EQ(std::get<ReplicateAck>(gap.messages[0].message).match_index, 2u);
  EXPECT_EQ(follower.applied_index(0), 2u);
  EXPECT_EQ(follower.log_of(0).at(1).key, 7u);
  EXPECT_EQ(follower.log_of(0).at(2).key, 8u);
}

TEST(LeaderFollowerTest, DuplicateReplicateIsAcknowledgedButAppliedOnce)
{
  ReplicaSets c(3, 3, WriteConcern::majority);
  const Envelope entry{Address::node(0), Address::node(1), Replicate{1, 0, 1, 7, 1}};
  c.node(1).step(entry, 0);
  const Ready again = c.node(1).step(entry, 0);
  ASSERT_EQ(again.messages.size(), 1u);
  EXPECT_EQ(std::get<ReplicateAck>(again.messages[0].message).match_index, 1u);
  EXPECT_EQ(c.node(1).applied_index(0), 1u);
  EXPECT_EQ(c.node(1).counters().writes_replicated, 1u);
}

TEST(LeaderFollowerTest, WriteToANonPrimaryIsRefused)
{
  ReplicaSets c(6, 3, WriteConcern::majority);
  const Key key = key_in(c.placement, 0);
  c.write(1, key, 1);  // a secondary of the key's shard
  c.write(2, key, 3);  // a node of another shard
  c.net.deliver_all();

  const auto replies = c.replies();
  ASSERT_EQ(replies.size(), 2u);
  for (const WriteReply& r : replies) {
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.version, 0u);
    EXPECT_EQ(r.acks, 0);
  }
  EXPECT_EQ(replies[0].op, 1u);
  EXPECT_EQ(replies[1].op, 2u);
  EXPECT_TRUE(c.net.received<Replicate>(Address::node(2)).empty());
  for (NodeId n = 0; n < 6; ++n)
    EXPECT_EQ(c.node(n).version_of(key), 0u) << "node " << n;
}

TEST(LeaderFollowerTest, ReadAtASecondaryReturnsTheVersionItHolds)
{
  ReplicaSets c(3, 3, WriteConcern::one);
  c.write(1, 4, 0);
  c.write(2, 4, 0);
  c.net.deliver_first(is_any<ClientWrite>());
  c.net.deliver_first(is_any<ClientWrite>());

  EXPECT_EQ(read_at(c.node(0), 0, 4).version, 2u);
  const ReadReply before = read_at(c.node(1), 1, 4);
  EXPECT_TRUE(before.ok);
  EXPECT_EQ(before.version, 0u);  // stale: nothing replicated yet

  ASSERT_TRUE(c.net.deliver_first(is<Replicate>(Address::node(1))));
  EXPECT_EQ(read_at(c.node(1), 1, 4).version, 1u);
  ASSERT_TRUE(c.net.deliver_first(is<Replicate>(Address::node(1))));
  EXPECT_EQ(read_at(c.node(1), 1, 4).version, 2u);
  EXPECT_EQ(read_at(c.node(2), 2, 4).version, 0u);
}

TEST(LeaderFollowerTest, ReadAtANonReplicaFails)
{
  ReplicaSets c(6, 3, WriteConcern::one);
  const Key key = key_in(c.placement, 0);
  const ReadReply reply = read_at(c.node(4), 4, key);
  EXPECT_FALSE(reply.ok);
  EXPECT_EQ(reply.version, 0u);
}

TEST(LeaderFollowerTest, OneLeaderPerUnitAndTermOnEveryReplica)
{
  ReplicaSets c(9, 3, WriteConcern::majority);
  for (UnitId unit = 0; unit < 3; ++unit) {
    EXPECT_EQ(c.node(c.placement.primary(unit)).leader_of(unit), c.placement.primary(unit));
    EXPECT_EQ(c.node(c.placement.primary(unit)).term_of(unit), 1u);
  }
  for (OpId op = 0; op < 30; ++op) {
    const Key key = key_in(c.placement, static_cast<UnitId>(op % 3), op * 11);
    c.write(op, key, c.placement.primary(c.placement.unit_of(key)));
  }
  c.net.reorder(7);
  // LogCabin-style: check the invariant after every single delivery.
  while (c.net.deliver_one())
    expect_one_leader_per_unit_and_term(c);
  EXPECT_EQ(c.replies().size(), 30u);
  EXPECT_THROW(c.node(3).leader_of(0), std::out_of_range);  // node 3 is not in unit 0's set
}

TEST(LeaderFollowerTest, StaleTermReplicateIsIgnored)
{
  ReplicaSets c(3, 3, WriteConcern::majority);
  LeaderFollowerNode& follower = c.node(1);
  // Node 2 leads term 2 (as it would after an election); node 0, deposed, still sends term 1.
  follower.step({Address::node(2), Address::node(1), Replicate{2, 0, 1, 7, 1}}, 0);
  ASSERT_EQ(follower.term_of(0), 2u);
  ASSERT_EQ(follower.leader_of(0), 2);

  const Ready stale = follower.step({Address::node(0), Address::node(1), Replicate{1, 0, 2, 9, 1}}, 0);
  EXPECT_TRUE(stale.empty());  // not even acknowledged
  EXPECT_EQ(follower.applied_index(0), 1u);
  EXPECT_EQ(follower.version_of(9), 0u);
  EXPECT_EQ(follower.term_of(0), 2u);
  EXPECT_EQ(follower.leader_of(0), 2);
}

TEST(LeaderFollowerTest, AckOfAnotherTermDoesNotCommit)
{
  ReplicaSets c(3, 3, WriteConcern::majority);
  c.net.drop(is_any<Replicate>());  // no genuine ack: the test forges them
  c.write(1, 5, 0);
  c.net.deliver_all();
  c.net.inject({Address::node(1), Address::node(0), ReplicateAck{0, 0, 1}});
  c.net.inject({Address::node(2), Address::node(0), ReplicateAck{3, 0, 1}});
  c.net.deliver_all();
  EXPECT_TRUE(c.replies().empty());

  c.net.inject({Address::node(1), Address::node(0), ReplicateAck{1, 0, 1}});
  c.net.deliver_all();
  ASSERT_EQ(c.replies().size(), 1u);
  EXPECT_EQ(c.replies()[0].acks, 2);
}

TEST(LeaderFollowerTest, VersionsPerKeyIncreaseByOnePerWrite)
{
  ReplicaSets c(3, 3, WriteConcern::one);
  const std::vector<Key> keys{7, 8, 7, 7, 8, 7, 7};
  for (std::size_t i = 0; i < keys.size(); ++i)
    c.write(static_cast<OpId>(i), keys[i], 0);
  c.net.deliver_all();

  std::vector<Version> versions;
  for (const WriteReply& r : c.replies())
    versions.push_back(r.version);
  EXPECT_EQ(versions, (std::vector<Version>{1, 1, 2, 3, 2, 4, 5}));
  EXPECT_EQ(c.node(0).version_of(7), 5u);
  EXPECT_EQ(c.node(0).version_of(8), 2u);
  EXPECT_EQ(c.node(2).version_of(7), 5u);
}

TEST(LeaderFollowerTest, CountersSeparateLedFromReplicatedWrites)
{
  ReplicaSets c(3, 3, WriteConcern::all);
  for (OpId op = 0; op < 4; ++op)
    c.write(op, op, 0);
  c.write(9, 1, 1);  // refused: not led, not replicated
  c.net.deliver_all();
  EXPECT_EQ(c.node(0).counters().writes_led, 4u);
  EXPECT_EQ(c.node(0).counters().writes_replicated, 0u);
  for (NodeId n : {1, 2}) {
    EXPECT_EQ(c.node(n).counters().writes_led, 0u);
    EXPECT_EQ(c.node(n).counters().writes_replicated, 4u);
  }
}

}  // namespace leader_follower_log_test
}  // namespace replisim
