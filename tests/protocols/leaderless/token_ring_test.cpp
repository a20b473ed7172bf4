// Cassandra's token ring: SimpleStrategy and NetworkTopologyStrategy replica
// lists, primaries, and unit_of on the ring. The expected tables were worked
// out by hand by walking the ring below; the walks are in the comments, so a
// wrong table can be checked without running anything.
#include "protocols/common/setting_error.hpp"
#include "protocols/leaderless/token_ring.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "protocols/common/key_hash.hpp"

namespace replisim {
namespace token_ring_test {

using Table = std::vector<std::vector<NodeId>>;

// 4 nodes × 2 tokens. Token i sits at (2i + 1)·2^60, so the ranges split the
// hash space into eighths and a key's unit can be read off the first hex
// digit of its hash:
//
//   position  0  1  2  3  4  5  6  7
//   token    1… 3… 5… 7… 9… B… D… F…   (0x1000000000000000, 0x3000…, …)
//   node      0  1  1  2  3  0  3  2
//
// Node 1 holds two adjacent positions and node 0 / node 2 recur at the wrap,
// so the walks must skip a node they already took.
std::vector<RingToken> fixed_ring()
{
  const NodeId owner[] = {0, 1, 1, 2, 3, 0, 3, 2};
  std::vector<RingToken> ring;
  for (std::uint64_t i = 0; i < 8; ++i)
    ring.push_back({(2 * i + 1) << 60, owner[i]});
  return ring;
}

// Zones for NetworkTopologyStrategy: zone 0 = {0, 2}, zone 1 = {1, 3}.
const std::vector<int> kZoneOf = {0, 1, 0, 1};

Table replica_table(const Placement& p)
{
  Table table;
  for (UnitId u = 0; u < p.unit_count(); ++u) {
    const auto r = p.replicas(u);
    table.emplace_back(r.begin(), r.end());
  }
  return table;
}

void expect_table(const Placement& p, const Table& expected)
{
  const Table actual = replica_table(p);
  ASSERT_EQ(actual.size(), expected.size());
  for (std::size_t u = 0; u < expected.size(); ++u) {
    EXPECT_EQ(actual[u], expected[u]) << "unit " << u;
    EXPECT_EQ(p.primary(static_cast<UnitId>(u)), expected[u].front()) << "primary of unit " << u;
  }
}

// --- SimpleStrategy ---------------------------------------------------------

TEST(SimpleStrategy, FixedRingRfTwo)
{
  // From each position, the next 2 distinct nodes of 0 1 1 2 3 0 3 2 (wrapping):
  //   u0: 0 1          u4: 3 0
  //   u1: 1 (1) 2      u5: 0 3
  //   u2: 1 2          u6: 3 2
  //   u3: 2 3          u7: 2 | 0
  const Placement p = simple_strategy(fixed_ring(), 4, 2);
  EXPECT_EQ(p.node_count(), 4);
  expect_table(p, {{0, 1}, {1, 2}, {1, 2}, {2, 3}, {3, 0}, {0, 3}, {3, 2}, {2, 0}});
}

TEST(SimpleStrategy, FixedRingRfThree)
{
  //   u0: 0 1 (1) 2        u4: 3 0 (3) 2
  //   u1: 1 (1) 2 3        u5: 0 3 2
  //   u2: 1 2 3            u6: 3 2 | 0
  //   u3: 2 3 0            u7: 2 | 0 1
  const Placement p = simple_strategy(fixed_ring(), 4, 3);
  expect_table(p, {{0, 1, 2}, {1, 2, 3}, {1, 2, 3}, {2, 3, 0}, {3, 0, 2}, {0, 3, 2}, {3, 2, 0}, {2, 0, 1}});
}

TEST(SimpleStrategy, RingTokensAreTheRingsTokensInOrder)
{
  const Placement p = simple_strategy(fixed_ring(), 4, 2);
  EXPECT_EQ(p.ring_tokens(), (std::vector<std::uint64_t>{0x1000000000000000ULL, 0x3000000000000000ULL,
                                                         0x5000000000000000ULL, 0x7000000000000000ULL,
                                                         0x9000000000000000ULL, 0xB000000000000000ULL,
                                                         0xD000000000000000ULL, 0xF000000000000000ULL}));
}

TEST(SimpleStrategy, RfAllNodesPutsEveryNodeOnEveryUnit)
{
  const Placement p = simple_strategy(fixed_ring(), 4, 4);
  for (UnitId u = 0; u < p.unit_count(); ++u)
    for (NodeId n = 0; n < 4; ++n)
      EXPECT_TRUE(p.is_replica(u, n)) << "unit " << u << ", node " << n;
}

TEST(SimpleStrategy, RejectsRfAboveTheDistinctNodesOnTheRing)
{
  EXPECT_THROW(simple_strategy(fixed_ring(), 4, 5), std::invalid_argument);
  EXPECT_THROW(simple_strategy(fixed_ring(), 4, 0), std::invalid_argument);
  // Node 4 exists but holds no token: only 4 distinct nodes on the ring.
  EXPECT_THROW(simple_strategy(fixed_ring(), 5, 5), std::invalid_argument);
  try {
    simple_strategy(fixed_ring(), 4, 5);
  } catch (const SettingError& e) {
    EXPECT_EQ(e.setting(), Setting::rf) << e.what();
  }
}

TEST(SimpleStrategy, RejectsAnUnsortedRingOrAnUnknownNode)
{
  auto unsorted = fixed_ring();
  std::swap(unsorted[0].token, unsorted[1].token);
  EXPECT_THROW(simple_strategy(unsorted, 4, 2), std::invalid_argument);
  EXPECT_THROW(simple_strategy(fixed_ring(), 3, 2), std::invalid_argument);  // node 3 outside [0, 3)
  EXPECT_THROW(simple_strategy({}, 4, 1), std::invalid_argument);
}

// --- NetworkTopologyStrategy -------------------------------------------------
// Walks of 0 1 1 2 3 0 3 2 where zone 0 = {0, 2} and zone 1 = {1, 3}; a node
// is skipped (·) when already taken or when its zone is full.

TEST(NetworkTopologyStrategy, FixedRingRfTwoAndOne)
{
  //   u0: 0 1 ·1 2                 → 0 1 2
  //   u1: 1 ·1 2 ·3 0              → 1 2 0   (primary in zone 1)
  //   u2: 1 2 ·3 0                 → 1 2 0
  //   u3: 2 3 0                    → 2 3 0
  //   u4: 3 0 ·3 2                 → 3 0 2
  //   u5: 0 3 2                    → 0 3 2
  //   u6: 3 2 | 0                  → 3 2 0
  //   u7: 2 | 0 1                  → 2 0 1
  const Placement p = network_topology_strategy(fixed_ring(), kZoneOf, {2, 1});
  EXPECT_EQ(p.node_count(), 4);
  expect_table(p, {{0, 1, 2}, {1, 2, 0}, {1, 2, 0}, {2, 3, 0}, {3, 0, 2}, {0, 3, 2}, {3, 2, 0}, {2, 0, 1}});
}

TEST(NetworkTopologyStrategy, FixedRingOneReplicaPerZoneSkipsAFullZone)
{
  //   u0: 0 1      u4: 3 0
  //   u1: 1 ·1 2   u5: 0 3
  //   u2: 1 2      u6: 3 2
  //   u3: 2 3      u7: 2 | ·0 1   (zone 0 already has node 2)
  const Placement p = network_topology_strategy(fixed_ring(), kZoneOf, {1, 1});
  expect_table(p, {{0, 1}, {1, 2}, {1, 2}, {2, 3}, {3, 0}, {0, 3}, {3, 2}, {2, 1}});
}

TEST(NetworkTopologyStrategy, ZoneWithRfZeroHoldsNothingAndThePrimaryIsTheFirstReplicaClockwise)
{
  // Only zone 1 = {1, 3} holds replicas; nodes 0 and 2 are always skipped.
  //   u0: ·0 1 ·1 ·2 3                → 1 3   (position 0 is node 0's, yet node 1 is primary)
  //   u1: 1 ·1 ·2 3                   → 1 3
  //   u2: 1 ·2 3                      → 1 3
  //   u3: ·2 3 ·0 ·3 ·2 | ·0 1        → 3 1
  //   u4: 3 ·0 ·3 ·2 | ·0 1           → 3 1
  //   u5: ·0 3 ·2 | ·0 1              → 3 1
  //   u6: 3 ·2 | ·0 1                 → 3 1
  //   u7: ·2 | ·0 1 ·1 ·2 3           → 1 3
  const Placement p = network_topology_strategy(fixed_ring(), kZoneOf, {0, 2});
  expect_table(p, {{1, 3}, {1, 3}, {1, 3}, {3, 1}, {3, 1}, {3, 1}, {3, 1}, {1, 3}});
  for (UnitId u = 0; u < p.unit_count(); ++u) {
    EXPECT_FALSE(p.is_replica(u, 0)) << "unit " << u;
    EXPECT_FALSE(p.is_replica(u, 2)) << "unit " << u;
  }
}

TEST(NetworkTopologyStrategy, OneZoneIsSimpleStrategy)
{
  const std::vector<int> one_zone = {0, 0, 0, 0};
  for (int rf = 1; rf <= 4; ++rf)
    EXPECT_EQ(replica_table(network_topology_strategy(fixed_ring(), one_zone, {rf})),
              replica_table(simple_strategy(fixed_ring(), 4, rf)))
        << "rf " << rf;
}

TEST(NetworkTopologyStrategy, RejectsAZoneWithFewerNodesThanItsRf)
{
  try {
    network_topology_strategy(fixed_ring(), kZoneOf, {3, 1});
    FAIL() << "zone 0 has only 2 nodes";
  } catch (const SettingError& e) {
    EXPECT_EQ(e.setting(), Setting::rf);
    EXPECT_STREQ(e.what(), "zone 0 has 2 nodes, fewer than rf 3");
  }
  EXPECT_THROW(network_topology_strategy(fixed_ring(), kZoneOf, {0, 0}), std::invalid_argument);
  EXPECT_THROW(network_topology_strategy(fixed_ring(), kZoneOf, {-1, 2}), std::invalid_argument);
  EXPECT_THROW(network_topology_strategy(fixed_ring(), kZoneOf, {2}), std::invalid_argument);  // zone 1 has no rf
}

// --- unit_of on the ring ------------------------------------------------------
// stable_hash values computed with a Python one-liner of splitmix64's
// finaliser. Unit i owns (token[i−1], token[i]]: hashes in (0x1…, 0x3…] go to
// unit 1, …, (0xD…, 0xF…] to unit 7, and both [0, 0x1…] and (0xF…, 2^64) to
// unit 0.

TEST(UnitOf, RingKeysLandInTheRangeOfTheFirstTokenNotBelowTheirHash)
{
  const Placement p = simple_strategy(fixed_ring(), 4, 2);
  const std::pair<Key, UnitId> expected[] = {
      {10, 0},  // 0x088712be8a582fca: below the first token
      {3, 1},   // 0x1d0b14e4db018fed
      {33, 1},  // 0x2c0e0fedbe2218a8
      {20, 2},  // 0x362259904816818c
      {35, 2},  // 0x4d5cb825dfaab05b
      {11, 3},  // 0x50f5647d2380309d
      {4, 3},   // 0x6e73e372e2338aca
      {47, 4},  // 0x7bb3c45c597cdb85
      {17, 4},  // 0x808475f02ee37363
      {1, 5},   // 0x910a2dec89025cc1
      {24, 5},  // 0xaac8c00000a81e44
      {6, 6},   // 0xbd64a5d9adefe000
      {13, 6},  // 0xc4ca37b7f8ad8aff
      {31, 7},  // 0xd7599677879feaea
      {0, 7},   // 0xe220a8397b1dcdaf
      {44, 0},  // 0xfb452912299a5453: past the last token, wraps to unit 0
  };
  for (const auto& [key, unit] : expected)
    EXPECT_EQ(p.unit_of(key), unit) << "key " << key;
}

TEST(UnitOf, ATokenEqualToTheHashOwnsTheKey)
{
  // stable_hash(3) = 0x1d0b14e4db018fed. A range (previous, token] includes
  // its own token, so the key belongs to the token equal to its hash.
  constexpr std::uint64_t h = 0x1d0b14e4db018fedULL;
  ASSERT_EQ(stable_hash(3), h);
  EXPECT_EQ(Placement(2, {{0}, {1}}, {h, h + 1}).unit_of(3), 0);
  EXPECT_EQ(Placement(2, {{0}, {1}}, {h - 1, h}).unit_of(3), 1);
  EXPECT_EQ(Placement(2, {{0}, {1}}, {h - 2, h - 1}).unit_of(3), 0);  // past the last token
}

TEST(Placement, RejectsRingTokensThatDoNotMatchTheUnits)
{
  EXPECT_THROW(Placement(2, {{0}, {1}}, {5}), std::invalid_argument);
  EXPECT_THROW(Placement(2, {{0}, {1}}, {7, 5}), std::invalid_argument);
  EXPECT_TRUE(Placement(2, {{0}, {1}}).ring_tokens().empty());
}

// --- random_tokens ------------------------------------------------------------

TEST(TokenRing, RandomTokensArePinnedForASeed)
{
  // xoshiro256** seeded with 7 (state words from splitmix64), drawn node by
  // node — node 0: 0xb358faf74ef9765a, 0x475c3d964f482cd2; node 1:
  // 0xd6f1d349952c7996, 0xfb2938731e807240 — then sorted. Worked out with a
  // Python transcription of protocols/common/rng.hpp. Published rings depend on it.
  const auto ring = random_tokens(2, 2, 7);
  ASSERT_EQ(ring.size(), 4u);
  const std::pair<std::uint64_t, NodeId> expected[] = {
      {0x475c3d964f482cd2ULL, 0}, {0xb358faf74ef9765aULL, 0}, {0xd6f1d349952c7996ULL, 1}, {0xfb2938731e807240ULL, 1}};
  for (std::size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(ring[i].token, expected[i].first) << "position " << i;
    EXPECT_EQ(ring[i].node, expected[i].second) << "position " << i;
  }
}

TEST(TokenRing, RandomTokensAreDeterministicPerSeed)
{
  const auto a = random_tokens(12, 16, 42);
  const auto b = random_tokens(12, 16, 42);
  const auto c = random_tokens(12, 16, 43);
  ASSERT_EQ(a.size(), b.size());
  std::size_t same_as_other_seed = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].token, b[i].token) << "position " << i;
    EXPECT_EQ(a[i].node, b[i].node) << "position " << i;
    same_as_other_seed += a[i].token == c[i].token;
  }
  EXPECT_EQ(same_as_other_seed, 0u);
}

TEST(TokenRing, RandomTokensGiveEachNodeExactlyVnodesTokensInAscendingOrder)
{
  for (int vnodes : {1, 16, 256}) {
    const auto ring = random_tokens(12, vnodes, 5);
    ASSERT_EQ(ring.size(), static_cast<std::size_t>(12 * vnodes));
    std::vector<int> count(12, 0);
    for (const RingToken& t : ring)
      ++count.at(static_cast<std::size_t>(t.node));
    for (NodeId n = 0; n < 12; ++n)
      EXPECT_EQ(count[static_cast<std::size_t>(n)], vnodes) << "node " << n << ", vnodes " << vnodes;
    EXPECT_TRUE(std::is_sorted(ring.begin(), ring.end(),
                               [](const RingToken& x, const RingToken& y) { return x.token < y.token; }));
  }
}

TEST(TokenRing, RandomTokensRejectNoNodesOrNoVnodes)
{
  EXPECT_THROW(random_tokens(0, 16, 1), std::invalid_argument);
  EXPECT_THROW(random_tokens(3, 0, 1), std::invalid_argument);
}

// Largest replicated ownership over the mean: each node's share of the hash
// space it holds a replica of (range widths summed over the units it
// replicates), over the mean share rf / nodes.
double max_over_mean_ownership(int nodes, int vnodes, int rf, std::uint64_t seed)
{
  const Placement p = simple_strategy(random_tokens(nodes, vnodes, seed), nodes, rf);
  const auto& tokens = p.ring_tokens();
  std::vector<double> share(static_cast<std::size_t>(nodes), 0.0);
  for (std::size_t u = 0; u < tokens.size(); ++u) {
    // Unsigned subtraction wraps, so unit 0's width includes the stretch past the last token.
    const std::uint64_t width = tokens[u] - tokens[(u + tokens.size() - 1) % tokens.size()];
    for (NodeId n : p.replicas(static_cast<UnitId>(u)))
      share[static_cast<std::size_t>(n)] += static_cast<double>(width) * 0x1.0p-64;
  }
  return *std::max_element(share.begin(), share.end()) / (static_cast<double>(rf) / nodes);
}

TEST(TokenRing, MoreVnodesEvenOutReplicatedOwnership)
{
  // real-systems.md: 12 nodes, rf 3, the largest node's replicated ownership is
  // ~1.8× the mean with 1 token, ~1.26× with 16, ~1.06× with 256. Over 4,000
  // seeds this implementation gives a mean (sd of one seed) of 1.82 (0.32),
  // 1.249 (0.080) and 1.061 (0.018), so the mean over 20 seeds has sd 0.071,
  // 0.018 and 0.0041. The bounds are about ±4.5 of those sds around the
  // 4,000-seed means, so a correct ring fails them for almost no choice of
  // seeds, while evenly spaced tokens (ratio 1 at every vnode count) or a vnode
  // count that is ignored fail at once. Seeds 1–20 give 1.90, 1.24 and 1.063.
  struct Case {
    int vnodes;
    double lo, hi;
  };
  const Case cases[] = {{1, 1.50, 2.20}, {16, 1.17, 1.33}, {256, 1.04, 1.08}};
  for (const Case& c : cases) {
    double sum = 0;
    for (std::uint64_t seed = 1; seed <= 20; ++seed)
      sum += max_over_mean_ownership(12, c.vnodes, 3, seed);
    const double mean = sum / 20;
    EXPECT_GT(mean, c.lo) << c.vnodes << " vnodes";
    EXPECT_LT(mean, c.hi) << c.vnodes << " vnodes";
  }
}

}  // namespace token_ring_test
}  // namespace replisim
