// Cassandra's consistency levels: blockFor, when acks complete a request, and
// when too few live replicas make it Unavailable. Expected values are worked
// out by hand from ConsistencyLevel.blockFor: ONE 1, TWO 2, THREE 3,
// QUORUM ⌊ΣRF/2⌋+1, LOCAL_QUORUM ⌊RF_local/2⌋+1, EACH_QUORUM Σ_z (⌊RF_z/2⌋+1),
// ALL ΣRF.
#include "protocols/leaderless/consistency.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace replisim {
namespace consistency_test {

constexpr Consistency kAll[] = {Consistency::one,          Consistency::two,         Consistency::three,
                                Consistency::quorum,       Consistency::local_quorum, Consistency::each_quorum,
                                Consistency::all};

// --- Names ---------------------------------------------------------------------

TEST(Consistency, ParsesCassandrasNamesInAnyCase)
{
  EXPECT_EQ(parse_consistency("ONE"), Consistency::one);
  EXPECT_EQ(parse_consistency("two"), Consistency::two);
  EXPECT_EQ(parse_consistency("Three"), Consistency::three);
  EXPECT_EQ(parse_consistency("QUORUM"), Consistency::quorum);
  EXPECT_EQ(parse_consistency("local_quorum"), Consistency::local_quorum);
  EXPECT_EQ(parse_consistency("Each_Quorum"), Consistency::each_quorum);
  EXPECT_EQ(parse_consistency("ALL"), Consistency::all);
}

TEST(Consistency, ToStringIsCassandrasUpperCaseNameAndParsesBack)
{
  EXPECT_EQ(to_string(Consistency::local_quorum), "LOCAL_QUORUM");
  EXPECT_EQ(to_string(Consistency::each_quorum), "EACH_QUORUM");
  for (Consistency level : kAll)
    EXPECT_EQ(parse_consistency(to_string(level)), level) << to_string(level);
}

TEST(Consistency, RejectsUnknownLevelsNamingTheValue)
{
  for (const std::string bad : {"quorums", "", "LOCAL_ONE", "ANY", "2"}) {
    try {
      parse_consistency(bad);
      ADD_FAILURE() << "'" << bad << "' parsed";
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find("'" + bad + "'"), std::string::npos) << e.what();
    }
  }
}

// --- blockFor --------------------------------------------------------------------

TEST(QuorumRule, BlockForEveryLevelWithRfThreeInOneZone)
{
  // ΣRF 3: QUORUM ⌊3/2⌋+1 = 2; LOCAL_QUORUM and EACH_QUORUM are the quorum of
  // the one zone, 2; ALL 3.
  const std::vector<std::pair<Consistency, int>> expected = {
      {Consistency::one, 1},          {Consistency::two, 2},         {Consistency::three, 3},
      {Consistency::quorum, 2},       {Consistency::local_quorum, 2}, {Consistency::each_quorum, 2},
      {Consistency::all, 3},
  };
  for (const auto& [level, block_for] : expected)
    EXPECT_EQ(QuorumRule(level, {3}, 0).block_for(), block_for) << to_string(level);
}

TEST(QuorumRule, BlockForEveryLevelWithRfThreePlusThreeInTwoZones)
{
  // ΣRF 6: QUORUM ⌊6/2⌋+1 = 4; LOCAL_QUORUM ⌊3/2⌋+1 = 2 in zone 0 only;
  // EACH_QUORUM 2 + 2 = 4; ALL 6.
  const std::vector<std::pair<Consistency, int>> expected = {
      {Consistency::one, 1},          {Consistency::two, 2},         {Consistency::three, 3},
      {Consistency::quorum, 4},       {Consistency::local_quorum, 2}, {Consistency::each_quorum, 4},
      {Consistency::all, 6},
  };
  for (const auto& [level, block_for] : expected)
    EXPECT_EQ(QuorumRule(level, {3, 3}, 0).block_for(), block_for) << to_string(level);
}

TEST(QuorumRule, BlockForUnevenZones)
{
  // RF {3, 2}: QUORUM ⌊5/2⌋+1 = 3; LOCAL_QUORUM from zone 1 ⌊2/2⌋+1 = 2;
  // EACH_QUORUM 2 + 2 = 4; ALL 5. RF {5, 0}: EACH_QUORUM skips the empty zone, 3.
  EXPECT_EQ(QuorumRule(Consistency::quorum, {3, 2}, 0).block_for(), 3);
  EXPECT_EQ(QuorumRule(Consistency::local_quorum, {3, 2}, 1).block_for(), 2);
  EXPECT_EQ(QuorumRule(Consistency::each_quorum, {3, 2}, 0).block_for(), 4);
  EXPECT_EQ(QuorumRule(Consistency::all, {3, 2}, 0).block_for(), 5);
  EXPECT_EQ(QuorumRule(Consistency::each_quorum, {5, 0}, 0).block_for(), 3);
}

// --- satisfied ---------------------------------------------------------------------

TEST(QuorumRule, EachQuorumNeedsAQuorumInEveryZone)
{
  const QuorumRule rule(Consistency::each_quorum, {3, 3}, 0);
  EXPECT_TRUE(rule.satisfied({2, 2}));
  EXPECT_TRUE(rule.satisfied({3, 2}));
  // Four acks is blockFor, but zone 1 gave only one.
  EXPECT_FALSE(rule.satisfied({3, 1}));
  EXPECT_FALSE(rule.satisfied({1, 3}));
  EXPECT_FALSE(rule.satisfied({3, 0}));

  // RF {5, 3} needs 3 + 2; five acks from zone 0 alone are not enough.
  const QuorumRule uneven(Consistency::each_quorum, {5, 3}, 0);
  EXPECT_EQ(uneven.block_for(), 5);
  EXPECT_FALSE(uneven.satisfied({5, 0}));
  EXPECT_TRUE(uneven.satisfied({3, 2}));
}

TEST(QuorumRule, LocalQuorumCountsOnlyTheCoordinatorsZone)
{
  const QuorumRule from_zone_0(Consistency::local_quorum, {3, 3}, 0);
  EXPECT_TRUE(from_zone_0.satisfied({2, 0}));
  EXPECT_FALSE(from_zone_0.satisfied({1, 3}));
  EXPECT_FALSE(from_zone_0.satisfied({0, 3}));

  const QuorumRule from_zone_1(Consistency::local_quorum, {3, 3}, 1);
  EXPECT_TRUE(from_zone_1.satisfied({0, 2}));
  EXPECT_FALSE(from_zone_1.satisfied({3, 1}));
}

TEST(QuorumRule, QuorumAndFixedCountsTakeAcksFromAnyZone)
{
  const QuorumRule quorum(Consistency::quorum, {3, 3}, 0);
  EXPECT_TRUE(quorum.satisfied({3, 1}));
  EXPECT_TRUE(quorum.satisfied({1, 3}));
  EXPECT_TRUE(quorum.satisfied({2, 2}));
  EXPECT_FALSE(quorum.satisfied({2, 1}));

  const QuorumRule two(Consistency::two, {3, 3}, 0);
  EXPECT_TRUE(two.satisfied({0, 2}));
  EXPECT_TRUE(two.satisfied({1, 1}));
  EXPECT_FALSE(two.satisfied({0, 1}));

  const QuorumRule one(Consistency::one, {3}, 0);
  EXPECT_TRUE(one.satisfied({1}));
  EXPECT_FALSE(one.satisfied({0}));
}

TEST(QuorumRule, AllNeedsEveryReplica)
{
  const QuorumRule all(Consistency::all, {3, 3}, 0);
  EXPECT_TRUE(all.satisfied({3, 3}));
  EXPECT_FALSE(all.satisfied({3, 2}));
}

// --- achievable (Unavailable) -------------------------------------------------------

TEST(QuorumRule, AllWithOneReplicaDownIsUnavailableButOneIsNot)
{
  EXPECT_FALSE(QuorumRule(Consistency::all, {3}, 0).achievable({2}));
  EXPECT_TRUE(QuorumRule(Consistency::all, {3}, 0).achievable({3}));
  EXPECT_FALSE(QuorumRule(Consistency::all, {3, 3}, 0).achievable({3, 2}));
  EXPECT_TRUE(QuorumRule(Consistency::one, {3}, 0).achievable({2}));
  EXPECT_TRUE(QuorumRule(Consistency::one, {3}, 0).achievable({1}));
  EXPECT_FALSE(QuorumRule(Consistency::one, {3}, 0).achievable({0}));
}

TEST(QuorumRule, QuorumToleratesAMinorityDown)
{
  const QuorumRule quorum(Consistency::quorum, {3}, 0);
  EXPECT_TRUE(quorum.achievable({2}));
  EXPECT_FALSE(quorum.achievable({1}));
}

TEST(QuorumRule, EachQuorumIsUnavailableWhenOneZoneLacksAQuorum)
{
  const QuorumRule rule(Consistency::each_quorum, {3, 3}, 0);
  EXPECT_TRUE(rule.achievable({2, 2}));
  EXPECT_FALSE(rule.achievable({3, 1}));
}

TEST(QuorumRule, LocalQuorumIgnoresRemoteLiveReplicas)
{
  const QuorumRule rule(Consistency::local_quorum, {3, 3}, 0);
  EXPECT_TRUE(rule.achievable({2, 0}));
  EXPECT_FALSE(rule.achievable({1, 3}));
}

TEST(QuorumRule, ALevelAskingForMoreReplicasThanExistIsUnavailableNotAnError)
{
  // Cassandra: THREE with RF 2 has blockFor 3 and at most 2 live replicas →
  // Unavailable on every request, never an invalid request.
  const QuorumRule three(Consistency::three, {2}, 0);
  EXPECT_EQ(three.block_for(), 3);
  EXPECT_FALSE(three.achievable({2}));
  EXPECT_FALSE(QuorumRule(Consistency::two, {1}, 0).achievable({1}));

  // LOCAL_QUORUM coordinated from a zone with no replica: blockFor ⌊0/2⌋+1 = 1,
  // which no local replica can give.
  const QuorumRule remote(Consistency::local_quorum, {3, 0}, 1);
  EXPECT_EQ(remote.block_for(), 1);
  EXPECT_FALSE(remote.achievable({3, 0}));
}

TEST(QuorumRule, RejectsCountsThatDoNotFitTheUnit)
{
  const QuorumRule rule(Consistency::quorum, {3, 3}, 0);
  EXPECT_THROW(rule.satisfied({3}), std::invalid_argument);
  EXPECT_THROW(rule.achievable({3, 3, 0}), std::invalid_argument);
  EXPECT_THROW(rule.achievable({4, 0}), std::invalid_argument);  // more live than replicas
}

TEST(QuorumRule, RejectsAUnitWithoutReplicasOrAnUnknownLocalZone)
{
  EXPECT_THROW(QuorumRule(Consistency::one, {}, 0), std::invalid_argument);
  EXPECT_THROW(QuorumRule(Consistency::one, {0, 0}, 0), std::invalid_argument);
  EXPECT_THROW(QuorumRule(Consistency::one, {3, -1}, 0), std::invalid_argument);
  EXPECT_THROW(QuorumRule(Consistency::local_quorum, {3, 3}, 2), std::invalid_argument);
  EXPECT_THROW(QuorumRule(Consistency::one, {3}, -1), std::invalid_argument);
}

// R + W > N (Gifford's weighted voting; Dynamo's and PBS's strict quorums):
// whether a read is sure to reach a replica holding every acknowledged write.
TEST(QuorumOverlap, OneZoneOfThreeReplicasOverlapsWhenRPlusWExceedsThree)
{
  const std::vector<int> rf3 = {3};
  EXPECT_EQ(quorum_overlap(Consistency::quorum, Consistency::quorum, rf3), QuorumOverlap::always);  // 2 + 2 > 3
  EXPECT_EQ(quorum_overlap(Consistency::two, Consistency::two, rf3), QuorumOverlap::always);
  EXPECT_EQ(quorum_overlap(Consistency::all, Consistency::one, rf3), QuorumOverlap::always);        // 3 + 1 > 3
  EXPECT_EQ(quorum_overlap(Consistency::one, Consistency::all, rf3), QuorumOverlap::always);
  EXPECT_EQ(quorum_overlap(Consistency::one, Consistency::quorum, rf3), QuorumOverlap::never);     // 1 + 2 = 3
  EXPECT_EQ(quorum_overlap(Consistency::one, Consistency::one, rf3), QuorumOverlap::never);
}

TEST(QuorumOverlap, LocalQuorumsOverlapOnlyWithinADatacenter)
{
  const std::vector<int> two_dcs = {3, 3};
  EXPECT_EQ(quorum_overlap(Consistency::local_quorum, Consistency::local_quorum, two_dcs), QuorumOverlap::local);
  // EACH_QUORUM writes hold a quorum in every zone, which any local read quorum meets.
  EXPECT_EQ(quorum_overlap(Consistency::each_quorum, Consistency::local_quorum, two_dcs), QuorumOverlap::always);
  EXPECT_EQ(quorum_overlap(Consistency::quorum, Consistency::quorum, two_dcs), QuorumOverlap::always);  // 4 + 4 > 6
  EXPECT_EQ(quorum_overlap(Consistency::local_quorum, Consistency::one, two_dcs), QuorumOverlap::never);
  // QUORUM (4 of 6) can sit 3 in one zone and 1 in the other, missing a
  // LOCAL_QUORUM read (2 of 3) of the second zone.
  EXPECT_EQ(quorum_overlap(Consistency::quorum, Consistency::local_quorum, two_dcs), QuorumOverlap::never);
}

TEST(QuorumOverlap, UnknownWhenNoWriteCanRun)
{
  EXPECT_EQ(quorum_overlap(Consistency::three, Consistency::one, {2}), QuorumOverlap::unknown);
  EXPECT_EQ(to_string(QuorumOverlap::local), "local");
}

}  // namespace consistency_test
}  // namespace replisim
