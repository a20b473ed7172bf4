// The leader-based models' client-side routing (ReplicaRouter): writes to
// the primary, reads by read preference. The suite is named Client* because
// routing is the client's side.
#include <gtest/gtest.h>

#include <stdexcept>
#include <vector>

#include "protocols/common/placement.hpp"
#include "protocols/common/rng.hpp"
#include "protocols/leader_follower/replica_router.hpp"

namespace replisim {
namespace replica_router_test {

TEST(ClientRoutingTest, WritesAlwaysGoToThePrimary)
{
  const Placement placement = leader_follower_placement(6, 3);
  const std::vector<double> latency{9, 1, 2, 9, 1, 2};
  Rng rng(3);
  for (ReadFrom from : {ReadFrom::primary, ReadFrom::secondary, ReadFrom::nearest}) {
    const ReplicaRouter router(placement, from, latency);
    for (int i = 0; i < 100; ++i) {
      EXPECT_EQ(router.route(OpKind::write, 0, rng), 0) << to_string(from);
      EXPECT_EQ(router.route(OpKind::write, 1, rng), 3) << to_string(from);
    }
  }
}

TEST(ClientRoutingTest, PrimaryReadsGoToThePrimary)
{
  const Placement placement = leader_follower_placement(6, 3);
  const ReplicaRouter router(placement, ReadFrom::primary, {});
  Rng rng(3);
  EXPECT_EQ(router.route(OpKind::read, 0, rng), 0);
  EXPECT_EQ(router.route(OpKind::read, 1, rng), 3);
}

TEST(ClientRoutingTest, SecondaryReadsNeverPickThePrimary)
{
  const Placement placement = leader_follower_placement(6, 3);
  const ReplicaRouter router(placement, ReadFrom::secondary, {});
  Rng rng(3);
  std::vector<int> picked(6, 0);
  for (int i = 0; i < 1000; ++i)
    ++picked.at(router.route(OpKind::read, 1, rng));
  // Both secondaries, never the primary or another shard (P(missing one) = 2^-999).
  EXPECT_EQ(picked[3], 0);
  EXPECT_GT(picked[4], 0);
  EXPECT_GT(picked[5], 0);
  EXPECT_EQ(picked[4] + picked[5], 1000);
}

TEST(ClientRoutingTest, SecondaryReadsWithOneReplicaGoToThePrimary)
{
  const Placement placement = leader_follower_placement(3, 1);
  const ReplicaRouter router(placement, ReadFrom::secondary, {});
  Rng rng(3);
  for (UnitId unit = 0; unit < 3; ++unit)
    EXPECT_EQ(router.route(OpKind::read, unit, rng), unit);
}

TEST(ClientRoutingTest, NearestPicksTheReplicaWithTheLowestLatency)
{
  const Placement placement = leader_follower_placement(6, 3);
  // Node 3 is the nearest of all, but holds nothing of unit 0.
  const ReplicaRouter router(placement, ReadFrom::nearest, {0.005, 0.003, 0.001, 0.0001, 0.009, 0.002});
  Rng rng(3);
  EXPECT_EQ(router.route(OpKind::read, 0, rng), 2);
  EXPECT_EQ(router.route(OpKind::read, 1, rng), 3);
}

TEST(ClientRoutingTest, NearestBreaksTiesTowardTheEarlierReplica)
{
  const Placement placement = leader_follower_placement(3, 3);
  const ReplicaRouter router(placement, ReadFrom::nearest, {0.002, 0.001, 0.001});
  Rng rng(3);
  EXPECT_EQ(router.route(OpKind::read, 0, rng), 1);
}

TEST(ClientRoutingTest, NearestNeedsALatencyToEveryNode)
{
  const Placement placement = leader_follower_placement(3, 3);
  EXPECT_THROW(ReplicaRouter(placement, ReadFrom::nearest, {0.001, 0.002}), std::invalid_argument);
}

// --down of a unit's primary: writes go to the leader elected in its place,
// and before there is one to another live replica, never to the down node.
TEST(ClientRoutingTest, WritesOfADownPrimarysUnitGoToTheElectedLeader)
{
  const Placement placement = leader_follower_placement(6, 3);
  ReplicaRouter router(placement, ReadFrom::primary, {});
  NodeId elected = kNoNode;
  router.route_around_down_primaries({true, false, false, false, false, false}, [&elected](UnitId) { return elected; });
  Rng rng(3);
  EXPECT_EQ(router.route(OpKind::write, 0, rng), 1) << "no leader yet: the next live replica";
  elected = 2;
  EXPECT_EQ(router.route(OpKind::write, 0, rng), 2);
  EXPECT_EQ(router.route(OpKind::write, 1, rng), 3) << "a unit whose primary is up is untouched";
}

TEST(ClientRoutingTest, ReadPreferenceNamesRoundTrip)
{
  for (ReadFrom from : {ReadFrom::primary, ReadFrom::secondary, ReadFrom::nearest})
    EXPECT_EQ(parse_read_from(to_string(from)), from);
  EXPECT_THROW(parse_read_from("primaryPreferred"), std::invalid_argument);
}
}  // namespace replica_router_test
}  // namespace replisim
