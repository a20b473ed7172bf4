// Where units live: the MongoDB-style placement and the stable key → unit hash.
#include "protocols/common/placement.hpp"

#include <stdexcept>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "protocols/common/key_hash.hpp"

namespace replisim {
namespace placement_test {

std::vector<std::vector<NodeId>> replica_sets(const Placement& p)
{
  std::vector<std::vector<NodeId>> sets;
  for (UnitId u = 0; u < p.unit_count(); ++u) {
    const auto r = p.replicas(u);
    sets.emplace_back(r.begin(), r.end());
  }
  return sets;
}

TEST(LeaderFollowerPlacement, NineNodesRfThreeMakeThreeConsecutiveReplicaSets)
{
  const Placement p = leader_follower_placement(9, 3);
  EXPECT_EQ(p.node_count(), 9);
  EXPECT_EQ(replica_sets(p), (std::vector<std::vector<NodeId>>{{0, 1, 2}, {3, 4, 5}, {6, 7, 8}}));
}

TEST(LeaderFollowerPlacement, NodesBeyondTheLastFullSetHoldNothing)
{
  const Placement p = leader_follower_placement(10, 3);
  EXPECT_EQ(p.node_count(), 10);
  EXPECT_EQ(replica_sets(p), (std::vector<std::vector<NodeId>>{{0, 1, 2}, {3, 4, 5}, {6, 7, 8}}));
  for (UnitId u = 0; u < p.unit_count(); ++u)
    EXPECT_FALSE(p.is_replica(u, 9)) << "unit " << u;
}

TEST(LeaderFollowerPlacement, RfEqualToNodesIsOneReplicaSetOfEveryNode)
{
  const Placement p = leader_follower_placement(3, 3);
  EXPECT_EQ(replica_sets(p), (std::vector<std::vector<NodeId>>{{0, 1, 2}}));
}

TEST(LeaderFollowerPlacement, RfOneMakesEveryNodeItsOwnShard)
{
  const Placement p = leader_follower_placement(5, 1);
  EXPECT_EQ(replica_sets(p), (std::vector<std::vector<NodeId>>{{0}, {1}, {2}, {3}, {4}}));
  for (UnitId u = 0; u < 5; ++u)
    EXPECT_EQ(p.primary(u), u);
}

TEST(LeaderFollowerPlacement, PrimaryIsTheFirstMemberOfEachSet)
{
  const Placement p = leader_follower_placement(9, 3);
  EXPECT_EQ(p.primary(0), 0);
  EXPECT_EQ(p.primary(1), 3);
  EXPECT_EQ(p.primary(2), 6);
}

TEST(LeaderFollowerPlacement, IsReplicaMatchesTheReplicaSets)
{
  const Placement p = leader_follower_placement(9, 3);
  for (UnitId u = 0; u < 3; ++u)
    for (NodeId n = 0; n < 9; ++n)
      EXPECT_EQ(p.is_replica(u, n), n / 3 == u) << "unit " << u << ", node " << n;
}

TEST(LeaderFollowerPlacement, RejectsRfLargerThanTheNodeCount)
{
  EXPECT_THROW(leader_follower_placement(3, 4), std::invalid_argument);
  EXPECT_THROW(leader_follower_placement(0, 1), std::invalid_argument);
}

TEST(LeaderFollowerPlacement, RejectsRfBelowOne)
{
  EXPECT_THROW(leader_follower_placement(3, 0), std::invalid_argument);
  EXPECT_THROW(leader_follower_placement(3, -1), std::invalid_argument);
}

TEST(Placement, RejectsNoUnitsAndEmptyReplicaSets)
{
  EXPECT_THROW(Placement(3, {}), std::invalid_argument);
  EXPECT_THROW(Placement(3, {{0}, {}}), std::invalid_argument);
}

TEST(StableHash, IsSplitmix64sFinaliser)
{
  // splitmix64's first output for seed 0 (Vigna's reference splitmix64.c),
  // which is exactly the finaliser applied to key 0.
  EXPECT_EQ(stable_hash(0), 0xe220a8397b1dcdafULL);
}

TEST(UnitOf, KeysMapToPinnedUnits)
{
  // Pinned: published CSVs name units, so a change of the hash must be a
  // deliberate one. 16 keys over 3 units: an unrelated hash matches all of
  // them with probability 3^-16 ≈ 2e-8.
  const Placement p = leader_follower_placement(9, 3);
  const std::pair<Key, UnitId> pinned[] = {
      {0, 1},  {1, 2},  {2, 1},    {3, 0},    {4, 1},         {5, 2}, {6, 2}, {7, 0},
      {8, 1},  {9, 1},  {10, 1},   {11, 0},   {42, 1},        {1000, 1},
      {123456789, 2},   {~Key{0}, 2},
  };
  for (const auto& [key, unit] : pinned)
    EXPECT_EQ(p.unit_of(key), unit) << "key " << key;
}

TEST(UnitOf, IsTheSameForEqualPlacements)
{
  const Placement a = leader_follower_placement(12, 3);
  const Placement b = leader_follower_placement(12, 3);
  for (Key k = 0; k < 1000; ++k)
    ASSERT_EQ(a.unit_of(k), b.unit_of(k)) << "key " << k;
}

// Pearson's chi-square statistic of the unit counts of `keys` against an even spread.
double chi_square(const Placement& p, const std::vector<Key>& keys)
{
  std::vector<double> count(static_cast<std::size_t>(p.unit_count()), 0.0);
  for (Key k : keys) {
    const UnitId u = p.unit_of(k);
    EXPECT_GE(u, 0);
    EXPECT_LT(u, p.unit_count());
    count[static_cast<std::size_t>(u)] += 1;
  }
  const double expected = static_cast<double>(keys.size()) / p.unit_count();
  double chi2 = 0;
  for (double c : count)
    chi2 += (c - expected) * (c - expected) / expected;
  return chi2;
}

// The inputs are fixed, so these tests are deterministic; the bounds say how
// uneven a spread we tolerate. Under a uniform hash the statistic follows a
// chi-square law with (units − 1) degrees of freedom; the bounds are its 0.999
// quantiles (13.82 for 2 dof, 27.88 for 9 dof), so a well-mixing hash fails
// them with probability 0.1%, while a hash that clusters keys exceeds them by
// orders of magnitude (100,000 keys piled on one of 10 units give 900,000).

TEST(UnitOf, SpreadsConsecutiveKeysEvenly)
{
  // YCSB's hot keys are 0, 1, 2, ...: they must not bunch on one unit.
  std::vector<Key> keys(100000);
  for (Key k = 0; k < keys.size(); ++k)
    keys[k] = k;
  EXPECT_LT(chi_square(leader_follower_placement(9, 3), keys), 13.82);
  EXPECT_LT(chi_square(leader_follower_placement(10, 1), keys), 27.88);
}

TEST(UnitOf, SpreadsKeysStridedByTheUnitCountEvenly)
{
  // Keys that are multiples of the unit count would all land on unit 0 under
  // plain `key % units`; the hash must break that pattern.
  for (int units : {3, 10}) {
    std::vector<Key> keys(100000);
    for (Key i = 0; i < keys.size(); ++i)
      keys[i] = i * static_cast<Key>(units);
    const double bound = units == 3 ? 13.82 : 27.88;
    EXPECT_LT(chi_square(leader_follower_placement(units, 1), keys), bound) << units << " units";
  }
}

}  // namespace placement_test
}  // namespace replisim
