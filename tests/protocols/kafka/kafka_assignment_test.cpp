// Kafka's replica assignment (AdminUtils.assignReplicasToBrokers, fixed start
// index). The expected tables were worked out by hand from the pseudo-code in
// shared/reference/real-systems.md and Kafka's source; the working is in the
// comments, so a wrong table can be checked without running anything.
#include "protocols/common/setting_error.hpp"
#include "protocols/kafka/kafka_assignment.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "protocols/common/rng.hpp"

namespace replisim {
namespace kafka_assignment_test {

using Table = std::vector<std::vector<NodeId>>;

void expect_table(const Table& actual, const Table& expected)
{
  ASSERT_EQ(actual.size(), expected.size());
  for (std::size_t p = 0; p < expected.size(); ++p)
    EXPECT_EQ(actual[p], expected[p]) << "partition " << p;
}

int distinct_racks(const std::vector<NodeId>& replicas, const std::vector<std::string>& racks)
{
  std::set<std::string> seen;
  for (NodeId b : replicas)
    seen.insert(racks.at(static_cast<std::size_t>(b)));
  return static_cast<int>(seen.size());
}

// --- Rack-unaware -----------------------------------------------------------
// first = (pid + start) % n; follower j at first + 1 + (shift + j) % (n − 1);
// shift starts at the start index and grows by one at pid = n, 2n, ...

TEST(KafkaAssignment, SixNodesTwelvePartitionsRfThreeFromStartZero)
{
  // n 6, start 0. pid 0–5: shift 0 → followers at first+1, first+2.
  //               pid 6–11: shift 1 → followers at first+2, first+3.
  const Table expected = {
      {0, 1, 2}, {1, 2, 3}, {2, 3, 4}, {3, 4, 5}, {4, 5, 0}, {5, 0, 1},
      {0, 2, 3}, {1, 3, 4}, {2, 4, 5}, {3, 5, 0}, {4, 0, 1}, {5, 1, 2},
  };
  expect_table(kafka_assignment(6, 12, 3, 0), expected);
}

TEST(KafkaAssignment, FiveNodesTenPartitionsRfThreeFromStartTwo)
{
  // n 5, start 2: first = (pid + 2) % 5.
  //   pid 0–4: shift 2 → offsets 1 + 2%4 = 3 and 1 + 3%4 = 4.
  //   pid 5–9: shift 3 → offsets 1 + 3%4 = 4 and 1 + 4%4 = 1.
  const Table expected = {
      {2, 0, 1}, {3, 1, 2}, {4, 2, 3}, {0, 3, 4}, {1, 4, 0},
      {2, 1, 3}, {3, 2, 4}, {4, 3, 0}, {0, 4, 1}, {1, 0, 2},
  };
  expect_table(kafka_assignment(5, 10, 3, 2), expected);
}

TEST(KafkaAssignment, MatchesTheExampleInKafkasAdminUtilsDoc)
{
  // AdminUtils' Javadoc: 5 brokers, 10 partitions, rf 3, drawn per broker.
  //   broker-0  broker-1  broker-2  broker-3  broker-4
  //   p0        p1        p2        p3        p4       (1st replica)
  //   p5        p6        p7        p8        p9       (1st replica)
  //   p4        p0        p1        p2        p3       (2nd replica)
  //   p8        p9        p5        p6        p7       (2nd replica)
  //   p3        p4        p0        p1        p2       (3rd replica)
  //   p7        p8        p9        p5        p6       (3rd replica)
  // The doc's table is the one a start index of 0 gives.
  const std::vector<std::vector<std::set<int>>> by_rank = {
      {{0, 5}, {1, 6}, {2, 7}, {3, 8}, {4, 9}},
      {{4, 8}, {0, 9}, {1, 5}, {2, 6}, {3, 7}},
      {{3, 7}, {4, 8}, {0, 9}, {1, 5}, {2, 6}},
  };
  const Table actual = kafka_assignment(5, 10, 3, 0);
  ASSERT_EQ(actual.size(), 10u);
  for (std::size_t rank = 0; rank < 3; ++rank)
    for (NodeId broker = 0; broker < 5; ++broker) {
      std::set<int> partitions;
      for (int p = 0; p < 10; ++p)
        if (actual[static_cast<std::size_t>(p)].at(rank) == broker)
          partitions.insert(p);
      EXPECT_EQ(partitions, by_rank[rank][static_cast<std::size_t>(broker)])
          << "replica rank " << rank + 1 << ", broker " << broker;
    }
}

TEST(KafkaAssignment, RfOneIsRoundRobinFromTheStartIndex)
{
  expect_table(kafka_assignment(4, 6, 1, 3), Table{{3}, {0}, {1}, {2}, {3}, {0}});
}

TEST(KafkaAssignment, RfEqualToNodesPutsEveryNodeInEveryPartition)
{
  // n 3, start 1, shift 1 then 2 (at pid 3); offsets 1 + (shift + j) % 2.
  //   pid 0–2: offsets 2, 1.   pid 3: offsets 1, 2.
  expect_table(kafka_assignment(3, 4, 3, 1), Table{{1, 0, 2}, {2, 1, 0}, {0, 2, 1}, {1, 2, 0}});
}

// --- Rack-aware -------------------------------------------------------------
// arranged = racks in name order, one broker of each in turn; leader =
// arranged[(pid + start) % n]; candidate k at arranged[first + 1 +
// (shift·racks + k) % (n − 1)], k counting on across the partition's
// followers; a candidate is skipped when its rack already holds a replica
// while some rack holds none, or when it already holds a replica.

const std::vector<std::string> kTwoPerRack = {"a", "a", "b", "b", "c", "c"};
// arranged: 0(a) 2(b) 4(c) 1(a) 3(b) 5(c)

TEST(KafkaAssignment, RackAwareThreeRacksOfTwoFromStartZero)
{
  // shift 0 → candidates at first+1, first+2: always the next two racks.
  const Table expected = {{0, 2, 4}, {2, 4, 1}, {4, 1, 3}, {1, 3, 5}, {3, 5, 0}, {5, 0, 2}};
  const Table actual = kafka_assignment(6, 6, 3, 0, kTwoPerRack);
  expect_table(actual, expected);
  for (std::size_t p = 0; p < actual.size(); ++p)
    EXPECT_EQ(distinct_racks(actual[p], kTwoPerRack), 3) << "partition " << p;
}

TEST(KafkaAssignment, RackAwareSkipsACandidateWhoseRackIsTaken)
{
  // start 2: shift·racks = 6, candidate offsets 1 + (6 + k) % 5 = 2, 3, 4, ...
  // pid 0: leader arranged[2] = 4(c); k0 → arranged[4] = 3(b) taken;
  //        k1 → arranged[5] = 5(c) skipped (c used, a not); k2 → arranged[0] = 0(a).
  // Every partition skips its k1 candidate the same way.
  const Table expected = {{4, 3, 0}, {1, 5, 2}, {3, 0, 4}, {5, 2, 1}, {0, 4, 3}, {2, 1, 5}};
  const Table actual = kafka_assignment(6, 6, 3, 2, kTwoPerRack);
  expect_table(actual, expected);
  for (std::size_t p = 0; p < actual.size(); ++p)
    EXPECT_EQ(distinct_racks(actual[p], kTwoPerRack), 3) << "partition " << p;
}

TEST(KafkaAssignment, RackAwareMatchesTheExampleInKafkasAdminUtilsDoc)
{
  // AdminUtils' Javadoc: 0→rack1, 1→rack3, 2→rack3, 3→rack2, 4→rack2, 5→rack1;
  // rack-alternated list 0, 3, 1, 5, 4, 2; 6 partitions rf 3 give
  // 0→0,3,1  1→3,1,5  2→1,5,4  3→5,4,2  4→4,2,0  5→2,0,3, and a seventh
  // partition 6→0,4,2 (shift 1·3: candidates at offsets 4, 5).
  const std::vector<std::string> racks = {"rack1", "rack3", "rack3", "rack2", "rack2", "rack1"};
  const Table expected = {{0, 3, 1}, {3, 1, 5}, {1, 5, 4}, {5, 4, 2}, {4, 2, 0}, {2, 0, 3}, {0, 4, 2}};
  expect_table(kafka_assignment(6, 7, 3, 0, racks), expected);
}

TEST(KafkaAssignment, RackAwareFallsBackToAnyFreeBrokerOnceEveryRackHasAReplica)
{
  // Racks a: 0, 1, 2 and b: 3. arranged: 0(a) 3(b) 1(a) 2(a); offsets 1 + k % 3.
  // pid 0: leader 0(a); k0 → 3(b); k1 → 1(a), allowed now both racks are used.
  // pid 1: leader 3(b); k0 → 1(a); k1 → 2(a).
  // pid 2: leader 1(a); k0 → 2(a) skipped; k1 → 0(a) skipped; k2 → 3(b); k3 → 2(a).
  // pid 3: leader 2(a); k0 → 0(a) skipped; k1 → 3(b); k2 → 1(a).
  const std::vector<std::string> racks = {"a", "a", "a", "b"};
  const Table expected = {{0, 3, 1}, {3, 1, 2}, {1, 3, 2}, {2, 3, 1}};
  const Table actual = kafka_assignment(4, 4, 3, 0, racks);
  expect_table(actual, expected);
  for (std::size_t p = 0; p < actual.size(); ++p)
    EXPECT_EQ(distinct_racks(actual[p], racks), 2) << "partition " << p;
}

TEST(KafkaAssignment, OneRackIsTheRackUnawareAssignment)
{
  const std::vector<std::string> one_rack(6, "dc1");
  expect_table(kafka_assignment(6, 12, 3, 0, one_rack), kafka_assignment(6, 12, 3, 0));
  expect_table(kafka_assignment(6, 12, 3, 4, one_rack), kafka_assignment(6, 12, 3, 4));
}

// --- Properties ---------------------------------------------------------------

TEST(KafkaAssignment, EveryNodeLeadsTheSameNumberOfPartitionsWhenTheyDivideEvenly)
{
  const std::vector<std::string> three_racks = {"b", "a", "c", "a", "b", "c", "c", "a", "b"};
  for (int start = 0; start < 9; ++start)
    for (int per_node : {1, 2, 5})
      for (int rf : {1, 2, 3, 9})
        for (bool rack_aware : {false, true}) {
          const Table table = kafka_assignment(9, 9 * per_node, rf, start,
                                               rack_aware ? three_racks : std::vector<std::string>{});
          std::vector<int> led(9, 0);
          for (const auto& replicas : table)
            ++led[static_cast<std::size_t>(replicas.front())];
          EXPECT_EQ(led, std::vector<int>(9, per_node))
              << "start " << start << ", rf " << rf << ", " << per_node << " per node"
              << (rack_aware ? ", rack-aware" : "");
        }
}

void expect_well_formed(const Table& table, int nodes, int partitions, int rf, const std::string& what)
{
  ASSERT_EQ(static_cast<int>(table.size()), partitions) << what;
  for (std::size_t p = 0; p < table.size(); ++p) {
    const auto& replicas = table[p];
    ASSERT_EQ(static_cast<int>(replicas.size()), rf) << what << ", partition " << p;
    for (NodeId b : replicas)
      ASSERT_TRUE(b >= 0 && b < nodes) << what << ", partition " << p << ": node " << b;
    const std::set<NodeId> distinct(replicas.begin(), replicas.end());
    ASSERT_EQ(distinct.size(), replicas.size()) << what << ", partition " << p << " has a duplicate replica";
  }
}

TEST(KafkaAssignment, NoPartitionHasADuplicateReplica)
{
  // Every combination of nodes 1..12, rf 1..nodes, start 0..nodes−1, partitions 1..40.
  for (int nodes = 1; nodes <= 12; ++nodes)
    for (int rf = 1; rf <= nodes; ++rf)
      for (int start = 0; start < nodes; ++start)
        for (int partitions = 1; partitions <= 40; ++partitions)
          expect_well_formed(kafka_assignment(nodes, partitions, rf, start), nodes, partitions, rf,
                             "nodes " + std::to_string(nodes) + ", rf " + std::to_string(rf) + ", start " +
                                 std::to_string(start) + ", partitions " + std::to_string(partitions));
}

TEST(KafkaAssignment, RackAwareHasNoDuplicateAndSpreadsOverAsManyRacksAsItCan)
{
  // Seeded random rack maps: rf ≥ racks puts a replica on every rack, rf < racks
  // puts at most one on each (Kafka's stated guarantee).
  Rng rng(20240611);
  for (int trial = 0; trial < 3000; ++trial) {
    const int nodes = 2 + static_cast<int>(rng.below(11));
    const int rack_names = 2 + static_cast<int>(rng.below(4));
    std::vector<std::string> racks(static_cast<std::size_t>(nodes));
    for (auto& r : racks)
      r = std::string(1, static_cast<char>('a' + rng.below(static_cast<std::uint64_t>(rack_names))));
    const int rack_count = static_cast<int>(std::set<std::string>(racks.begin(), racks.end()).size());
    const int rf = 1 + static_cast<int>(rng.below(static_cast<std::uint64_t>(nodes)));
    const int start = static_cast<int>(rng.below(static_cast<std::uint64_t>(nodes)));
    const int partitions = 1 + static_cast<int>(rng.below(40));
    const std::string what = "trial " + std::to_string(trial);
    const Table table = kafka_assignment(nodes, partitions, rf, start, racks);
    expect_well_formed(table, nodes, partitions, rf, what);
    for (std::size_t p = 0; p < table.size(); ++p)
      ASSERT_EQ(distinct_racks(table[p], racks), std::min(rf, rack_count)) << what << ", partition " << p;
  }
}

TEST(KafkaPlacement, IsTheAssignmentWithItsFirstReplicaAsPrimary)
{
  const Placement p = kafka_placement(5, 10, 3, 2);
  EXPECT_EQ(p.node_count(), 5);
  ASSERT_EQ(p.unit_count(), 10);
  EXPECT_EQ(p.primary(0), 2);
  EXPECT_EQ(p.primary(9), 1);
  const auto replicas = p.replicas(5);
  EXPECT_EQ(std::vector<NodeId>(replicas.begin(), replicas.end()), (std::vector<NodeId>{2, 1, 3}));
}

// --- Bad input ----------------------------------------------------------------

void expect_rejected(Setting setting, int nodes, int partitions, int rf, int start,
                     const std::vector<std::string>& racks = {})
{
  try {
    kafka_assignment(nodes, partitions, rf, start, racks);
    ADD_FAILURE() << "accepted nodes " << nodes << ", partitions " << partitions << ", rf " << rf << ", start "
                  << start;
  } catch (const SettingError& e) {
    EXPECT_EQ(e.setting(), setting) << e.what();
  }
}

TEST(KafkaAssignment, RejectsBadInputNamingTheSetting)
{
  expect_rejected(Setting::rf, 3, 6, 4, 0);
  expect_rejected(Setting::rf, 3, 6, 0, 0);
  expect_rejected(Setting::rf, 3, 6, -1, 0);
  expect_rejected(Setting::rf, 0, 6, 1, 0);
  expect_rejected(Setting::units, 3, 0, 2, 0);
  expect_rejected(Setting::units, 3, -5, 2, 0);
  expect_rejected(Setting::start_index, 3, 6, 2, 3);
  expect_rejected(Setting::start_index, 3, 6, 2, -1);
  expect_rejected(Setting::start_index, 6, 6, 3, 6, kTwoPerRack);
}

TEST(KafkaAssignment, RejectsARackListOfTheWrongLength)
{
  EXPECT_THROW(kafka_assignment(4, 4, 2, 0, {"a", "b"}), std::invalid_argument);
  EXPECT_THROW(kafka_placement(4, 4, 2, 0, {"a", "b"}), std::invalid_argument);
}

}  // namespace kafka_assignment_test
}  // namespace replisim
