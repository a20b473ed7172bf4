// Write concerns and the quorum index: the arithmetic behind every ack rule.
#include "protocols/common/write_concern.hpp"

#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "protocols/common/rng.hpp"

namespace replisim {
namespace write_concern_test {

TEST(WriteConcern, OneNeedsOnlyTheLeaderForEveryReplicationFactor)
{
  for (int rf = 1; rf <= 7; ++rf)
    EXPECT_EQ(acks_needed(WriteConcern::one, rf), 1) << "rf " << rf;
}

TEST(WriteConcern, MajorityNeedsMoreThanHalfOfTheReplicaSet)
{
  // MongoDB: "majority" is floor(rf / 2) + 1 members, the leader included.
  const int expected[] = {1, 2, 2, 3, 3, 4, 4};
  for (int rf = 1; rf <= 7; ++rf)
    EXPECT_EQ(acks_needed(WriteConcern::majority, rf), expected[rf - 1]) << "rf " << rf;
}

TEST(WriteConcern, AllNeedsEveryReplica)
{
  for (int rf = 1; rf <= 7; ++rf)
    EXPECT_EQ(acks_needed(WriteConcern::all, rf), rf) << "rf " << rf;
}

TEST(WriteConcern, AnyTwoMajoritiesOverlap)
{
  // The property majority exists for: two majorities of one set share a member,
  // and no smaller count has that property.
  for (int rf = 1; rf <= 7; ++rf) {
    const int m = acks_needed(WriteConcern::majority, rf);
    EXPECT_GT(2 * m, rf) << "rf " << rf;
    EXPECT_LE(2 * (m - 1), rf) << "rf " << rf;
  }
}

TEST(WriteConcern, ParsesTheThreeNamesMongoDbUses)
{
  EXPECT_EQ(parse_write_concern("1"), WriteConcern::one);
  EXPECT_EQ(parse_write_concern("majority"), WriteConcern::majority);
  EXPECT_EQ(parse_write_concern("all"), WriteConcern::all);
}

TEST(WriteConcern, ToStringRoundTripsThroughParse)
{
  for (WriteConcern c : {WriteConcern::one, WriteConcern::majority, WriteConcern::all})
    EXPECT_EQ(parse_write_concern(to_string(c)), c);
  EXPECT_EQ(to_string(WriteConcern::one), "1");
  EXPECT_EQ(to_string(WriteConcern::majority), "majority");
  EXPECT_EQ(to_string(WriteConcern::all), "all");
}

TEST(WriteConcern, RejectsUnknownNamesAndQuotesThem)
{
  for (const std::string bad : {"", "0", "2", "Majority", "ALL", " majority", "majority ", "quorum"}) {
    try {
      parse_write_concern(bad);
      ADD_FAILURE() << "accepted '" << bad << "'";
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find("'" + bad + "'"), std::string::npos) << e.what();
    }
  }
}

TEST(QuorumIndex, IsTheNeededThLargestMatchIndex)
{
  EXPECT_EQ(quorum_index({5, 3, 8}, 1), 8u);
  EXPECT_EQ(quorum_index({5, 3, 8}, 2), 5u);
  EXPECT_EQ(quorum_index({5, 3, 8}, 3), 3u);
  EXPECT_EQ(quorum_index({7, 7, 2, 7, 1}, 3), 7u);
  EXPECT_EQ(quorum_index({7, 7, 2, 7, 1}, 4), 2u);
}

TEST(QuorumIndex, IsZeroWhenTheQuorumCannotBeMet)
{
  EXPECT_EQ(quorum_index({}, 1), 0u);
  EXPECT_EQ(quorum_index({4, 9}, 3), 0u);
  EXPECT_EQ(quorum_index({4, 9}, 0), 0u);
  EXPECT_EQ(quorum_index({4, 9}, -1), 0u);
}

// etcd raft's alternativeMajorityCommittedIndex: for every candidate index,
// count the match indexes that reach it; the answer is the largest candidate
// that at least `needed` of them reach. Quadratic and obviously right.
LogIndex naive_quorum_index(const std::vector<LogIndex>& match, int needed)
{
  if (needed < 1)
    return 0;
  LogIndex best = 0;
  for (LogIndex candidate : match) {
    int reached = 0;
    for (LogIndex m : match)
      reached += m >= candidate ? 1 : 0;
    if (reached >= needed && candidate > best)
      best = candidate;
  }
  return best;
}

TEST(QuorumIndex, AgreesWithTheNaiveCountOnRandomVectors)
{
  Rng rng(20240611);
  for (int round = 0; round < 5000; ++round) {
    const auto size = static_cast<std::size_t>(rng.below(10));  // 0..9 replicas
    // Small value ranges force duplicates, the case nth_element gets wrong most easily.
    const std::uint64_t range = round % 2 == 0 ? 4 : 1000;
    std::vector<LogIndex> match(size);
    for (auto& m : match)
      m = rng.below(range);
    const int needed = static_cast<int>(rng.below(size + 3)) - 1;  // -1..size+1
    ASSERT_EQ(quorum_index(match, needed), naive_quorum_index(match, needed))
        << "round " << round << ", size " << size << ", needed " << needed;
  }
}

TEST(QuorumIndex, MajorityCommitIndexOfAFiveMemberSet)
{
  // Raft §5.3: an entry is committed once a majority of servers hold it.
  const std::vector<LogIndex> match = {10, 4, 7, 4, 12};
  EXPECT_EQ(quorum_index(match, acks_needed(WriteConcern::majority, 5)), 7u);
  EXPECT_EQ(quorum_index(match, acks_needed(WriteConcern::all, 5)), 4u);
  EXPECT_EQ(quorum_index(match, acks_needed(WriteConcern::one, 5)), 12u);
}

}  // namespace write_concern_test
}  // namespace replisim
