// Log replication of LeaderFollowerNode with failover on, across leader
// changes: catch-up by backtracking, truncation of a deposed leader's
// uncommitted entries (and the w:1 writes that go with them), pending writes
// at step-down, the commit rule of §5.4.2, Kafka's in-sync set, and
// partitions failing over one by one (MongoDB's catch-up is in
// mongodb_catch_up_test.cpp). Each test cites the
// Raft paper (Ongaro and Ousterhout, USENIX ATC 2014) where it checks it;
// Raft's safety properties are checked after every input
// (support/election_cluster.hpp).
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <vector>

#include "support/election_cluster.hpp"
#include "protocols/kafka/kafka_assignment.hpp"

namespace replisim {
namespace election_log_test {

using test::ElectionCluster;
using test::FakeNetwork;
using test::is;
using test::is_any;
using test::key_in;
using Kind = RoleEvent::Kind;

constexpr Time kLo = 0.150;
constexpr Time kHi = 0.300;
constexpr Time kBeat = 0.050;
constexpr Time kTick = 0.001;

FailoverConfig raft(std::uint64_t seed = 1) { return FailoverConfig::raft(kLo, kHi, kBeat, seed); }

// Cuts every link between `node` and the other nodes while *cut is true
// (clients still reach it): a partition that heals when the test says.
std::shared_ptr<bool> cut_off(FakeNetwork& net, NodeId node)
{
  auto cut = std::make_shared<bool>(true);
  net.drop([cut, node](const Envelope& e) {
    return *cut && e.from.is_node() && e.to.is_node() && (e.from.index == node || e.to.index == node);
  });
  return cut;
}

// In node n's whole log, its compacted prefix included.
bool holds(const ElectionCluster& c, NodeId n, UnitId unit, OpId op)
{
  const auto& log = c.full_log(n, unit);
  return std::any_of(log.begin(), log.end(), [op](const LogEntry& e) { return e.op == op; });
}

// Refusals `from` sent: acks with success = false, alone or in a heartbeat's reply.
std::vector<ReplicateAck> refusals_from(const FakeNetwork& net, NodeId from, std::size_t since = 0)
{
  std::vector<ReplicateAck> out;
  for (std::size_t i = since; i < net.delivered().size(); ++i) {
    const Envelope& e = net.delivered()[i];
    if (e.from != Address::node(from))
      continue;
    if (const auto* a = std::get_if<ReplicateAck>(&e.message); a != nullptr && !a->success)
      out.push_back(*a);
    if (const auto* r = std::get_if<HeartbeatReply>(&e.message))
      for (const ReplicateAck& a : r->acks)
        if (!a.success)
          out.push_back(a);
  }
  return out;
}

// §5.3: "When sending an AppendEntries RPC, the leader includes the index and
// term of the entry in its log that immediately precedes the new entries. If
// the follower does not find an entry in its log with the same index and term,
// then it refuses the new entries"; "After a rejection, the leader decrements
// nextIndex and retries the AppendEntries RPC. Eventually nextIndex will reach
// a point where the leader and follower logs match."
TEST(ElectionLogTest, ARecoveredFollowerCatchesUpThroughItsRefusalAndNextIndex)
{
  ElectionCluster c(leader_follower_placement(3, 3), WriteConcern::majority, raft());
  c.start();
  c.run_for(0.01, kTick);
  c.crash(2);
  constexpr OpId kWrites = 100;  // more than one batch (kCatchUpBatch = 64)
  for (OpId op = 1; op <= kWrites; ++op)
    c.write(op, op % 13, 0);
  c.net.deliver_all();
  ASSERT_EQ(c.replies().size(), kWrites);
  EXPECT_EQ(c.node(0).match_index(0, 2), 0u);
  EXPECT_EQ(c.node(0).next_index(0, 2), kWrites + 1);  // sent, and lost

  const std::size_t before = c.net.delivered().size();
  c.recover(2);
  EXPECT_GE(c.node(2).election_deadline(0), c.net.now() + kLo);
  EXPECT_LE(c.node(2).election_deadline(0), c.net.now() + kHi);
  c.run_for(0.2, kTick);

  const auto refused = refusals_from(c.net, 2, before);
  ASSERT_EQ(refused.size(), 1u);  // one heartbeat found the gap
  EXPECT_EQ(refused[0].hint, 0u);
  std::size_t resent = 0;
  for (std::size_t i = before; i < c.net.delivered().size(); ++i)
    resent += std::holds_alternative<Replicate>(c.net.delivered()[i].message) ? 1 : 0;
  EXPECT_EQ(resent, kWrites);  // each missing entry once
  EXPECT_EQ(c.full_log(2, 0), c.full_log(0, 0));
  EXPECT_EQ(c.node(0).match_index(0, 2), kWrites);
  EXPECT_EQ(c.node(0).next_index(0, 2), kWrites + 1);
  for (Key k = 0; k < 13; ++k)
    EXPECT_EQ(c.node(2).version_of(k), c.node(0).version_of(k));
  EXPECT_EQ(c.node(2).term_of(0), 1u);  // the heartbeat came before its timeout
  EXPECT_EQ(c.events.size(), 1u);       // node 0's lead of term 1, nothing since
  EXPECT_EQ(c.violation(), "");
}

// §5.3: "If desired, the protocol can be optimized to reduce the number of
// rejected AppendEntries RPCs": after a refusal the leader probes one entry
// at a time, and a refusal of an append it has since backed up from (here a
// second heartbeat's, delivered late) costs nothing (etcd's probe state).
TEST(ElectionLogTest, ARefusalTheLeaderHasAlreadyActedOnIsIgnored)
{
  ElectionCluster c(leader_follower_placement(3, 3), WriteConcern::majority, raft());
  c.start();
  c.run_for(0.01, kTick);
  c.crash(2);
  for (OpId op = 1; op <= 10; ++op)
    c.write(op, op, 0);
  c.net.deliver_all();
  c.recover(2);
  const auto to_leader = [](const Envelope& e) { return e.to == Address::node(0); };
  const auto refusal = [](const Envelope& e) {
    return e.from == Address::node(2) && std::holds_alternative<HeartbeatReply>(e.message);
  };
  for (int beat = 0; beat < 2; ++beat) {  // two heartbeats reach node 2; its refusals are held
    while (!c.net.deliver_first(is<Heartbeat>(Address::node(2))))
      c.net.advance_to(c.net.now() + kTick);
    c.net.deliver_first(is<Heartbeat>(Address::node(1)));
    while (c.net.deliver_first([&](const Envelope& e) { return to_leader(e) && !refusal(e); })) {
    }
  }
  ASSERT_EQ(std::count_if(c.net.in_flight().begin(), c.net.in_flight().end(), refusal), 2);
  ASSERT_TRUE(c.net.deliver_first(refusal));
  ASSERT_TRUE(c.net.deliver_first(refusal));
  EXPECT_EQ(std::count_if(c.net.in_flight().begin(), c.net.in_flight().end(), is<Replicate>(Address::node(2))), 1);
  EXPECT_EQ(c.node(0).next_index(0, 2), 1u);
  c.run_for(0.01, kTick);
  EXPECT_EQ(c.net.received<Replicate>(Address::node(2)).size(), 10u);  // each entry once
  EXPECT_EQ(c.full_log(2, 0), c.full_log(0, 0));
  EXPECT_EQ(c.violation(), "");
}

// §5.3: "In Raft, the leader handles inconsistencies by forcing the followers'
// logs to duplicate its own. This means that conflicting entries in follower
// logs will be overwritten with entries from the leader's log"; §5.1: a leader
// that "discovers that its term is out of date ... immediately reverts to
// follower state". A w:1 write acknowledged by the deposed leader alone goes
// with its entry: lost.
TEST(ElectionLogTest, AStaleLeaderStepsDownAndLosesItsUncommittedW1Writes)
{
  ElectionCluster c(leader_follower_placement(3, 3), WriteConcern::one, raft());
  c.start();
  c.write(1, 100, 0);
  c.run_for(0.1, kTick);
  const auto cut = cut_off(c.net, 0);
  for (OpId op = 2; op <= 11; ++op)
    c.write(op, 100 + op, 0);
  c.net.deliver_all();
  auto replies = c.replies();
  ASSERT_EQ(replies.size(), 11u);
  for (const WriteReply& r : replies)
    EXPECT_TRUE(r.ok) << "op " << r.op;  // w:1: node 0 alone acknowledged ops 2..11
  EXPECT_EQ(c.node(0).version_of(105), 1u);

  ASSERT_TRUE(c.run_until(Kind::became_leader, 2, 2.0, kTick));
  const NodeId leader = c.events_of(Kind::became_leader)[1].node;
  EXPECT_EQ(c.node(0).role_of(0), ReplicaRole::leader);  // still believes it leads term 1
  c.write(12, 200, leader);
  c.run_for(0.01, kTick);

  const std::size_t before = c.net.delivered().size();
  *cut = false;
  c.run_for(0.3, kTick);
  EXPECT_EQ(c.node(0).role_of(0), ReplicaRole::follower);
  EXPECT_EQ(c.node(0).leader_of(0), leader);
  EXPECT_EQ(c.node(0).term_of(0), c.node(leader).term_of(0));
  const auto stopped = c.events_of(Kind::stopped_leading);
  ASSERT_EQ(stopped.size(), 1u);
  EXPECT_EQ(stopped[0].node, 0);
  EXPECT_EQ(stopped[0].term, 1u);

  for (NodeId n = 0; n < 3; ++n) {
    EXPECT_EQ(c.full_log(n, 0), c.full_log(leader, 0)) << "node " << n;
    EXPECT_TRUE(holds(c, n, 0, 1));
    EXPECT_TRUE(holds(c, n, 0, 12));
    for (OpId op = 2; op <= 11; ++op)
      EXPECT_FALSE(holds(c, n, 0, op)) << "op " << op << " on node " << n;
  }
  EXPECT_EQ(c.node(0).version_of(105), 0u);  // truncated entries are un-applied
  EXPECT_EQ(c.node(0).version_of(100), 1u);
  // §5.3's optimisation: ten conflicting entries of one term, one refusal.
  EXPECT_EQ(refusals_from(c.net, 0, before).size(), 1u);
  EXPECT_EQ(c.violation(), "");
}

// MongoDB fails the writes a primary was waiting on when it steps down
// (InterruptedDueToReplStateChange): the client learns at once, and must
// treat them as unknown.
TEST(ElectionLogTest, PendingWritesFailAtStepDownNamingTheNewLeader)
{
  ElectionCluster c(leader_follower_placement(3, 3), WriteConcern::majority, raft());
  c.start();
  c.run_for(0.1, kTick);
  const auto cut = cut_off(c.net, 0);
  c.write(2, 5, 0);
  c.net.deliver_all();
  ASSERT_TRUE(c.replies().empty());
  ASSERT_TRUE(c.run_until(Kind::became_leader, 2, 2.0, kTick));
  const NodeId leader = c.events_of(Kind::became_leader)[1].node;

  *cut = false;
  const auto from_leader = [leader](const Envelope& e) {
    return e.from == Address::node(leader) && e.to == Address::node(0) && std::holds_alternative<Heartbeat>(e.message);
  };
  while (!c.net.deliver_first(from_leader))  // the new leader's heartbeat reaches node 0 first
    c.net.advance_to(c.net.now() + kTick);
  c.net.deliver_first(is_any<WriteReply>());
  const auto replies = c.replies();
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_EQ(replies[0].op, 2u);
  EXPECT_FALSE(replies[0].ok);
  EXPECT_EQ(replies[0].leader, leader);
  EXPECT_EQ(c.node(0).role_of(0), ReplicaRole::follower);
  c.run_for(0.3, kTick);
  EXPECT_FALSE(holds(c, 0, 0, 2));  // it had not committed, and never will
  EXPECT_EQ(c.violation(), "");
}

// §5.4.2: "Raft never commits log entries from previous terms by counting
// replicas. Only log entries from the leader's current term are committed by
// counting replicas; once an entry from the current term has been committed in
// this way, then all prior entries are committed indirectly"; §8: "each leader
// commit[s] a blank no-op entry into the log at the start of its term."
TEST(ElectionLogTest, EntriesOfAnEarlierTermCommitOnlyWithTheNewLeadersNoOp)
{
  ElectionCluster c(leader_follower_placement(3, 3), WriteConcern::majority, raft());
  c.start();
  c.run_for(0.1, kTick);
  auto hold_acks = std::make_shared<bool>(true);
  c.net.drop([hold_acks](const Envelope& e) { return *hold_acks && std::holds_alternative<ReplicateAck>(e.message); });
  c.write(1, 5, 0);
  c.net.deliver_all();
  for (NodeId n = 0; n < 3; ++n)
    ASSERT_EQ(c.node(n).log_of(0).last_index(), 1u);  // on every replica, committed by none
  EXPECT_EQ(c.node(0).commit_index(0), 0u);
  c.crash(0);
  ASSERT_TRUE(c.run_until(Kind::became_leader, 2, 2.0, kTick));
  const NodeId leader = c.events_of(Kind::became_leader)[1].node;
  const NodeId follower = 3 - leader;
  ASSERT_EQ(c.node(leader).log_of(0).last_index(), 2u);
  EXPECT_TRUE(c.node(leader).log_of(0).at(2).is_noop());
  EXPECT_EQ(c.node(leader).log_of(0).at(2).term, 2u);

  // The follower holds entry 1 too: a majority, but of term 1, so no commit.
  const Term term = c.node(leader).term_of(0);
  *hold_acks = false;
  ASSERT_TRUE(c.net.in_flight().empty());
  c.net.inject({Address::node(follower), Address::node(leader),
                ReplicateAck{.term = term, .unit = 0, .match_index = 1, .last_index = 1}});
  ASSERT_TRUE(c.net.deliver_first(is_any<ReplicateAck>()));
  EXPECT_EQ(c.node(leader).match_index(0, follower), 1u);
  EXPECT_EQ(c.node(leader).commit_index(0), 0u);
  c.run_for(0.1, kTick);  // the no-op's acknowledgement comes with the reply to the next heartbeat
  EXPECT_EQ(c.node(leader).commit_index(0), 2u);
  EXPECT_EQ(c.node(follower).commit_index(0), 2u);
  EXPECT_EQ(c.violation(), "");
}

// Kafka's acks=all waits for the in-sync replicas; a follower silent for
// replica_lag_max leaves the set, and below min.insync.replicas a write is
// refused at once. Raft's elections need a majority as well: a write is
// acknowledged only once committed.
TEST(ElectionLogTest, AcksAllWaitsForTheInSyncReplicasAndRefusesBelowMinInsync)
{
  ElectionCluster c(leader_follower_placement(3, 3), WriteConcern::all, raft(), /*min_insync=*/2);
  c.start();
  c.run_for(0.1, kTick);
  c.crash(2);
  const Time crashed = c.net.now();
  c.write(1, 5, 0);
  c.net.deliver_all();
  EXPECT_TRUE(c.replies().empty());  // node 2 is still in sync: wait for it
  while (c.replies().empty() && c.net.now() < crashed + 2.0) {
    c.net.advance_to(c.net.now() + kTick);
    c.net.deliver_all();
  }
  ASSERT_EQ(c.replies().size(), 1u);
  EXPECT_TRUE(c.replies()[0].ok);
  EXPECT_EQ(c.replies()[0].acks, 2);
  EXPECT_GT(c.replies()[0].committed - crashed, kHi);  // replica_lag_max of the raft preset: hi
  EXPECT_LE(c.replies()[0].committed - crashed, kHi + kBeat + 1e-9);
  EXPECT_FALSE(c.node(0).in_sync(0, 2));
  EXPECT_TRUE(c.node(0).in_sync(0, 1));

  c.crash(1);
  c.write(2, 5, 0);
  c.run_for(kHi + 2 * kBeat, kTick);
  EXPECT_EQ(c.replies().size(), 1u);  // node 1 left the set, but a lone leader commits nothing
  c.write(3, 5, 0);
  c.run_for(0.01, kTick);
  ASSERT_EQ(c.replies().size(), 2u);
  EXPECT_EQ(c.replies()[1].op, 3u);
  EXPECT_FALSE(c.replies()[1].ok);  // one replica in sync, min.insync 2: refused at once

  c.recover(1);
  c.run_for(0.1, kTick);
  EXPECT_TRUE(c.node(0).in_sync(0, 1));
  ASSERT_EQ(c.replies().size(), 3u);
  EXPECT_EQ(c.replies()[2].op, 2u);
  EXPECT_TRUE(c.replies()[2].ok);
  c.recover(2);
  c.run_for(0.1, kTick);
  EXPECT_TRUE(c.node(0).in_sync(0, 2));
  EXPECT_EQ(c.full_log(2, 0), c.full_log(0, 0));
  EXPECT_EQ(c.violation(), "");
}

// Kafka: "each partition it led elects" a new leader; the others are untouched.
TEST(ElectionLogTest, PartitionsFailOverOneByOne)
{
  const Placement placement = kafka_placement(4, 8, 3, 0);
  ElectionCluster c(placement, WriteConcern::majority, raft());
  c.start();
  c.run_for(0.1, kTick);
  c.crash(0);
  c.run_for(1.0, kTick);
  for (UnitId u = 0; u < placement.unit_count(); ++u) {
    const NodeId leader = c.leader(u);
    if (placement.primary(u) == 0) {
      ASSERT_NE(leader, kNoNode) << "unit " << u;
      EXPECT_NE(leader, 0);
      EXPECT_GE(c.node(leader).term_of(u), 2u);
    } else {
      EXPECT_EQ(leader, placement.primary(u));
      EXPECT_EQ(c.node(leader).term_of(u), 1u);
    }
    c.write(static_cast<OpId>(100 + u), key_in(placement, u), leader);
  }
  for (const RoleEvent& e : c.events_of(Kind::election_started))
    EXPECT_EQ(placement.primary(e.unit), 0) << "unit " << e.unit;
  c.run_for(0.1, kTick);
  const auto replies = c.replies();
  ASSERT_EQ(replies.size(), static_cast<std::size_t>(placement.unit_count()));
  for (const WriteReply& r : replies)
    EXPECT_TRUE(r.ok) << "op " << r.op;
  for (const Envelope& e : c.net.delivered()) {  // heartbeats still batch only what the sender leads
    if (const auto* h = std::get_if<Heartbeat>(&e.message)) {
      for (const EmptyAppend& a : h->appends)
        EXPECT_EQ(c.node(e.from.index).term_of(a.unit), a.term);
    }
  }
  EXPECT_EQ(c.violation(), "");
}

}  // namespace election_log_test
}  // namespace replisim
