// Log compaction (protocols/raft/raft_log.*, LeaderFollowerNode): a log that
// discarded a prefix answers every question on absolute indexes as the whole
// log did; a unit's logs stay bounded while every replica keeps up; a replica
// that is down holds compaction back, and catches up from the leader when it
// returns, every entry it lacks still there to be sent. Chain replication
// discards its committed updates in runs without crashes.
#include <gtest/gtest.h>

#include <memory>
#include <stdexcept>
#include <vector>

#include "support/election_cluster.hpp"
#include "protocols/chain/chain.hpp"
#include "protocols/leader_follower/leader_follower.hpp"
#include "protocols/raft/raft_log.hpp"
#include "support/fake_network.hpp"
#include "support/log_of_terms.hpp"

namespace replisim {
namespace log_compaction_test {

using test::ElectionCluster;

using test::log_of_terms;

TEST(LogCompactionTest, ACompactedLogKeepsItsAbsoluteIndexesAndTheTermsOfWhatItDiscarded)
{
  Log log = log_of_terms({1, 1, 2, 2, 2, 3, 3});
  log.compact(4);
  EXPECT_EQ(log.compacted(), 4u);
  EXPECT_EQ(log.first_index(), 5u);
  EXPECT_EQ(log.last_index(), 7u);
  EXPECT_EQ(log.kept(), 3u);
  EXPECT_EQ(log.at(5).key, 5u);
  EXPECT_EQ(log.at(7).key, 7u);
  EXPECT_THROW(log.at(4), std::out_of_range);  // discarded
  EXPECT_THROW(log.at(8), std::out_of_range);
  const std::vector<Term> terms{0, 1, 1, 2, 2, 2, 3, 3, 0};
  for (LogIndex i = 0; i < terms.size(); ++i)
    EXPECT_EQ(log.term_at(i), terms[i]) << "index " << i;
  EXPECT_EQ(last_term(log), 3u);

  // §5.3's check, on either side of the compaction point.
  EXPECT_TRUE(log_matches(log, 0, 0));
  EXPECT_TRUE(log_matches(log, 2, 1));
  EXPECT_FALSE(log_matches(log, 2, 2));
  EXPECT_TRUE(log_matches(log, 4, 2));
  EXPECT_FALSE(log_matches(log, 4, 1));
  EXPECT_TRUE(log_matches(log, 7, 3));
  EXPECT_FALSE(log_matches(log, 8, 3));

  // The hint skips the conflicting term's whole run, into the discarded prefix.
  EXPECT_EQ(rejection_hint(log, 9), 7u);
  EXPECT_EQ(rejection_hint(log, 7), 5u);
  EXPECT_EQ(rejection_hint(log, 5), 2u);  // term 2 starts at index 3, discarded
  EXPECT_EQ(rejection_hint(log, 4), 2u);
  EXPECT_EQ(rejection_hint(log, 2), 0u);

  // Truncation of kept entries as before; of a discarded (committed) one, an error.
  EXPECT_TRUE(truncate_from(log, 9).empty());
  EXPECT_THROW(truncate_from(log, 4), std::logic_error);
  EXPECT_EQ(truncate_from(log, 6), (std::vector<Key>{6, 7}));
  EXPECT_EQ(log.last_index(), 5u);
  EXPECT_EQ(log.term_at(5), 2u);
  EXPECT_EQ(rejection_hint(log, 5), 2u);
  log.push_back({4, 9, 1, 9});
  EXPECT_EQ(log.term_at(6), 4u);
  EXPECT_EQ(rejection_hint(log, 6), 5u);
}

// Every answer of a compacted log, at every compaction point, is the whole log's.
TEST(LogCompactionTest, EveryCompactionPointAnswersAsTheWholeLog)
{
  const std::vector<Term> terms{1, 1, 1, 2, 3, 3, 5, 5, 5, 5, 6};
  const Log whole = log_of_terms(terms);
  for (LogIndex c = 0; c <= terms.size() + 1; ++c) {
    Log log = whole;
    log.compact(c);
    EXPECT_EQ(log.compacted(), std::min<LogIndex>(c, terms.size()));
    EXPECT_EQ(last_index(log), last_index(whole));
    EXPECT_EQ(last_term(log), last_term(whole));
    for (LogIndex i = 0; i <= terms.size() + 1; ++i) {
      EXPECT_EQ(term_at(log, i), term_at(whole, i)) << "compacted " << c << " index " << i;
      EXPECT_EQ(rejection_hint(log, i + 1), rejection_hint(whole, i + 1)) << "compacted " << c << " index " << i;
      for (Term t = 0; t <= 7; ++t)
        EXPECT_EQ(log_matches(log, i, t), log_matches(whole, i, t)) << "compacted " << c << " index " << i;
    }
    EXPECT_EQ(leader_commit({11, 9, 2}, log, 5, 0), leader_commit({11, 9, 2}, whole, 5, 0));
    EXPECT_EQ(leader_commit({11, 11, 2}, log, 6, 0), 11u);
  }
}

TEST(LogCompactionTest, CompactionNeverGoesBackNorPastTheEnd)
{
  Log log = log_of_terms({1, 1, 1});
  log.compact(2);
  log.compact(1);  // behind: nothing
  EXPECT_EQ(log.compacted(), 2u);
  log.compact(10);  // clamped to the last index
  EXPECT_EQ(log.compacted(), 3u);
  EXPECT_TRUE(log.empty());
  EXPECT_EQ(last_index(log), 3u);
  EXPECT_EQ(last_term(log), 1u);  // the §5.4.1 up-to-date check still knows it
  log.push_back({2, 4, 1, 4});
  EXPECT_EQ(log.at(4).key, 4u);
  EXPECT_EQ(log.term_at(3), 1u);
}

// A sliding window over a long log: the storage keeps no more than it must
// (the dead prefix is erased once it is half the storage), and the terms of
// every discarded entry are still known.
TEST(LogCompactionTest, ASlidingWindowKeepsOnlyTheWindow)
{
  Log log;
  for (LogIndex i = 1; i <= 10'000; ++i) {
    log.push_back({1 + i / 1000, i, 1, i});
    log.compact(i > 3 ? i - 3 : 0);
    ASSERT_LE(log.kept(), 3u);
  }
  EXPECT_EQ(log.compacted(), 9'997u);
  EXPECT_EQ(log.at(10'000).key, 10'000u);
  for (LogIndex i = 1; i <= 10'000; ++i)
    ASSERT_EQ(log.term_at(i), 1 + i / 1000) << "index " << i;
  EXPECT_EQ(rejection_hint(log, 2500), 1999u);
}

// Every replica holds it and it is committed: the lowest match, no further than the commit.
TEST(LogCompactionTest, AUnitCompactsWhatEveryReplicaHoldsAndIsCommitted)
{
  EXPECT_EQ(compactable({9, 7, 8}, 9), 7u);
  EXPECT_EQ(compactable({9, 9, 9}, 6), 6u);
  EXPECT_EQ(compactable({9, 0, 9}, 9), 0u);  // one replica holds nothing
}

// Replica sets without failover on the fake network.
struct ReplicaSets {
  ReplicaSets(int node_count, int rf, WriteConcern concern) : placement(leader_follower_placement(node_count, rf))
  {
    for (NodeId n = 0; n < node_count; ++n) {
      nodes.push_back(std::make_unique<LeaderFollowerNode>(n, placement, concern));
      net.add(Address::node(n), *nodes.back());
    }
    net.start_all();
  }
  LeaderFollowerNode& node(NodeId n) { return *nodes.at(static_cast<std::size_t>(n)); }
  void write(OpId op, Key key) { net.inject({Address::client(0), Address::node(0), ClientWrite{op, key}}); }

  Placement placement;
  std::vector<std::unique_ptr<LeaderFollowerNode>> nodes;
  test::FakeNetwork net;
};

// The case: without failover, each write's log entry is discarded
// once every replica holds it; the followers learn how far with the next
// append. The values served stay.
TEST(LogCompactionTest, AReplicaSetsLogsStayBoundedWhileEveryReplicaKeepsUp)
{
  for (const WriteConcern concern : {WriteConcern::one, WriteConcern::majority, WriteConcern::all}) {
    ReplicaSets c(3, 3, concern);
    constexpr OpId kWrites = 2000;
    for (OpId op = 1; op <= kWrites; ++op) {
      c.write(op, op % 17);
      c.net.deliver_all();
      for (NodeId n = 0; n < 3; ++n)
        ASSERT_LE(c.node(n).log_of(0).kept(), 2u) << "node " << n << " after write " << op;
    }
    EXPECT_EQ(c.net.received<WriteReply>(Address::client(0)).size(), kWrites);
    for (NodeId n = 0; n < 3; ++n) {
      EXPECT_EQ(c.node(n).applied_index(0), kWrites);
      EXPECT_GE(c.node(n).log_of(0).compacted(), kWrites - 1);
      for (Key k = 0; k < 17; ++k)
        EXPECT_EQ(c.node(n).version_of(k), c.node(0).version_of(k)) << "node " << n << " key " << k;
    }
    EXPECT_EQ(c.node(0).version_of(5), (kWrites - 5) / 17 + 1);
  }
}

constexpr Time kTick = 0.001;
FailoverConfig raft() { return FailoverConfig::raft(0.150, 0.300, 0.050, 1); }

// With failover, heartbeats carry the compaction point too: an idle unit's
// followers discard everything.
TEST(LogCompactionTest, WithFailoverHeartbeatsBringTheFollowersCompactionPoint)
{
  ElectionCluster c(leader_follower_placement(3, 3), WriteConcern::majority, raft());
  c.start();
  c.run_for(0.01, kTick);
  for (OpId op = 1; op <= 300; ++op) {
    c.write(op, op % 11, 0);
    c.run_for(0.002, kTick);
  }
  c.run_for(0.2, kTick);
  ASSERT_EQ(c.replies().size(), 300u);
  for (NodeId n = 0; n < 3; ++n) {
    EXPECT_TRUE(c.node(n).log_of(0).empty()) << "node " << n;
    EXPECT_EQ(c.node(n).log_of(0).compacted(), 300u) << "node " << n;  // term 1 opens with no no-op
    EXPECT_EQ(c.node(n).version_of(4), c.node(0).version_of(4));
  }
  EXPECT_EQ(c.violation(), "");
}

// A follower down holds compaction back (its match index stays): the leader
// keeps every entry it lacks, and sends them when it returns; then the unit
// compacts again.
TEST(LogCompactionTest, ADownReplicaStallsCompactionAndCatchesUpWhenItReturns)
{
  ElectionCluster c(leader_follower_placement(3, 3), WriteConcern::majority, raft());
  c.start();
  c.run_for(0.01, kTick);
  for (OpId op = 1; op <= 20; ++op)
    c.write(op, op % 7, 0);
  c.run_for(0.2, kTick);
  const LogIndex held = c.node(2).log_of(0).last_index();
  ASSERT_EQ(held, 20u);
  ASSERT_EQ(c.node(0).log_of(0).compacted(), held);

  c.crash(2);
  constexpr OpId kMore = 150;  // more than two catch-up batches
  for (OpId op = 21; op < 21 + kMore; ++op) {
    c.write(op, op % 7, 0);
    c.run_for(0.002, kTick);
  }
  c.run_for(0.2, kTick);
  ASSERT_EQ(c.replies().size(), 20 + kMore);  // a majority is up
  for (NodeId n : {0, 1}) {
    EXPECT_EQ(c.node(n).log_of(0).compacted(), held) << "node " << n;  // stalled at what node 2 holds
    EXPECT_EQ(c.node(n).log_of(0).kept(), kMore) << "node " << n;
  }

  c.recover(2);
  c.run_for(0.5, kTick);
  EXPECT_EQ(c.node(2).log_of(0).last_index(), held + kMore);
  EXPECT_EQ(c.full_log(2, 0), c.full_log(0, 0));
  for (Key k = 0; k < 7; ++k)
    EXPECT_EQ(c.node(2).version_of(k), c.node(0).version_of(k)) << "key " << k;
  for (NodeId n = 0; n < 3; ++n) {
    EXPECT_EQ(c.node(n).log_of(0).compacted(), held + kMore) << "node " << n;  // compacting again
    EXPECT_TRUE(c.node(n).log_of(0).empty()) << "node " << n;
  }
  EXPECT_EQ(c.violation(), "");
}

// A follower that discarded a key's committed versions and then truncates
// the uncommitted entry after them (a new leader's log differs there) goes
// back to the newest discarded version, not to nothing.
TEST(LogCompactionTest, TruncationAfterTheCompactionPointKeepsTheDiscardedVersions)
{
  const Placement placement = leader_follower_placement(3, 3);
  LeaderFollowerNode follower(1, placement, WriteConcern::majority, 1, raft());
  const auto from = [](NodeId n) { return Address::node(n); };
  follower.step({from(0), from(1), Replicate{1, 0, 1, 5, 1, 0, 0, 1}}, 0.01);
  follower.step({from(0), from(1), Replicate{1, 0, 2, 5, 2, 1, 0, 2}}, 0.02);
  follower.step({from(0), from(1), Replicate{.term = 1, .unit = 0, .index = 3, .key = 5, .version = 3, .prev_term = 1,
                                             .commit = 2, .op = 3, .compacted = 2}},
                0.03);
  ASSERT_EQ(follower.log_of(0).compacted(), 2u);
  ASSERT_EQ(follower.version_of(5), 3u);

  // Node 2 leads term 2 without entry 3: its no-op replaces it.
  const Ready r = follower.step({from(2), from(1), Replicate{.term = 2, .unit = 0, .index = 3, .key = 0, .version = 0,
                                                            .prev_term = 1, .commit = 2, .op = 0, .entry_term = 2,
                                                            .compacted = 2}},
                                0.04);
  ASSERT_FALSE(r.messages.empty());
  EXPECT_TRUE(std::get<ReplicateAck>(r.messages.back().message).success);
  EXPECT_EQ(follower.log_of(0).term_at(3), 2u);
  EXPECT_EQ(follower.version_of(5), 2u);
}

// Chains of three with compaction on: each node discards its updates once
// committed, whether they come one at a time or in a burst; the versions
// served, clean and dirty, stay.
TEST(LogCompactionTest, AChainDiscardsItsCommittedUpdates)
{
  const Placement placement = leader_follower_placement(3, 3);
  std::vector<std::unique_ptr<ChainNode>> nodes;
  test::FakeNetwork net;
  for (NodeId n = 0; n < 3; ++n) {
    nodes.push_back(std::make_unique<ChainNode>(n, placement, ChainConfig{ChainReads::craq, true}));
    net.add(Address::node(n), *nodes.back());
  }
  net.start_all();
  const auto write = [&](OpId op) { net.inject({Address::client(0), Address::node(0), ClientWrite{op, op % 5}}); };
  for (OpId op = 1; op <= 500; ++op) {
    write(op);
    net.deliver_all();
    for (NodeId n = 0; n < 3; ++n) {
      ASSERT_TRUE(nodes[n]->log_of(0).empty()) << "node " << n << " after write " << op;
      ASSERT_EQ(nodes[n]->applied_seq(0), op);
    }
  }
  for (OpId op = 501; op <= 600; ++op)
    write(op);
  while (net.deliver_first(test::is_any<ClientWrite>())) {
  }
  EXPECT_EQ(nodes[0]->log_of(0).kept(), 100u);  // applied, not yet committed
  EXPECT_EQ(nodes[0]->log_of(0).compacted(), 500u);
  net.deliver_all();
  EXPECT_EQ(net.received<WriteReply>(Address::client(0)).size(), 600u);
  for (NodeId n = 0; n < 3; ++n) {
    EXPECT_TRUE(nodes[n]->log_of(0).empty()) << "node " << n;
    EXPECT_EQ(nodes[n]->log_of(0).compacted(), 600u) << "node " << n;
    for (Key k = 0; k < 5; ++k) {
      EXPECT_EQ(nodes[n]->version_of(k), 120u) << "node " << n << " key " << k;
      EXPECT_EQ(nodes[n]->committed_version_of(k), 120u) << "node " << n << " key " << k;
    }
  }
}

}  // namespace log_compaction_test
}  // namespace replisim
