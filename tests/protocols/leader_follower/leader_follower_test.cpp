// LeaderFollowerNode on the fake network: MongoDB's write concern (w:1,
// w:majority, w:all), log-order replication, and the invariants a replica set
// must keep under loss, reordering and isolation.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <stdexcept>
#include <utility>
#include <vector>

#include "protocols/leader_follower/fixed_leader.hpp"
#include "protocols/leader_follower/leader_follower.hpp"
#include "support/fake_network.hpp"

namespace replisim {
namespace {

using test::FakeNetwork;
using test::is;
using test::is_any;

const Address kClient = Address::client(0);

// `nodes` LeaderFollowerNodes on one fake network, placed as the leader-follower
// model places them. Replies to clients are read from the network's trace.
// `compact_logs` off keeps whole logs, for tests that read them entry by entry.
struct ReplicaSets {
  ReplicaSets(int node_count, int rf, WriteConcern concern, bool compact_logs = true)
      : placement(leader_follower_placement(node_count, rf))
  {
    for (NodeId n = 0; n < node_count; ++n) {
      nodes.push_back(std::make_unique<LeaderFollowerNode>(n, placement, concern, 1, FailoverConfig::none(),
                                                           compact_logs));
      net.add(Address::node(n), *nodes.back());
    }
    net.start_all();
  }

  LeaderFollowerNode& node(NodeId n) { return *nodes.at(n); }
  void write(OpId op, Key key, NodeId to) { net.inject({kClient, Address::node(to), ClientWrite{op, key}}); }
  std::vector<WriteReply> replies() const { return net.received<WriteReply>(kClient); }

  Placement placement;  // before the nodes, which keep a reference to it
  std::vector<std::unique_ptr<LeaderFollowerNode>> nodes;
  FakeNetwork net;
};

// The first key of `unit` at or after `from`.
Key key_in(const Placement& placement, UnitId unit, Key from = 0)
{
  while (placement.unit_of(from) != unit)
    ++from;
  return from;
}

ReadReply read_at(LeaderFollowerNode& node, NodeId self, Key key)
{
  const Ready ready = node.step({kClient, Address::node(self), ClientRead{99, key}}, 0);
  EXPECT_EQ(ready.messages.size(), 1u);
  return std::get<ReadReply>(ready.messages.at(0).message);
}

bool same_entries(const Log& a, const Log& b)
{
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](const LogEntry& x, const LogEntry& y) {
    return x.term == y.term && x.key == y.key && x.version == y.version;
  });
}

// Every replica of a unit names the same leader for the unit's current term,
// and that leader, alone, believes it leads (Raft's Election Safety: "at most
// one leader can be elected in a given term").
void expect_one_leader_per_unit_and_term(ReplicaSets& c)
{
  for (UnitId unit = 0; unit < c.placement.unit_count(); ++unit) {
    const auto set = c.placement.replicas(unit);
    const Term term = c.node(set.front()).term_of(unit);
    const NodeId leader = c.node(set.front()).leader_of(unit);
    int self_leaders = 0;
    for (NodeId n : set) {
      EXPECT_EQ(c.node(n).term_of(unit), term) << "unit " << unit << " node " << n;
      EXPECT_EQ(c.node(n).leader_of(unit), leader) << "unit " << unit << " node " << n;
      self_leaders += c.node(n).leader_of(unit) == n ? 1 : 0;
    }
    EXPECT_EQ(self_leaders, 1) << "unit " << unit;
  }
}

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

}  // namespace
}  // namespace replisim
