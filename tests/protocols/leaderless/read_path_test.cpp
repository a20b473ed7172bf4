// Cassandra's read path at one coordinator, on the fake network: one data
// request to the best-ranked replica and digests to blockFor − 1 more (the
// issue behind it: every replica was asked, 3 replica reads per ONE read
// against Cassandra's 1), a digest mismatch read again in full and repaired
// before the answer, speculative retry, and the all path kept for PBS.
#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "protocols/leaderless/leaderless.hpp"
#include "support/fake_network.hpp"

namespace replisim {
namespace read_path_test {

using test::FakeNetwork;
using test::is;

const Address kClient = Address::client(0);
constexpr Key kKey = 42;

// Four nodes in one zone; the key's range is replicated on 1, 2 and 3 in ring
// order, so node 0 coordinates without being a replica.
struct Cluster {
  explicit Cluster(LeaderlessConfig config, std::vector<int> zones = {0, 0, 0, 0})
      : placement(static_cast<int>(zones.size()), {{1, 2, 3}}), membership(Membership::all_up(zones))
  {
    for (NodeId n = 0; n < static_cast<NodeId>(zones.size()); ++n) {
      nodes.push_back(std::make_unique<LeaderlessNode>(n, placement, membership, config));
      net.add(Address::node(n), *nodes.back());
    }
    net.start_all();
  }
  LeaderlessNode& node(NodeId n) { return *nodes.at(static_cast<std::size_t>(n)); }
  void read(OpId op, NodeId at = 0)
  {
    net.inject({kClient, Address::node(at), ClientRead{op, kKey}});
    ASSERT_TRUE(net.deliver_first(is<ClientRead>(Address::node(at))));
  }
  // Puts `version` of the key on a replica directly (a write it alone took).
  void hold(NodeId n, Version version)
  {
    node(n).step({Address::node(n), Address::node(n), ReplicaWrite{0, kKey, version}}, net.now());
  }
  std::vector<ReplicaRead> reads_to(NodeId n) const
  {
    std::vector<ReplicaRead> out;
    for (const Envelope& e : net.in_flight())
      if (const auto* r = std::get_if<ReplicaRead>(&e.message); r != nullptr && e.to == Address::node(n))
        out.push_back(*r);
    return out;
  }
  std::vector<ReadReply> replies() const { return net.received<ReadReply>(kClient); }
  // Answers sent to the client, delivered or not.
  std::size_t answers() const
  {
    std::size_t n = replies().size();
    for (const Envelope& e : net.in_flight())
      n += std::holds_alternative<ReadReply>(e.message) && e.to == kClient ? 1 : 0;
    return n;
  }

  Placement placement;
  Membership membership;
  std::vector<std::unique_ptr<LeaderlessNode>> nodes;
  FakeNetwork net;
};

LeaderlessConfig cassandra(Consistency read, SpeculativeRetry retry = {SpeculativeRetry::Kind::none, 0})
{
  LeaderlessConfig c;
  c.read_level = read;
  c.snitch.kind = SnitchKind::simple;
  c.speculative_retry = retry;
  return c;
}

TEST(ReadPathTest, AOneReadAsksOneReplicaForTheData)
{
  Cluster c(cassandra(Consistency::one));
  c.read(1);
  ASSERT_EQ(c.net.in_flight().size(), 1u);
  ASSERT_EQ(c.reads_to(1).size(), 1u);  // the first replica in ring order
  EXPECT_FALSE(c.reads_to(1)[0].digest);
  c.net.deliver_all();
  ASSERT_EQ(c.replies().size(), 1u);
  EXPECT_TRUE(c.replies()[0].ok);
  const LeaderlessStats& s = c.node(0).stats();
  EXPECT_EQ(s.reads, 1u);
  EXPECT_EQ(s.replica_reads, 1u);  // Cassandra's 1; the all path's 3
  std::uint64_t messages = 0;
  for (NodeId n = 0; n < 4; ++n)
    messages += c.node(n).stats().read_messages;
  EXPECT_EQ(messages, 2u);  // the request and its answer (the all path: 6)
}

TEST(ReadPathTest, AQuorumReadSendsOneDataAndOneDigestRequest)
{
  Cluster c(cassandra(Consistency::quorum));
  c.read(1);
  ASSERT_EQ(c.net.in_flight().size(), 2u);
  ASSERT_EQ(c.reads_to(1).size(), 1u);
  EXPECT_FALSE(c.reads_to(1)[0].digest);
  ASSERT_EQ(c.reads_to(2).size(), 1u);
  EXPECT_TRUE(c.reads_to(2)[0].digest);
  EXPECT_TRUE(c.reads_to(3).empty());
  c.net.deliver_all();
  ASSERT_EQ(c.replies().size(), 1u);
  EXPECT_EQ(c.node(0).stats().replica_reads, 2u);
  EXPECT_EQ(c.node(0).stats().read_repairs, 0u);
}

TEST(ReadPathTest, TheReadWaitsForTheDataEvenWhenDigestsAreEnough)
{
  Cluster c(cassandra(Consistency::quorum));
  c.read(1);
  ASSERT_TRUE(c.net.deliver_first(is<ReplicaRead>(Address::node(2))));  // the digest request
  ASSERT_TRUE(c.net.deliver_first(is<ReplicaReadReply>(Address::node(0))));
  EXPECT_EQ(c.answers(), 0u);
  c.net.deliver_all();
  EXPECT_EQ(c.replies().size(), 1u);
}

TEST(ReadPathTest, ADigestMismatchIsReadInFullAndRepairedBeforeTheAnswer)
{
  Cluster c(cassandra(Consistency::quorum));
  c.hold(1, 10);
  c.hold(2, 20);  // newer: node 1, the data replica, missed it
  c.read(1);
  // First round: data from 1 (10), digest from 2 (20): mismatch.
  ASSERT_TRUE(c.net.deliver_first(is<ReplicaRead>(Address::node(1))));
  ASSERT_TRUE(c.net.deliver_first(is<ReplicaRead>(Address::node(2))));
  ASSERT_TRUE(c.net.deliver_first(is<ReplicaReadReply>(Address::node(0))));
  ASSERT_TRUE(c.net.deliver_first(is<ReplicaReadReply>(Address::node(0))));
  ASSERT_EQ(c.net.in_flight().size(), 2u);  // full data requests to both
  EXPECT_FALSE(c.reads_to(1).at(0).digest);
  EXPECT_FALSE(c.reads_to(2).at(0).digest);
  // Data round, then the repair write to node 1; no answer before its ack.
  ASSERT_TRUE(c.net.deliver_first(is<ReplicaRead>(Address::node(1))));
  ASSERT_TRUE(c.net.deliver_first(is<ReplicaRead>(Address::node(2))));
  ASSERT_TRUE(c.net.deliver_first(is<ReplicaReadReply>(Address::node(0))));
  ASSERT_TRUE(c.net.deliver_first(is<ReplicaReadReply>(Address::node(0))));
  ASSERT_EQ(c.net.in_flight().size(), 1u);
  EXPECT_EQ(std::get<ReplicaWrite>(c.net.in_flight().front().message).version, 20u);
  EXPECT_EQ(c.net.in_flight().front().to, Address::node(1));
  EXPECT_EQ(c.answers(), 0u);
  c.net.deliver_all();
  ASSERT_EQ(c.replies().size(), 1u);
  EXPECT_EQ(c.replies()[0].version, 20u);
  EXPECT_EQ(c.node(1).version_of(kKey), 20u);
  EXPECT_EQ(c.node(3).version_of(kKey), 0u);  // not contacted: not repaired
  EXPECT_EQ(c.node(0).stats().read_repairs, 1u);
  EXPECT_EQ(c.node(0).stats().replica_reads, 4u);
  std::uint64_t messages = 0;
  for (NodeId n = 0; n < 4; ++n)
    messages += c.node(n).stats().read_messages;
  EXPECT_EQ(messages, 10u);  // 2 + 2 requests, 4 answers, a repair write and its ack
}

TEST(ReadPathTest, WithoutReadRepairAMismatchIsResolvedButNotRepaired)
{
  LeaderlessConfig config = cassandra(Consistency::quorum);
  config.read_repair = ReadRepair::none;
  Cluster c(config);
  c.hold(1, 10);
  c.hold(2, 20);
  c.read(1);
  c.net.deliver_all();
  ASSERT_EQ(c.replies().size(), 1u);
  EXPECT_EQ(c.replies()[0].version, 20u);
  EXPECT_EQ(c.node(1).version_of(kKey), 10u);
  EXPECT_EQ(c.node(0).stats().read_repairs, 0u);
}

TEST(ReadPathTest, AOneReadHasNoDigestToCompareSoNeverRepairs)
{
  Cluster c(cassandra(Consistency::one));
  c.hold(1, 10);
  c.hold(2, 20);
  c.read(1);
  c.net.deliver_all();
  ASSERT_EQ(c.replies().size(), 1u);
  EXPECT_EQ(c.replies()[0].version, 10u);  // stale, and left so
  EXPECT_EQ(c.node(1).version_of(kKey), 10u);
  EXPECT_EQ(c.node(0).stats().read_repairs, 0u);
}

TEST(ReadPathTest, ASlowReplicaGetsASpeculativeRetryAfterTheFixedDelay)
{
  Cluster c(cassandra(Consistency::one, {SpeculativeRetry::Kind::fixed, 0.010}));
  c.read(1);
  ASSERT_EQ(c.net.in_flight().size(), 1u);
  c.net.advance_to(0.0099);
  EXPECT_EQ(c.net.in_flight().size(), 1u);
  c.net.advance_to(0.010);
  ASSERT_EQ(c.reads_to(2).size(), 1u);      // the next replica
  EXPECT_FALSE(c.reads_to(2)[0].digest);    // no data yet: a data request
  EXPECT_EQ(c.node(0).stats().speculative_retries, 1u);
  ASSERT_TRUE(c.net.deliver_first(is<ReplicaRead>(Address::node(2))));
  ASSERT_TRUE(c.net.deliver_first(is<ReplicaReadReply>(Address::node(0))));
  EXPECT_EQ(c.answers(), 1u);  // the retry answered first
}

TEST(ReadPathTest, AReadAnsweredInTimeDoesNotSpeculate)
{
  Cluster c(cassandra(Consistency::one, {SpeculativeRetry::Kind::fixed, 0.010}));
  c.read(1);
  c.net.deliver_all();
  c.net.advance_to(1.0);
  EXPECT_EQ(c.node(0).stats().speculative_retries, 0u);
  EXPECT_EQ(c.node(0).stats().replica_reads, 1u);
}

TEST(ReadPathTest, AlwaysAsksOneReplicaMoreWithTwoDataRequests)
{
  Cluster c(cassandra(Consistency::quorum, {SpeculativeRetry::Kind::always, 0}));
  c.read(1);
  ASSERT_EQ(c.net.in_flight().size(), 3u);
  EXPECT_FALSE(c.reads_to(1).at(0).digest);
  EXPECT_FALSE(c.reads_to(2).at(0).digest);
  EXPECT_TRUE(c.reads_to(3).at(0).digest);
  EXPECT_EQ(c.node(0).stats().speculative_retries, 1u);
}

TEST(ReadPathTest, ThePercentileThresholdWaitsForSamplesThenFollowsTheP99)
{
  SpeculationThreshold t({SpeculativeRetry::Kind::percentile, 99}, 5.0);
  EXPECT_EQ(t.threshold(0.0), 2.5);  // half the read timeout, as Cassandra starts
  for (int ms = 1; ms <= 100; ++ms)
    t.record(ms / 1e3, 1.0);
  EXPECT_EQ(t.threshold(4.99), 2.5);  // updated every read_request_timeout
  // The 99th of 1..100 ms, 99 ms, rounded up to its histogram bucket.
  EXPECT_DOUBLE_EQ(t.threshold(5.0), 0.107964792);
}

TEST(ReadPathTest, HistogramBucketsGrowByTwentyPercent)
{
  EXPECT_DOUBLE_EQ(histogram_bucket(1e-9), 1e-9);
  EXPECT_DOUBLE_EQ(histogram_bucket(2e-3), 0.002346799);
  EXPECT_DOUBLE_EQ(histogram_bucket(0.002346799), 0.002346799);
}

TEST(ReadPathTest, TheAllPathAsksEveryReplica)
{
  LeaderlessConfig config = cassandra(Consistency::one);
  config.read_path = ReadPath::all;
  config.read_repair = ReadRepair::none;
  Cluster c(config);
  c.read(1);
  EXPECT_EQ(c.net.in_flight().size(), 3u);
  for (NodeId n = 1; n <= 3; ++n)
    EXPECT_FALSE(c.reads_to(n).at(0).digest);
  c.net.deliver_all();
  EXPECT_EQ(c.replies().size(), 1u);
  EXPECT_EQ(c.node(0).stats().replica_reads, 3u);
}

TEST(ReadPathTest, ALocalQuorumReadContactsOnlyTheLocalDatacenter)
{
  // Node 0 coordinates in zone 0 with replicas 1 (zone 1), 2 and 3 (zone 0).
  Cluster c(cassandra(Consistency::local_quorum), {0, 1, 0, 0});
  c.read(1);
  EXPECT_TRUE(c.reads_to(1).empty());
  EXPECT_EQ(c.reads_to(2).size(), 1u);
  EXPECT_EQ(c.reads_to(3).size(), 1u);
}

TEST(ReadPathTest, TheDynamicSnitchMovesTheDataRequestOffASlowReplica)
{
  LeaderlessConfig config = cassandra(Consistency::one);
  config.snitch.kind = SnitchKind::dynamic;
  Cluster c(config);
  c.read(1);  // ring order: node 1
  ASSERT_EQ(c.reads_to(1).size(), 1u);
  c.net.advance_to(0.010);
  c.net.deliver_all();  // node 1 answers after 10 ms: it scores 1, the others 0
  c.net.advance_to(0.099);
  c.read(2);  // scores not updated yet
  EXPECT_EQ(c.reads_to(1).size(), 1u);
  c.net.deliver_all();
  c.net.advance_to(0.1);
  c.read(3);  // more than twice as bad: ordered by score
  EXPECT_TRUE(c.reads_to(1).empty());
  EXPECT_EQ(c.reads_to(2).size(), 1u);
}

TEST(ReadPathTest, AReadUnansweredFailsAtTheReadRequestTimeout)
{
  Cluster c(cassandra(Consistency::one));
  c.net.isolate(Address::node(1));
  c.read(1);
  c.net.advance_to(4.999);
  EXPECT_EQ(c.answers(), 0u);
  c.net.advance_to(5.0);  // read_request_timeout, whatever the client's
  c.net.deliver_all();
  ASSERT_EQ(c.replies().size(), 1u);
  EXPECT_FALSE(c.replies()[0].ok);
}

TEST(ReadPathTest, TheCoordinatorReadsItselfFirstWhenItIsAReplica)
{
  Cluster c(cassandra(Consistency::one));
  c.read(1, 2);  // token-aware: node 2 is a replica
  ASSERT_EQ(c.reads_to(2).size(), 1u);
  EXPECT_EQ(c.net.in_flight().size(), 1u);
}

}  // namespace read_path_test
}  // namespace replisim
