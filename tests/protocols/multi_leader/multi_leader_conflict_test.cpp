// MultiLeaderNode's conflicts on the fake network: version-vector conflict
// detection with last-writer-wins resolution, convergence whatever the order
// syncs arrive in, and the lost-update property of issue 5.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "protocols/leaderless/leaderless.hpp"  // lww_version
#include "protocols/multi_leader/multi_leader.hpp"
#include "support/datacenters.hpp"
#include "support/fake_network.hpp"
#include "support/leader_zones.hpp"

namespace replisim {
namespace multi_leader_conflict_test {

using namespace test;  // the datacenters fixture and its checks, the zones, the fake network's matchers

// One stamp step: the next nanosecond at the same node id.
const Version kOneNs = lww_version(1e-9, 0);

// --- conflicts -----------------------------------------------------------------

// Leader 1 (node 3) writes key 9 at t=1, leader 0 (node 0) at t=2; each takes
// its client's write before any LeaderSync arrives, so neither saw the other.
void concurrent_writes(Datacenters& dc)
{
  dc.write_at(1.0, 1, 1, 9);
  dc.write_at(2.0, 0, 2, 9);
  ASSERT_EQ(in_flight_of<LeaderSync>(dc.net), 2u);
  dc.net.deliver_all();
}

TEST(MultiLeaderTest, ConcurrentWritesConflictOnBothLeadersAndConvergeToTheLargerStamp)
{
  Datacenters dc(zones(2, 2));
  concurrent_writes(dc);

  const Version loser = lww_version(1.0, 3);
  const Version winner = lww_version(2.0, 0);
  ASSERT_LT(loser, winner);
  using Pairs = std::vector<std::pair<Version, Version>>;
  EXPECT_EQ(dc.leader(0).conflicts(), (Pairs{{loser, winner}}));
  EXPECT_EQ(dc.leader(1).conflicts(), (Pairs{{loser, winner}}));
  // Leader 0 kept its own write, leader 1 replaced its own: the winner is the
  // stamp's, not the order of arrival's.
  const std::string expected = str(KeyRecord{9, winner, {1, 1}, {1, 0}});
  for (const auto& [n, node] : dc.nodes)
    EXPECT_EQ(str(record(*node, 9)), expected) << "node " << n;
  expect_converged(dc);
}

TEST(MultiLeaderTest, CausallyOrderedWritesDoNotConflict)
{
  Datacenters dc(zones(2, 1));  // leaders 0 and 2
  dc.write_at(1.0, 0, 1, 9);
  dc.net.deliver_all();  // leader 0's sync reaches leader 1
  dc.write_at(2.0, 1, 2, 9);

  const KeyRecord expected{9, lww_version(2.0, 2), {1, 1}, {1, 1}};
  EXPECT_EQ(str(record(dc.leader(1), 9)), str(expected));
  dc.net.deliver_all();

  EXPECT_TRUE(dc.leader(0).conflicts().empty());
  EXPECT_TRUE(dc.leader(1).conflicts().empty());
  for (const auto& [n, node] : dc.nodes)
    EXPECT_EQ(str(record(*node, 9)), str(expected)) << "node " << n;
  expect_converged(dc);
}

// Writes from random leaders to keys 1 and 2, interleaved with deliveries in
// an order shuffled by `seed`, some at one instant and some later, so that
// writes both see and miss each other; then everything is delivered.
void shuffled_writes(Datacenters& dc, std::uint64_t seed, int writes)
{
  Rng rng(seed);
  const auto leaders = dc.groups.leaders.size();
  for (int op = 1; op <= writes; ++op) {
    if (rng.below(2) == 0)
      dc.net.advance_to(dc.net.now() + 1e-3);
    dc.write(static_cast<int>(rng.below(leaders)), static_cast<OpId>(op), 1 + rng.below(2));
    dc.net.reorder(rng.next());
    for (auto n = rng.below(5); n > 0 && dc.net.deliver_one(); --n) {
    }
  }
  dc.net.reorder(rng.next());
  dc.net.deliver_all();
}

TEST(MultiLeaderTest, ReorderedSyncsConvergeOnEveryNode)
{
  for (std::uint64_t seed = 1; seed <= 30; ++seed) {
    SCOPED_TRACE(testing::Message() << "seed " << seed);
    Datacenters dc(zones(3, 1));
    shuffled_writes(dc, seed, 16);
    ASSERT_EQ(accepted_everywhere(dc).size(), 16u);
    expect_converged(dc);
  }
}

TEST(MultiLeaderTest, ReorderedSyncsReallyConflict)
{
  // The convergence test above would prove little if its writes never
  // conflicted: its first seed does produce conflicts.
  Datacenters dc(zones(3, 1));
  shuffled_writes(dc, 1, 16);
  std::size_t conflicts = 0;
  for (int l = 0; l < 3; ++l)
    conflicts += dc.leader(l).conflicts().size();
  EXPECT_GT(conflicts, 0u);
}

// Leader 2 (node 4) writes k; leader 0 (node 0) sees it and overwrites it;
// leader 1 (node 2) writes k concurrently with both. All at one instant, so the
// clock alone would rank leader 2's write above the one that superseded it.
TEST(MultiLeaderTest, AWriteSupersededByOneThatSawItCannotWinALaterConflict)
{
  Datacenters dc(zones(3, 1));
  dc.write_at(1.0, 2, 1, 9);  // a
  ASSERT_TRUE(dc.net.deliver_first(is<LeaderSync>(Address::node(0))));
  dc.write_at(1.0, 0, 2, 9);  // b, after a
  dc.write_at(1.0, 1, 3, 9);  // c, concurrent with a and b
  // Leader 2 learns c before b: it holds a, then meets c, then b.
  ASSERT_TRUE(dc.net.deliver_first(
      [](const Envelope& e) { return std::holds_alternative<LeaderSync>(e.message) && e.from == Address::node(2); }));
  dc.net.deliver_all();

  // b outranks a, the write it saw, though it was taken at the same instant by
  // a node with a smaller id: a causally later write gets a later stamp.
  const Version a = dc.replies(2).at(0).version;
  const Version b = dc.replies(0).at(0).version;
  const Version c = dc.replies(1).at(0).version;
  EXPECT_EQ(a, lww_version(1.0, 4));
  EXPECT_EQ(b, lww_version(1.0, 0) + kOneNs);
  EXPECT_EQ(c, lww_version(1.0, 2));
  for (int l = 0; l < 3; ++l)
    EXPECT_EQ(str(record(dc.leader(l), 9)), str(KeyRecord{9, b, {1, 1, 1}, {1, 0, 1}})) << "leader " << l;
  expect_converged(dc);
}

TEST(MultiLeaderTest, WritesAtOneInstantGetDistinctIncreasingStamps)
{
  // Two clients' writes can reach a leader at the same simulated instant; the
  // second must neither share the first's stamp nor fall below it.
  Datacenters dc(zones(2, 1));
  dc.write_at(1.0, 0, 1, 9);
  dc.write_at(1.0, 0, 2, 9);
  dc.write_at(1.0, 0, 3, 10);
  dc.net.deliver_all();
  const auto replies = dc.replies(0);
  ASSERT_EQ(replies.size(), 3u);
  EXPECT_EQ(replies[0].version, lww_version(1.0, 0));
  EXPECT_EQ(replies[1].version, lww_version(1.0, 0) + kOneNs);
  EXPECT_EQ(replies[2].version, lww_version(1.0, 0) + 2 * kOneNs);
}

TEST(MultiLeaderTest, WriteAtTimeZeroByNodeZeroIsNotVersionZero)
{
  Datacenters dc(zones(2, 1));
  dc.write_at(0.0, 0, 1, 9);  // the clock's stamp would be 0, "never written"
  dc.net.deliver_all();
  EXPECT_EQ(dc.replies(0).at(0).version, kOneNs);
  EXPECT_EQ(record(dc.leader(0), 9).version, kOneNs);
}

// --- lost updates ------------------------------------------------------------------

TEST(MultiLeaderTest, ConcurrentConflictLosesExactlyTheLosingWrite)
{
  Datacenters dc(zones(2, 2));
  concurrent_writes(dc);

  const auto lost = lost_updates(dc);
  ASSERT_EQ(lost.size(), 1u);
  EXPECT_EQ(lost[0].key, 9u);
  EXPECT_EQ(lost[0].leader, 1);
  EXPECT_EQ(lost[0].counter, 1u);
  EXPECT_EQ(lost[0].version, lww_version(1.0, 3));
  EXPECT_EQ(dc.replies(1).at(0).version, lww_version(1.0, 3));  // and it was acknowledged
}

TEST(MultiLeaderTest, CausallyOverwrittenWriteIsNotLost)
{
  Datacenters dc(zones(2, 1));
  dc.write_at(1.0, 0, 1, 9);
  dc.net.deliver_all();
  dc.write_at(2.0, 1, 2, 9);
  dc.net.deliver_all();

  ASSERT_EQ(dc.leader(0).accepted().size(), 1u);
  EXPECT_NE(record(dc.leader(0), 9).version, dc.leader(0).accepted()[0].version);  // overwritten...
  EXPECT_TRUE(lost_updates(dc).empty());                                            // ...but not lost
}

}  // namespace multi_leader_conflict_test
}  // namespace replisim
