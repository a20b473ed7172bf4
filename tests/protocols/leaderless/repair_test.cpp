// Anti-entropy repair (repair.hpp) on the fake network: divergence left by a
// fault schedule (a replica down while writes go on, hints off) stays until
// one repair removes it, range by range, with the exact rows streamed.
#include <gtest/gtest.h>

#include <algorithm>
#include <utility>
#include <vector>

#include "protocols/leaderless/leaderless.hpp"
#include "protocols/leaderless/repair.hpp"
#include "support/fake_network.hpp"
#include "support/leaderless_ring.hpp"

namespace replisim {
namespace repair_test {

using test::is;

const Address kClient = Address::client(0);
constexpr Time kInterval = 100.0;

LeaderlessConfig repairing(Consistency level)
{
  LeaderlessConfig c;
  c.write_level = level;
  c.hinted_handoff = false;  // what a replica misses, only a read or a repair brings it
  c.repair_interval = kInterval;
  return c;
}

// Nodes on the fake network, one zone; the first replica of a range is its
// primary, and coordinates its repair.
struct Ring : test::LeaderlessRing {
  using LeaderlessRing::LeaderlessRing;

  void write(OpId op, NodeId at, Key key)
  {
    net.inject({kClient, Address::node(at), ClientWrite{op, key}});
    ASSERT_TRUE(net.deliver_first(is<ClientWrite>(Address::node(at))));
    net.deliver_all();
  }
  // Keys among `keys` whose replicas do not all hold the same version.
  int divergent(const std::vector<Key>& keys)
  {
    int count = 0;
    for (Key k : keys) {
      const auto replicas = placement.replicas(placement.unit_of(k));
      const Version first = node(replicas.front()).version_of(k);
      count += std::any_of(replicas.begin(), replicas.end(), [&](NodeId n) { return node(n).version_of(k) != first; })
                   ? 1
                   : 0;
    }
    return count;
  }
  std::uint64_t repaired_keys()
  {
    std::uint64_t sum = 0;
    for (const auto& m : machines)
      sum += m->stats().repaired_keys;
    return sum;
  }
  std::uint64_t repair_messages()
  {
    std::uint64_t sum = 0;
    for (const auto& m : machines)
      sum += m->stats().repair_messages;
    return sum;
  }
};

TEST(MerkleTreeTest, LeavesFollowCassandrasDepthFromTheRowCount)
{
  EXPECT_EQ(tree_leaves(0), 1u);
  EXPECT_EQ(tree_leaves(1), 1u);
  EXPECT_EQ(tree_leaves(5), 8u);  // depth ceil(log2(5)) = 3
  EXPECT_EQ(tree_leaves(1024), 1024u);
  EXPECT_EQ(tree_leaves(5'000'000), 1u << 20);  // depth at most 20
}

TEST(MerkleTreeTest, TreesDifferExactlyInTheLeavesOfRowsThatDiffer)
{
  const Placement one_range = leader_follower_placement(3, 3);
  std::unordered_map<Key, Version> a{{1, 10}, {2, 20}, {3, 30}, {4, 40}};
  std::unordered_map<Key, Version> b = a;
  EXPECT_TRUE(differing_leaves(merkle_tree(a, one_range, 0, 8), merkle_tree(b, one_range, 0, 8)).empty());
  b[3] = 31;
  const auto leaves = differing_leaves(merkle_tree(a, one_range, 0, 8), merkle_tree(b, one_range, 0, 8));
  EXPECT_EQ(leaves, (std::vector<std::uint32_t>{leaf_of(3, 8)}));
  // The leaf's rows go, key 3's and any other's that shares its leaf.
  for (const StreamedRow& row : rows_in(a, one_range, 0, 8, leaves))
    EXPECT_EQ(leaf_of(row.key, 8), leaf_of(3, 8));
  EXPECT_EQ(rows_in(b, one_range, 0, 8, leaves).size(), rows_in(a, one_range, 0, 8, leaves).size());
}

// Node 2 is down while keys 1..5 are written at QUORUM (nodes 0 and 1 take
// them; hints off, so node 2 never hears of them). Back up, it stays
// divergent on all five until the first repair, at t = 100 s, streams them
// to it: exactly five rows repaired, and none afterwards.
TEST(LeaderlessRepairTest, OneRepairRemovesTheDivergenceAFaultLeft)
{
  Ring r(repairing(Consistency::quorum), leader_follower_placement(3, 3));  // one range, on all three; node 0 its primary
  const std::vector<Key> keys{1, 2, 3, 4, 5};
  r.net.advance_to(1.0);
  r.faults.crash(2);
  for (Key k : keys)
    r.write(k, 0, k);
  r.net.advance_to(2.0);
  r.faults.recover(2);
  r.net.deliver_all();
  r.net.advance_to(99.0);
  r.net.deliver_all();
  EXPECT_EQ(r.divergent(keys), 5);  // nothing else repairs it
  EXPECT_EQ(r.repair_messages(), 0u);

  r.net.advance_to(kInterval);
  r.net.deliver_all();
  EXPECT_EQ(r.divergent(keys), 0);
  EXPECT_EQ(r.repaired_keys(), 5u);
  EXPECT_EQ(r.node(2).stats().repaired_keys, 5u);
  for (Key k : keys)
    EXPECT_EQ(r.node(2).version_of(k), r.node(0).version_of(k));
  // Node 0 coordinated: 3 validation requests and 3 trees; trees 0-1 agree,
  // 0-2 and 1-2 differ: 2 sync requests, 2 streams each way, 2 completions.
  EXPECT_EQ(r.node(0).stats().repairs_started, 1u);
  EXPECT_EQ(r.repair_messages(), 3u + 3u + 2u + 4u + 2u);
  // Streams carry node 0's and node 1's five rows to node 2; node 2's answer
  // to the first carries nothing (it held none), to the second the five it
  // just took.
  std::size_t streamed = 0;
  for (const Envelope& e : r.net.delivered())
    if (const auto* s = std::get_if<RepairStream>(&e.message))
      streamed += s->rows.size();
  EXPECT_EQ(streamed, 5u + 5u + 0u + 5u);

  // The next repair finds nothing to stream.
  r.net.advance_to(2 * kInterval);
  r.net.deliver_all();
  EXPECT_EQ(r.repaired_keys(), 5u);
  EXPECT_EQ(r.node(0).stats().repairs_started, 2u);
}

// Divergence both ways: node 2 missed keys 1..3, nodes 0 and 1 missed key 4
// (written at ONE while they were down). One repair streams both ways.
TEST(LeaderlessRepairTest, RowsAreStreamedBothWays)
{
  Ring r(repairing(Consistency::one), leader_follower_placement(3, 3));
  r.net.advance_to(1.0);
  r.faults.crash(2);
  for (Key k : {1, 2, 3})
    r.write(k, 0, k);
  r.faults.recover(2);
  r.faults.crash(0);
  r.faults.crash(1);
  r.net.advance_to(2.0);
  r.write(4, 2, 4);
  r.faults.recover(0);
  r.faults.recover(1);
  r.net.deliver_all();
  const std::vector<Key> keys{1, 2, 3, 4};
  EXPECT_EQ(r.divergent(keys), 4);

  r.net.advance_to(kInterval);
  r.net.deliver_all();
  EXPECT_EQ(r.divergent(keys), 0);
  EXPECT_EQ(r.node(2).stats().repaired_keys, 3u);
  EXPECT_EQ(r.node(0).stats().repaired_keys + r.node(1).stats().repaired_keys, 2u);
  EXPECT_EQ(r.repaired_keys(), 5u);
}

// A range with a replica down is not repaired (the session would fail);
// the next repair, with every replica up, repairs it.
TEST(LeaderlessRepairTest, ARangeWithAReplicaDownWaitsForTheNextRepair)
{
  Ring r(repairing(Consistency::one), leader_follower_placement(3, 3));
  r.net.advance_to(1.0);
  r.faults.crash(2);
  r.write(1, 0, 1);
  r.faults.crash(1);  // node 1 down over the first repair
  r.faults.recover(2);
  r.net.advance_to(kInterval);
  r.net.deliver_all();
  EXPECT_EQ(r.repair_messages(), 0u);
  EXPECT_EQ(r.node(2).version_of(1), 0u);
  r.faults.recover(1);
  r.net.advance_to(2 * kInterval);
  r.net.deliver_all();
  EXPECT_EQ(r.node(2).version_of(1), r.node(0).version_of(1));
  EXPECT_EQ(r.repaired_keys(), 1u);
}

// Each node repairs only the ranges it is the primary of, one after the
// other: node 0 is the primary of two ranges, the others of one each.
TEST(LeaderlessRepairTest, EachNodeRepairsItsPrimaryRangesOneAfterTheOther)
{
  Ring r(repairing(Consistency::one), Placement(4, {{0, 1}, {1, 2}, {2, 3}, {3, 0}, {0, 2}}));
  r.net.advance_to(kInterval);
  const auto requests = [&](const auto& envelopes) {
    int n = 0;
    for (const Envelope& e : envelopes)
      n += std::holds_alternative<ValidationRequest>(e.message) ? 1 : 0;
    return n;
  };
  EXPECT_EQ(requests(r.net.in_flight()), 4 * 2);  // one range per node at a time, two replicas each
  r.net.deliver_all();
  EXPECT_EQ(requests(r.net.delivered()), 5 * 2);  // then node 0's second range
  for (NodeId n = 0; n < 4; ++n)
    EXPECT_EQ(r.node(n).stats().repairs_started, 1u);
  EXPECT_EQ(r.repaired_keys(), 0u);
}

TEST(LeaderlessRepairTest, WithoutAnIntervalNoRepairTimerIsSet)
{
  const Placement placement = leader_follower_placement(3, 3);
  const Membership membership = Membership::all_up({0, 0, 0});
  LeaderlessNode plain(0, placement, membership, LeaderlessConfig{});
  EXPECT_TRUE(plain.start(0).timers.empty());
  LeaderlessNode repairing_node(0, placement, membership, repairing(Consistency::one));
  const Ready ready = repairing_node.start(0);
  ASSERT_EQ(ready.timers.size(), 1u);
  EXPECT_EQ(ready.timers[0].deadline, kInterval);
}

}  // namespace repair_test
}  // namespace replisim
